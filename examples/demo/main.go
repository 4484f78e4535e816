// Command demo shows the mailsmith packages at work without touching the
// network: it serves a small zone on loopback (internal/dnstest), looks up
// mail exchangers with package mx and checks forward-confirmed reverse DNS
// with package ptr, prints what it found and exits with status 1 if any
// answer differs from what the zone implies.
//
//	go run ./examples/demo
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

func main() {
	os.Exit(run(os.Stdout))
}

// run prints the report to w and returns the exit status.
func run(w io.Writer) int {
	srv, err := dnstest.Start(demoZone)
	if err != nil {
		fmt.Fprintln(w, "demo: starting the DNS server:", err)
		return 1
	}
	defer srv.Close()
	fmt.Fprintf(w, "mailsmith demo: DNS served on %s (loopback only)\n", srv.Addr())
	fmt.Fprintln(w, "(Go's error texts name the system's resolver, but every query goes to the loopback server)")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	failed := 0
	failed += mxReport(ctx, w, srv.Resolver())
	failed += ptrReport(ctx, w, srv.Resolver())

	fmt.Fprintln(w)
	if failed > 0 {
		fmt.Fprintf(w, "%d check(s) did not give the expected answer\n", failed)
		return 1
	}
	fmt.Fprintln(w, "all checks gave the expected answers")
	return 0
}

// mark returns the line prefix for a check.
func mark(ok bool) string {
	if ok {
		return "  ok  "
	}
	return "  FAIL"
}
