package resolver

import (
	"context"
	"errors"
	"net"
	"net/netip"

	"github.com/miekg/dns"

	"github.com/mailsmith/mailsmith/mx"
)

// Direct returns a Resolver that answers like r, whose Dial must send
// every query to the DNS server at addr, with two differences:
//
//   - Reverse lookups (LookupAddr) go as PTR queries straight to addr.
//     Go's resolver answers LookupAddr from /etc/hosts first, so 127.0.0.1
//     comes back as "localhost" whatever the DNS says. The examples run
//     their mail hosts on 127.0.0.1 and publish its PTR records in their
//     own zone; asking that zone directly keeps the iprev check honest.
//   - Failures name addr as the server. Go's resolver names the server it
//     meant to ask (the first of /etc/resolv.conf), not the one its Dial
//     connected to, so an error would read "lookup x on 10.0.0.53:53"
//     after a query that never left the loopback.
func Direct(r *net.Resolver, addr string) Resolver {
	return &direct{Resolver: r, addr: addr}
}

type direct struct {
	*net.Resolver
	addr string
}

// LookupTXT is r's LookupTXT; a failure names addr as the server.
func (d *direct) LookupTXT(ctx context.Context, name string) ([]string, error) {
	txt, err := d.Resolver.LookupTXT(ctx, name)
	return txt, d.relabel(err)
}

// LookupNetIP is r's LookupNetIP; a failure names addr as the server.
func (d *direct) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	ips, err := d.Resolver.LookupNetIP(ctx, network, host)
	return ips, d.relabel(err)
}

// LookupMX is r's LookupMX; a failure names addr as the server.
func (d *direct) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	mxs, err := d.Resolver.LookupMX(ctx, name)
	return mxs, d.relabel(err)
}

// relabel returns err, a *net.DNSError, as a copy whose Server is addr,
// where the query went. It copies: Go's resolver hands one error value
// to every caller of lookups it merged (singleflight), so a change in
// place would race with the other callers. Other errors pass unchanged.
func (d *direct) relabel(err error) error {
	de, ok := err.(*net.DNSError)
	if !ok || de.Server == "" || de.Server == d.addr {
		return err
	}
	c := *de
	c.Server = d.addr
	return &c
}

// LookupAddr returns the PTR names of addr, with trailing dots, like
// net.Resolver.LookupAddr; failures are *net.DNSError.
func (d *direct) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	name, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	msg := new(dns.Msg)
	msg.SetQuestion(name, dns.TypePTR)
	msg.SetEdns0(1232, false)
	resp, err := d.exchange(ctx, msg, "udp")
	if err == nil && resp.Truncated {
		resp, err = d.exchange(ctx, msg, "tcp")
	}
	if err != nil {
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
		return nil, &net.DNSError{Err: err.Error(), Name: addr, Server: d.addr, IsTimeout: timeout, IsTemporary: true}
	}
	switch resp.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, &net.DNSError{Err: "no such host", Name: addr, Server: d.addr, IsNotFound: true}
	default:
		return nil, &net.DNSError{Err: "server answered " + dns.RcodeToString[resp.Rcode], Name: addr, Server: d.addr, IsTemporary: true}
	}
	var names []string
	for _, rr := range resp.Answer {
		if p, ok := rr.(*dns.PTR); ok { // also at the end of a CNAME chain (RFC 2317)
			names = append(names, p.Ptr)
		}
	}
	if len(names) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: addr, Server: d.addr, IsNotFound: true}
	}
	return names, nil
}

// DomainExists implements mx.ExistsResolver with an MX query to the same
// server (mx.NetResolver), so package mx tells a domain that does not
// exist from one that exists without MX or address records (implicit MX).
func (d *direct) DomainExists(ctx context.Context, name string) (bool, error) {
	return (&mx.NetResolver{Resolver: d.Resolver, Servers: []string{d.addr}}).DomainExists(ctx, name)
}

func (d *direct) exchange(ctx context.Context, msg *dns.Msg, network string) (*dns.Msg, error) {
	c := &dns.Client{Net: network, Timeout: DialTimeout}
	resp, _, err := c.ExchangeContext(ctx, msg, d.addr)
	return resp, err
}
