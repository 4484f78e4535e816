#!/usr/bin/env bash
# Benchmarks mailsmith against other Go libraries on the same inputs
# (see the *_test.go files here), then prints a markdown table of medians
# and benchstat's summary. Also runs the RFC 7208 suite through each SPF
# library.
#
#   .ci/compare/run.sh                      # everything, 5 rounds
#   COUNT=3 BENCH='DKIM' .ci/compare/run.sh  # a subset
#
# Output goes to .ci/compare/results/ (bench.txt, table.md, suite.txt).
# Numbers are only comparable within one run on one machine; say how busy
# the machine was (the load average is printed) when quoting them.
set -euo pipefail

COUNT=${COUNT:-5}
BENCH=${BENCH:-.}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
export GOFLAGS=-mod=mod
out=$here/results
mkdir -p "$out"

{
	echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(go version) $(nproc) CPUs"
	echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# $COUNT rounds of: go test -run '^\$' -bench '$BENCH' -benchmem -count=1"
} | tee "$out/bench.txt"
# The rounds are interleaved (every benchmark once per round) rather than
# -count=$COUNT in one go, so that a burst of load from other work on a
# shared machine hits every library alike instead of all the samples of
# one. The test binary is built once.
go test -c -o "$out/compare.test" .
for round in $(seq "$COUNT"); do
	echo "# round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/bench.txt"
	"$out/compare.test" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count=1 -test.timeout 60m |
		tee -a "$out/bench.txt"
done
rm -f "$out/compare.test"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/bench.txt"

# Library versions: the module versions this run used.
rev=$(git -C ../.. rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C ../.. status --porcelain 2>/dev/null | grep -q . && echo "+dirty" || true)
ver() { go list -m -f '{{.Version}}' "$1"; }
cat >"$out/versions.txt" <<VERSIONS
mailsmith github.com/mailsmith/mailsmith $rev$dirty
blitiri blitiri.com.ar/go/spf $(ver blitiri.com.ar/go/spf)
go-msgauth github.com/emersion/go-msgauth $(ver github.com/emersion/go-msgauth)
mailsmith-rfc7489 github.com/mailsmith/mailsmith $rev$dirty
go-smtp github.com/emersion/go-smtp $(ver github.com/emersion/go-smtp)
baseline (none) -
VERSIONS

go run ./cmd/benchtable -versions "$out/versions.txt" <"$out/bench.txt" | tee "$out/table.md"
echo
go tool benchstat -col /lib "$out/bench.txt" >"$out/benchstat.txt" 2>&1 || true
echo "benchstat summary: $out/benchstat.txt"

go test -run TestRFC7208Suite -v . | grep 'RFC 7208 suite' | sed 's/^ *[a-z_]*\.go:[0-9]*: //' | tee "$out/suite.txt"
