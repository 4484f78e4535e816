package dane

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// DNSResolver is a Resolver that sends each query to the configured
// recursive resolvers and trusts the Authenticated Data (AD) bit of their
// answers: an answer is secure when the AD bit is set.
//
// It does no DNSSEC validation itself. It must point at a validating
// resolver that you trust and that you reach over a path nobody can
// tamper with: a validating resolver on the same host (Unbound, BIND,
// Knot Resolver, systemd-resolved with DNSSEC=yes) at 127.0.0.1 or ::1,
// which is what Postfix expects too. Pointed at a resolver that does not
// validate, no answer is ever secure and DANE never applies; pointed at
// a remote resolver, anyone on the path can forge the AD bit.
//
// Queries set the AD bit (RFC 6840 §5.7) and carry EDNS0 (RFC 6891) with a
// UDP payload size of 1232 bytes; a truncated answer is asked again over
// TCP. A SERVFAIL answer, which is how a validating resolver reports a
// bogus answer, is ErrBogus. Each server is tried in turn until one
// answers; ctx bounds the whole lookup.
//
// The zero value reads the nameservers of /etc/resolv.conf at its first
// lookup. A DNSResolver must not be copied after first use.
type DNSResolver struct {
	// Servers are the resolvers to ask, "host" or "host:port" (port 53
	// when none is given). Empty: the nameservers of /etc/resolv.conf.
	Servers []string
	// Timeout bounds one query to one server; zero means 5 seconds.
	Timeout time.Duration

	once    sync.Once
	servers []string
	confErr error
}

// udpSize is the EDNS0 UDP payload size advertised (DNS flag day 2020).
const udpSize = 1232

// maxChain bounds the CNAME links followed inside one answer.
const maxChain = 16

func (r *DNSResolver) serverList() ([]string, error) {
	r.once.Do(func() {
		list := r.Servers
		if len(list) == 0 {
			conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
			if err != nil {
				r.confErr = fmt.Errorf("dane: reading /etc/resolv.conf: %w", err)
				return
			}
			for _, s := range conf.Servers {
				r.servers = append(r.servers, net.JoinHostPort(s, conf.Port))
			}
			if len(r.servers) == 0 {
				r.confErr = errors.New("dane: no nameserver in /etc/resolv.conf")
			}
			return
		}
		for _, s := range list {
			if _, _, err := net.SplitHostPort(s); err != nil {
				s = net.JoinHostPort(strings.Trim(s, "[]"), "53")
			}
			r.servers = append(r.servers, s)
		}
	})
	return r.servers, r.confErr
}

// answer is one response reduced to what a lookup needs.
type answer struct {
	rrs    []dns.RR // records of the type asked, at the end of the CNAME chain
	secure bool
}

// query asks the servers for name and type and classifies the answer.
func (r *DNSResolver) query(ctx context.Context, name string, qtype uint16) (answer, error) {
	name = dns.Fqdn(name)
	servers, err := r.serverList()
	if err != nil {
		return answer{}, failure(ErrTemporary, name, "", err.Error(), false)
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	var firstErr error
	for _, srv := range servers {
		if err := ctx.Err(); err != nil {
			return answer{}, failure(ErrTemporary, name, srv, err.Error(), true)
		}
		resp, err := exchange(ctx, name, qtype, srv, timeout)
		if err != nil {
			if firstErr == nil {
				firstErr = failure(ErrTemporary, name, srv, err.Error(), isTimeout(err))
			}
			continue
		}
		a, err := classify(resp, name, qtype, srv)
		if err != nil && errors.Is(err, ErrTemporary) {
			// SERVFAIL, REFUSED and the like: another server may
			// answer; a bogus answer is reported before a timeout.
			if firstErr == nil || errors.Is(err, ErrBogus) && !errors.Is(firstErr, ErrBogus) {
				firstErr = err
			}
			continue
		}
		return a, err
	}
	return answer{}, firstErr
}

// exchange sends one query over UDP, and again over TCP when the answer is
// truncated.
func exchange(ctx context.Context, name string, qtype uint16, srv string, timeout time.Duration) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.AuthenticatedData = true // RFC 6840 §5.7: we understand the AD bit
	m.SetEdns0(udpSize, false)
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := &dns.Client{Net: "udp", UDPSize: udpSize, Timeout: timeout}
	resp, _, err := c.ExchangeContext(qctx, m, srv)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(qctx, m, srv)
	}
	if err != nil {
		return nil, err
	}
	if len(resp.Question) != 1 || !strings.EqualFold(resp.Question[0].Name, name) || resp.Question[0].Qtype != qtype {
		return nil, errors.New("answer to another question")
	}
	return resp, nil
}

