package main

import (
	"context"
	"errors"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/mx"
	"github.com/mailsmith/mailsmith/ptr"
)

// checkMX finds the mail exchangers (RFC 5321 §5.1, RFC 7505) and checks
// the forward-confirmed reverse DNS of each address. The resolvers of
// package resolver wrap their *net.Resolver in mx.NetResolver for
// DomainExists (mx.ExistsResolver), so a domain without MX or address
// records reads as its own implicit MX and only a missing one as
// mx.ErrNoSuchDomain.
func checkMX(ctx context.Context, res resolver.Resolver, r *Report) {
	route, err := (&mx.Router{Resolver: res, ResolveAddrs: true}).Route(ctx, r.Domain)
	for _, s := range route.Skipped {
		r.MX.Skipped = append(r.MX.Skipped, oneLine(sprintf("%d %s: %v", s.Preference, s.Target, s.Reason)))
		r.add(Warning, "mx", "MX record %d %s is not used: %v", s.Preference, s.Target, s.Reason)
	}
	switch {
	case errors.Is(err, mx.ErrNullMX):
		r.MX.NullMX = true
		r.add(Info, "mx", "null MX (RFC 7505): the domain says it accepts no mail")
		return
	case errors.Is(err, mx.ErrNoSuchDomain):
		r.MX.Error = errText(err)
		r.add(Error, "mx", "the domain does not exist")
		return
	case err != nil:
		r.MX.Error = errText(err)
		r.add(Error, "mx", "MX lookup failed: %v", err)
		return
	}
	v := &ptr.Verifier{Resolver: res}
	for _, h := range route.Hosts {
		host := MXHost{Name: h.Name, Preference: h.Preference, Addrs: []AddrReport{}}
		if h.Implicit {
			r.MX.Implicit = true
			r.add(Warning, "mx", "no MX records: mail goes to the domain's own address (implicit MX)")
		}
		if h.Err != nil {
			host.Error = errText(h.Err)
			r.add(Error, "mx", "%s: %v", h.Name, h.Err)
		}
		for _, ip := range h.Addrs {
			vd, err := v.Verify(ctx, ip)
			a := AddrReport{IP: ip.String(), FCrDNS: string(vd.Result), Names: vd.Names}
			if vd.Result != ptr.Pass {
				why := ""
				if err != nil {
					why = ": " + err.Error()
				}
				r.add(Warning, "mx", "%s (%s) has no forward-confirmed reverse DNS (iprev=%s)%s; receivers distrust such senders",
					h.Name, ip, vd.Result, why)
			}
			host.Addrs = append(host.Addrs, a)
		}
		r.MX.Hosts = append(r.MX.Hosts, host)
	}
}
