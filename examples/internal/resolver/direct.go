package resolver

import (
	"context"
	"errors"
	"net"

	"github.com/miekg/dns"

	"github.com/mailsmith/mailsmith/mx"
)

// Direct returns a Resolver that answers like r, except that reverse
// lookups (LookupAddr) go as PTR queries straight to the DNS server at addr.
//
// Go's resolver answers LookupAddr from /etc/hosts first, so 127.0.0.1
// comes back as "localhost" whatever the DNS says. The examples run their
// mail hosts on 127.0.0.1 and publish its PTR records in their own zone;
// asking that zone directly keeps the iprev check honest.
func Direct(r *net.Resolver, addr string) Resolver {
	return &direct{Resolver: r, addr: addr}
}

type direct struct {
	*net.Resolver
	addr string
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
