package mx

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// ExistsResolver is an optional interface of a Resolver: one that can also
// say whether a name exists. Lookup looks for it with a type assertion,
// and uses it only in one place: when a domain has no MX records and no A
// or AAAA records either, to tell a domain that does not exist (NXDOMAIN:
// ErrNoSuchDomain) from one that exists without those records (NODATA:
// the implicit MX of RFC 5321 §5.1, whose Host then has no addresses).
//
// DomainExists gets the name absolute, in lower-case A-labels
// ("example.org."). It returns true when the name exists (the answer's
// RCODE is NOERROR, with or without records of any type) and false for
// NXDOMAIN. An error means it could not tell; Lookup then decides as it
// would without the method.
//
// NetResolver gives a *net.Resolver this method.
type ExistsResolver interface {
	DomainExists(ctx context.Context, name string) (bool, error)
}

// NetResolver is a *net.Resolver that also implements ExistsResolver: it
// sends an MX query itself and reads the RCODE, which *net.Resolver does
// not show (it reports NXDOMAIN and NODATA alike). The query goes to
// Servers, or else to the name servers of /etc/resolv.conf (at most three;
// 127.0.0.1:53 and [::1]:53 when it lists none), over UDP and, when the
// answer is truncated, TCP, dialed through the Resolver's Dial when it has
// one, so a Resolver pointed at a local cache sends this query there too.
//
//	r := mx.Router{Resolver: &mx.NetResolver{Resolver: net.DefaultResolver}}
type NetResolver struct {
	// Resolver answers the lookups; nil means net.DefaultResolver.
	*net.Resolver
	// Servers are the name servers ("host:port") DomainExists asks, in
	// order; nil means those of /etc/resolv.conf.
	Servers []string
}

func (r *NetResolver) net() *net.Resolver {
	if r.Resolver == nil {
		return net.DefaultResolver
	}
	return r.Resolver
}

// LookupMX is the Resolver's LookupMX.
func (r *NetResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return r.net().LookupMX(ctx, name)
}

// LookupNetIP is the Resolver's LookupNetIP.
func (r *NetResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return r.net().LookupNetIP(ctx, network, host)
}

const (
	resolvConf       = "/etc/resolv.conf"
	probeTimeout     = 3 * time.Second // per attempt, within the ctx deadline
	probeUDPSize     = 1232            // EDNS0 buffer size (DNS flag day 2020)
	maxProbeServers  = 3               // like resolv.conf's MAXNS
	defaultProbePort = "53"
)

// DomainExists implements ExistsResolver: true for NOERROR, false for
// NXDOMAIN, from the first server that gives either; an error (a
// *net.DNSError with IsTemporary set) when none does.
func (r *NetResolver) DomainExists(ctx context.Context, name string) (bool, error) {
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), dns.TypeMX)
	q.RecursionDesired = true
	q.SetEdns0(probeUDPSize, false)

	servers := r.Servers
	if len(servers) == 0 {
		servers = probeServers()
	}
	why := "no server answered"
	for _, server := range servers {
		if err := ctx.Err(); err != nil {
			why = err.Error()
			break
		}
		resp, err := exchange(ctx, r.net(), server, q)
		if err != nil {
			why = err.Error()
			continue
		}
		switch resp.Rcode {
		case dns.RcodeNameError:
			return false, nil
		case dns.RcodeSuccess:
			return true, nil
		}
		why = "RCODE " + dns.RcodeToString[resp.Rcode]
	}
	return false, &net.DNSError{Err: why, Name: name, IsTemporary: true}
}

// domainExists asks the Resolver whether domain exists, when it can tell
// (ExistsResolver). decided is false when it cannot, or could not.
func (r *Router) domainExists(ctx context.Context, domain string) (exists, decided bool) {
	er, ok := r.resolver().(ExistsResolver)
	if !ok {
		return false, false
	}
	exists, err := er.DomainExists(ctx, domain+".")
	return exists, err == nil
}

// probeServers returns the name servers from resolv.conf, or the local
// defaults Go's resolver uses when there is none.
func probeServers() []string {
	var servers []string
	if conf, err := dns.ClientConfigFromFile(resolvConf); err == nil {
		port := conf.Port
		if port == "" {
			port = defaultProbePort
		}
		for _, s := range conf.Servers {
			servers = append(servers, net.JoinHostPort(s, port))
		}
	}
	if len(servers) == 0 {
		servers = []string{"127.0.0.1:53", "[::1]:53"}
	}
	if len(servers) > maxProbeServers {
		servers = servers[:maxProbeServers]
	}
	return servers
}

// exchange sends q to server over UDP, and over TCP when the answer comes
// back truncated, dialing through the resolver's Dial when it is set.
func exchange(ctx context.Context, nr *net.Resolver, server string, q *dns.Msg) (*dns.Msg, error) {
	resp, err := exchangeOver(ctx, nr, "udp", server, q)
	if err == nil && resp.Truncated {
		resp, err = exchangeOver(ctx, nr, "tcp", server, q)
	}
	return resp, err
}

func exchangeOver(ctx context.Context, nr *net.Resolver, network, server string, q *dns.Msg) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	if nr.Dial != nil {
		conn, err = nr.Dial(ctx, network, server)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, network, server)
	}
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline) //nolint:errcheck // a failed read reports it
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) }) //nolint:errcheck
	defer stop()

	co := &dns.Conn{Conn: conn, UDPSize: probeUDPSize}
	q = q.Copy()
	q.Id = dns.Id()
	if err := co.WriteMsg(q); err != nil {
		return nil, err
	}
	for {
		resp, err := co.ReadMsg()
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, err
		}
		if resp.Id != q.Id || len(resp.Question) != 1 ||
			!strings.EqualFold(resp.Question[0].Name, q.Question[0].Name) ||
			resp.Question[0].Qtype != q.Question[0].Qtype {
			if network == "udp" {
				continue // a stray datagram: keep waiting for ours
			}
			return nil, errors.New("answer does not match the question")
		}
		return resp, nil
	}
}
