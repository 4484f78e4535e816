#!/usr/bin/env bash
# Measures how many messages per second Postfix's smtp-source can deliver
# to our smtp.Server (bench/gosink, a discarding backend) and to Postfix's
# own smtp-sink, in the same run, on loopback.
#
#   smtp/bench/run.sh                # 100 KiB messages
#   SIZE=1024 smtp/bench/run.sh      # 1 KiB messages
#
# Environment: SIZE (octets per message, default 102400), MSGS (per run,
# default 2000), SESSIONS (parallel sessions, default 10), RUNS (default 5),
# SERVER_CPU / LOAD_CPU (taskset CPUs, default 0 and 1).
# Runs alternate between the two servers; the medians are printed, with
# the server's CPU time per message read from /proc.
set -euo pipefail

SIZE=${SIZE:-102400}
MSGS=${MSGS:-2000}
SESSIONS=${SESSIONS:-10}
RUNS=${RUNS:-5}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

die() { echo "run.sh: $*" >&2; exit 1; }
command -v smtp-source >/dev/null || PATH=$PATH:/usr/sbin
command -v smtp-source >/dev/null || die "smtp-source not found (apt-get install postfix)"
command -v smtp-sink >/dev/null || die "smtp-sink not found (apt-get install postfix)"
command -v taskset >/dev/null || die "taskset not found (util-linux)"

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port"
}

(cd "$here/.." && go build -o "$tmp/gosink" ./bench/gosink)

go_port=$(free_port)
taskset -c "$SERVER_CPU" "$tmp/gosink" -addr "127.0.0.1:$go_port" >"$tmp/gosink.out" &
go_pid=$!
pids+=("$go_pid")

sink_port=$(free_port)
user_opt=()
[ "$(id -u)" = 0 ] && user_opt=(-u nobody)
taskset -c "$SERVER_CPU" smtp-sink "${user_opt[@]}" "127.0.0.1:$sink_port" 256 &
sink_pid=$!
pids+=("$sink_pid")

for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$go_port") 2>/dev/null &&
		(exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null && break
	sleep 0.05
done

# cpu_ticks PID: user+system clock ticks used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# measure NAME PORT PID: one run; appends "msgs/s cpu-µs/msg" to $tmp/NAME.
measure() {
	local name=$1 port=$2 pid=$3 t0 t1 c0 c1
	c0=$(cpu_ticks "$pid")
	t0=$(date +%s.%N)
	taskset -c "$LOAD_CPU" smtp-source -d -s "$SESSIONS" -m "$MSGS" -l "$SIZE" \
		-f bench@localhost -t sink@localhost "127.0.0.1:$port" ||
		die "smtp-source against $name failed"
	t1=$(date +%s.%N)
	c1=$(cpu_ticks "$pid")
	awk -v n="$MSGS" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v hz="$hz" \
		'BEGIN { printf "%.1f %.1f\n", n / (t1 - t0), (c1 - c0) / hz * 1e6 / n }' >>"$tmp/$name"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "smtp-source -d -s $SESSIONS -m $MSGS -l $SIZE; $RUNS runs each, alternating; server on CPU $SERVER_CPU, load on CPU $LOAD_CPU"
for run in $(seq "$RUNS"); do
	measure mailsmith "$go_port" "$go_pid"
	measure smtp-sink "$sink_port" "$sink_pid"
	printf 'run %d: mailsmith %s msgs/s, smtp-sink %s msgs/s\n' "$run" \
		"$(tail -1 "$tmp/mailsmith" | cut -d' ' -f1)" "$(tail -1 "$tmp/smtp-sink" | cut -d' ' -f1)"
done
for name in mailsmith smtp-sink; do
	printf '%-10s median %8s msgs/s  %8s server-cpu-µs/msg\n' "$name" \
		"$(cut -d' ' -f1 "$tmp/$name" | median)" "$(cut -d' ' -f2 "$tmp/$name" | median)"
done
