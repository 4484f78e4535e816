package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/mx"
)

// mxCase is one domain to route and what the zone says should come back.
type mxCase struct {
	domain string
	want   []string // host names in order; "a|b" when either may come first
	err    error    // expected sentinel instead of hosts
	self   []string // Router.Self: this host's own names
	note   string
}

var mxCases = []mxCase{
	{domain: "example.org", want: []string{"mx1.example.org", "mx2.example.org|mx3.example.org", "mx2.example.org|mx3.example.org"}, note: "by preference, ties shuffled"},
	{domain: "shop.example.org", want: []string{"shop.example.org"}, note: "no MX: implicit MX"},
	{domain: "mxless.example.org", want: []string{"mxless.example.org"}, note: "exists without MX or address: implicit MX, no address"},
	{domain: "nomail.example.org", err: mx.ErrNullMX, note: "null MX (RFC 7505)"},
	{domain: "mixed.example.org", want: []string{"mx1.example.org"}, note: `"." beside a real MX is ignored`},
	{domain: "literal.example.org", want: []string{"mx2.example.org"}, note: "IP-literal target skipped"},
	{domain: "bücher.example.org", want: []string{"mx1.example.org"}, note: "IDN looked up as xn--bcher-kva"},
	{domain: "nowhere.example.org", err: mx.ErrNoSuchDomain, note: "NXDOMAIN"},
	{domain: "example.org", self: []string{"mx2.example.org"}, want: []string{"mx1.example.org"}, note: "relaying as mx2: only better MXs"},
	{domain: "example.org", self: []string{"mx1.example.org"}, err: mx.ErrSelfIsBest, note: "relaying as mx1: mail loop"},
}

// mxReport routes every case and prints the result; it returns how many
// cases did not match.
func mxReport(ctx context.Context, w io.Writer, res resolver.Resolver) int {
	fmt.Fprintln(w, "\nMX routing (package mx, RFC 5321 §5.1, RFC 7505)")
	failed := 0
	for _, c := range mxCases {
		r := &mx.Router{Resolver: res, ResolveAddrs: true, Rand: rand.New(rand.NewPCG(2026, 12)), Self: c.self}
		route, err := r.Route(ctx, c.domain)
		ok := matchMX(c, route.Hosts, err)
		if !ok {
			failed++
		}
		fmt.Fprintf(w, "%s %-22s %s\n", mark(ok), c.domain, c.note)
		if err != nil {
			fmt.Fprintf(w, "         error: %v\n", err)
		}
		for _, h := range route.Hosts {
			addrs := "no address"
			if len(h.Addrs) > 0 {
				addrs = fmt.Sprint(h.Addrs)
			}
			kind := ""
			if h.Implicit {
				kind = " (implicit)"
			}
			fmt.Fprintf(w, "         %5d %s%s %s\n", h.Preference, h.Name, kind, addrs)
		}
		for _, s := range route.Skipped {
			fmt.Fprintf(w, "         skipped %d %s: %v\n", s.Preference, s.Target, s.Reason)
		}
	}
	return failed
}

func matchMX(c mxCase, hosts []mx.Host, err error) bool {
	if c.err != nil {
		return errors.Is(err, c.err) && len(hosts) == 0
	}
	if err != nil || len(hosts) != len(c.want) {
		return false
	}
	for i, h := range hosts {
		if !slices.Contains(strings.Split(c.want[i], "|"), h.Name) {
			return false
		}
	}
	return true
}