// classify turns a response into records or one of the package's errors.
func classify(resp *dns.Msg, name string, qtype uint16, srv string) (answer, error) {
	secure := resp.AuthenticatedData
	switch resp.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return answer{secure: secure}, failure(ErrNXDomain, name, srv, "no such host", false)
	case dns.RcodeServerFailure:
		return answer{}, failure(ErrBogus, name, srv, "server failure (SERVFAIL)"+extendedError(resp), false)
	default:
		return answer{}, failure(ErrTemporary, name, srv, "server answered "+dns.RcodeToString[resp.Rcode]+extendedError(resp), false)
	}
	// Follow the CNAME chain inside the answer.
	owner := name
	for range maxChain {
		next := ""
		for _, rr := range resp.Answer {
			if c, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME && strings.EqualFold(c.Hdr.Name, owner) {
				next = c.Target
			}
		}
		if next == "" {
			break
		}
		owner = next
	}
	var rrs []dns.RR
	for _, rr := range resp.Answer {
		if rr.Header().Rrtype == qtype && strings.EqualFold(rr.Header().Name, owner) {
			rrs = append(rrs, rr)
		}
	}
	if len(rrs) == 0 {
		return answer{secure: secure}, failure(ErrNoData, name, srv, "no "+dns.TypeToString[qtype]+" records", false)
	}
	return answer{rrs: rrs, secure: secure}, nil
}

// extendedError renders an Extended DNS Error (RFC 8914) of the answer,
// which a validator uses to say why it failed.
func extendedError(resp *dns.Msg) string {
	opt := resp.IsEdns0()
	if opt == nil {
		return ""
	}
	for _, o := range opt.Option {
		if e, ok := o.(*dns.EDNS0_EDE); ok {
			s := "; " + dns.ExtendedErrorCodeToString[e.InfoCode]
			if e.ExtraText != "" {
				s += ": " + clip(e.ExtraText)
			}
			return s
		}
	}
	return ""
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// LookupMX implements Resolver. The MX records come sorted by preference.
func (r *DNSResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, bool, error) {
	a, err := r.query(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, a.secure, err
	}
	var mxs []*net.MX
	for _, rr := range a.rrs {
		mx := rr.(*dns.MX)
		mxs = append(mxs, &net.MX{Host: strings.ToLower(mx.Mx), Pref: mx.Preference})
	}
	slices.SortStableFunc(mxs, func(x, y *net.MX) int { return cmp.Compare(x.Pref, y.Pref) })
	return mxs, a.secure, nil
}

// LookupNetIP implements Resolver for network "ip4" or "ip6".
func (r *DNSResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, bool, error) {
	var qtype uint16
	switch network {
	case "ip4":
		qtype = dns.TypeA
	case "ip6":
		qtype = dns.TypeAAAA
	default:
		return nil, false, fmt.Errorf("dane: LookupNetIP: network %q, want \"ip4\" or \"ip6\"", network)
	}
	a, err := r.query(ctx, host, qtype)
	if err != nil {
		return nil, a.secure, err
	}
	var addrs []netip.Addr
	for _, rr := range a.rrs {
		var ip net.IP
		switch v := rr.(type) {
		case *dns.A:
			ip = v.A
		case *dns.AAAA:
			ip = v.AAAA
		}
		if addr, ok := netip.AddrFromSlice(ip); ok {
			addrs = append(addrs, addr.Unmap())
		}
	}
	return addrs, a.secure, nil
}

// LookupCNAME implements Resolver.
func (r *DNSResolver) LookupCNAME(ctx context.Context, name string) (string, bool, error) {
	a, err := r.query(ctx, name, dns.TypeCNAME)
	if err != nil {
		return "", a.secure, err
	}
	return strings.ToLower(a.rrs[0].(*dns.CNAME).Target), a.secure, nil
}

// LookupTLSA implements Resolver.
func (r *DNSResolver) LookupTLSA(ctx context.Context, name string) ([]Record, bool, error) {
	a, err := r.query(ctx, name, dns.TypeTLSA)
	if err != nil {
		return nil, a.secure, err
	}
	var recs []Record
	for _, rr := range a.rrs {
		t := rr.(*dns.TLSA)
		rec, err := ParseRecord(fmt.Sprintf("%d %d %d %s", t.Usage, t.Selector, t.MatchingType, t.Certificate))
		if err != nil {
			// Data that does not even parse (empty): keep it as an
			// unusable record, so that the RRset still counts.
			rec = Record{Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType}
		}
		recs = append(recs, rec)
	}
	return recs, a.secure, nil
}
