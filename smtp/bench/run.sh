#!/usr/bin/env bash
# Measures how many messages per second Postfix's smtp-source can deliver,
# and how much server CPU each message costs, to three servers in the
# same run on loopback: our smtp.Server (bench/gosink, a discarding
# backend), github.com/emersion/go-smtp (bench/gosmtpsink, the same
# backend; its own module so go-smtp stays out of mailsmith's go.mod) and
# Postfix's own smtp-sink.
#
#   smtp/bench/run.sh                # 100 KiB messages
#   SIZE=1024 smtp/bench/run.sh      # 1 KiB messages
#   SIZE=1024 PROFILE=/tmp/prof smtp/bench/run.sh
#                                    # also CPU profiles of both Go servers
#                                    # (go tool pprof -top /tmp/prof/gosink.pprof)
#
# Environment: SIZE (octets per message, default 102400), MSGS (per run,
# default 2000), SESSIONS (parallel sessions, default 10), RUNS (default 5),
# SERVER_CPU / LOAD_CPU (taskset CPUs, default 0 and 1), SERVERS (default
# "mailsmith go-smtp smtp-sink"), PROFILE (a directory for CPU profiles),
# GOSMTP_VERSION (another go-smtp version for bench/gosmtpsink, fetched
# with go get into a copy; default: the one in its go.mod, which is the
# one .ci/compare uses).
#
# Runs alternate between the servers, so a burst of load from other work
# on the machine hits them alike. Server CPU per message is the server
# process's CPU time (the sum of /proc/PID/task/*/schedstat) over the run
# divided by the messages; the medians are printed, then the ratio of
# mailsmith's to go-smtp's per-run figures (median of the per-run ratios,
# each from the same round).
set -euo pipefail

SIZE=${SIZE:-102400}
MSGS=${MSGS:-2000}
SESSIONS=${SESSIONS:-10}
RUNS=${RUNS:-5}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SERVERS=${SERVERS:-mailsmith go-smtp smtp-sink}
PROFILE=${PROFILE:-}

die() { echo "run.sh: $*" >&2; exit 1; }
command -v smtp-source >/dev/null || PATH=$PATH:/usr/sbin
command -v smtp-source >/dev/null || die "smtp-source not found (apt-get install postfix)"
command -v smtp-sink >/dev/null || die "smtp-sink not found (apt-get install postfix)"
command -v taskset >/dev/null || die "taskset not found (util-linux)"

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
declare -A pid port
cleanup() {
	for p in "${pid[@]}"; do kill "$p" 2>/dev/null || true; done
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

prof_opt() {
	if [ -n "$PROFILE" ]; then
		mkdir -p "$PROFILE"
		echo "-cpuprofile=$PROFILE/$1.pprof"
	fi
}

start() {
	local name=$1 p
	p=$(free_port)
	port[$name]=$p
	case $name in
	mailsmith)
		(cd "$here/.." && go build -o "$tmp/gosink" ./bench/gosink)
		taskset -c "$SERVER_CPU" "$tmp/gosink" -addr "127.0.0.1:$p" $(prof_opt gosink) >"$tmp/gosink.out" &
		;;
	go-smtp)
		local src=$here/gosmtpsink
		if [ -n "${GOSMTP_VERSION:-}" ]; then
			cp -r "$src" "$tmp/gosmtpsink-src"
			src=$tmp/gosmtpsink-src
			(cd "$src" && GOFLAGS=-mod=mod go get "github.com/emersion/go-smtp@$GOSMTP_VERSION")
		fi
		(cd "$src" && GOFLAGS=-mod=mod go build -o "$tmp/gosmtpsink" .)
		taskset -c "$SERVER_CPU" "$tmp/gosmtpsink" -addr "127.0.0.1:$p" $(prof_opt gosmtpsink) >"$tmp/gosmtpsink.out" &
		;;
	smtp-sink)
		local user_opt=()
		[ "$(id -u)" = 0 ] && user_opt=(-u nobody)
		taskset -c "$SERVER_CPU" smtp-sink "${user_opt[@]}" "127.0.0.1:$p" 256 &
		;;
	*) die "unknown server $name" ;;
	esac
	pid[$name]=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return
		sleep 0.05
	done
	die "$name did not start listening on port $p"
}

for name in $SERVERS; do start "$name"; done

# cpu_ns PID: nanoseconds of CPU the process's threads have used so far
# (/proc/PID/task/*/schedstat: exact, where /proc/PID/stat counts clock
# ticks of 10 ms). Go servers keep their threads, so none is lost.
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f\n", s }'; }

# measure NAME: one run; appends "msgs/s cpu-µs/msg" to $tmp/NAME.
measure() {
	local name=$1 t0 t1 c0 c1
	c0=$(cpu_ns "${pid[$name]}")
	t0=$(date +%s.%N)
	taskset -c "$LOAD_CPU" smtp-source -d -s "$SESSIONS" -m "$MSGS" -l "$SIZE" \
		-f bench@localhost -t sink@localhost "127.0.0.1:${port[$name]}" ||
		die "smtp-source against $name failed"
	t1=$(date +%s.%N)
	c1=$(cpu_ns "${pid[$name]}")
	awk -v n="$MSGS" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" \
		'BEGIN { printf "%.1f %.2f\n", n / (t1 - t0), (c1 - c0) / 1e3 / n }' >>"$tmp/$name"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "smtp-source -d -s $SESSIONS -m $MSGS -l $SIZE; $RUNS runs each, alternating; server on CPU $SERVER_CPU, load on CPU $LOAD_CPU"
echo "$(go version), $(nproc) CPUs, go-smtp $(cd "$here/gosmtpsink" && GOFLAGS=-mod=mod go list -m -f '{{.Version}}' github.com/emersion/go-smtp)${GOSMTP_VERSION:+ replaced by $GOSMTP_VERSION}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$RUNS"); do
	line="run $run:"
	for name in $SERVERS; do
		measure "$name"
		line="$line $name $(tail -1 "$tmp/$name" | awk '{printf "%s msgs/s %s µs/msg;", $1, $2}')"
	done
	echo "$line"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for name in $SERVERS; do
	printf '%-10s median %8s msgs/s  %8s server-cpu-µs/msg\n' "$name" \
		"$(cut -d' ' -f1 "$tmp/$name" | median)" "$(cut -d' ' -f2 "$tmp/$name" | median)"
done
if [ -f "$tmp/mailsmith" ] && [ -f "$tmp/go-smtp" ]; then
	ratios=$(paste -d' ' "$tmp/mailsmith" "$tmp/go-smtp" | awk '{ printf "%.3f\n", $2 / $4 }')
	echo "mailsmith/go-smtp server CPU per message, per run: $(echo $ratios); median $(echo "$ratios" | median)"
fi
