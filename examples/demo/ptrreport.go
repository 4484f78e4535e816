package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/ptr"
)

// ptrCase is one client address to check and the expected iprev result.
type ptrCase struct {
	ip    string
	want  ptr.Result
	names []string
	note  string
}

var ptrCases = []ptrCase{
	{ip: "192.0.2.1", want: ptr.Pass, names: []string{"mx1.example.org"}, note: "PTR and A agree"},
	{ip: "2001:db8::1", want: ptr.Pass, names: []string{"mx1.example.org"}, note: "IPv6: PTR and AAAA agree"},
	{ip: "::ffff:192.0.2.2", want: ptr.Pass, names: []string{"mx2.example.org"}, note: "IPv4-mapped, checked as IPv4"},
	{ip: "192.0.2.80", want: ptr.Pass, names: []string{"shop.example.org"}, note: "one of two PTR names confirms"},
	{ip: "192.0.2.3", want: ptr.Fail, note: "the PTR name does not resolve back"},
	{ip: "192.0.2.99", want: ptr.PermError, note: "no PTR record"},
}

// ptrReport checks every case and prints the result; it returns how many
// cases did not match.
func ptrReport(ctx context.Context, w io.Writer, res resolver.Resolver) int {
	fmt.Fprintln(w, "\nForward-confirmed reverse DNS (package ptr, RFC 8601 iprev)")
	v := &ptr.Verifier{Resolver: res}
	failed := 0
	for _, c := range ptrCases {
		vd, err := v.Verify(ctx, netip.MustParseAddr(c.ip))
		ok := vd.Result == c.want && slices.Equal(vd.Names, c.names)
		if !ok {
			failed++
		}
		fmt.Fprintf(w, "%s %-18s %s\n", mark(ok), c.ip, c.note)
		fmt.Fprintf(w, "         %s", vd.AuthResult())
		if len(vd.Names) > 0 {
			fmt.Fprintf(w, " (%v)", vd.Names)
		}
		fmt.Fprintln(w)
		if err != nil {
			fmt.Fprintf(w, "         reason: %v\n", err)
		}
	}
	return failed
}
