// A module of its own, so that go-smtp never reaches mailsmith's go.mod:
// bench/run.sh builds it (with GOFLAGS=-mod=mod) as the go-smtp side of
// the comparison. It uses the go-smtp version that .ci/compare uses.
module mailsmith-bench-gosmtpsink

go 1.26.0

require github.com/emersion/go-smtp v0.26.0

require github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // indirect
