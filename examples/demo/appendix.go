package main

import (
	"context"
	"io"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// appendix runs the MX routing and reverse DNS corner cases on a zone of
// their own: what packages mx and ptr do with the odd records found in the
// wild.
func appendix(ctx context.Context, n *narrator) {
	n.scene("After hours", "MX routing and reverse DNS, the odd cases")
	n.say("Real DNS is messier than the demo's zone. A second zone, served the same way, holds the cases a mail router meets: ties between MX hosts, no MX at all, null MX, IP addresses where names belong, international names, and reverse DNS that does not match.")
	srv, err := dnstest.Start(routingZone)
	if err != nil {
		n.fail("start the second DNS server: %v", err)
		return
	}
	defer srv.Close()
	// Direct: every query goes to this zone, and failures say so.
	res := resolver.Direct(srv.Resolver(), srv.Addr())
	for _, report := range []func(context.Context, io.Writer, resolver.Resolver) int{mxReport, ptrReport} {
		failed := report(ctx, n.w, res)
		n.checks++
		n.failed += failed
	}
}

// mark returns the line prefix of the appendix's reports.
func mark(ok bool) string {
	if ok {
		return "  ok  "
	}
	return "  FAIL"
}
