package dnstest

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// Memory is an in-memory resolver over zone data: the answers the Server
// would give, without sockets. It has the lookup methods of *net.Resolver
// that the suite's Resolver interfaces use (LookupTXT, LookupNetIP,
// LookupMX, LookupAddr), with the same results and the same errors as Go's
// resolver talking to the Server:
//
//   - NXDOMAIN and NODATA are a *net.DNSError with IsNotFound set ("no such
//     host"), as Go reports both;
//   - the faults are the Server's: ServFail is IsTemporary, Refused is
//     neither IsTemporary nor IsTimeout (as Go reports REFUSED), Drop is
//     IsTimeout and IsTemporary, NXDomain is IsNotFound, and Truncate
//     answers normally (there is no UDP to truncate);
//   - a context that has ended gives its error, as a *net.DNSError.
//
// Names must be absolute (with the trailing dot), as DESIGN.md wants every
// package to query them: a relative name is an error that says so, never
// "not found", so a package that forgets the dot fails loudly. Case does
// not matter. CNAMEs and wildcards are followed as the Server does.
//
// Memory also implements DomainExists, the optional interface through
// which a package can tell NXDOMAIN from NODATA (mx.ExistsResolver).
//
// A Memory is safe for concurrent use. Its query log and counts are the
// Server's (Queries, CountQueries), with "mem" as the network.
type Memory struct {
	s *Server
}

// NewMemory returns an in-memory resolver loaded with the given zones (RFC
// 1035 master-file text, as for New). It fails the test if a zone does not
// parse.
func NewMemory(t testing.TB, zones ...string) *Memory {
	t.Helper()
	m, err := LoadMemory(zones...)
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	return m
}

// LoadMemory returns an in-memory resolver loaded with the given zones, for
// code that has no testing.TB (fuzz bodies, helpers, programs).
func LoadMemory(zones ...string) (*Memory, error) {
	s, err := loaded(zones)
	if err != nil {
		return nil, err
	}
	return &Memory{s: s}, nil
}

// Memory returns an in-memory resolver that answers from this server's
// data and faults, now and after later changes, without sending packets.
func (s *Server) Memory() *Memory { return &Memory{s: s} }

// Data returns the Server that holds m's records, faults and query log,
// for its AddZone, Add, Remove, Fault, ClearFaults, Queries and
// CountQueries methods. For a Memory made by NewMemory it is not
// listening: its Resolver and Addr are not usable.
func (m *Memory) Data() *Server { return m.s }

// Fault makes lookups of name and qtype fail with f (see Server.Fault).
func (m *Memory) Fault(name string, qtype uint16, f Fault) { m.s.Fault(name, qtype, f) }

// ClearFaults removes every injected fault.
func (m *Memory) ClearFaults() { m.s.ClearFaults() }

// Add adds records, one per string with absolute names (see Server.Add).
func (m *Memory) Add(records ...string) error { return m.s.Add(records...) }

// CountQueries returns how many lookups asked for name and qtype (any type
// when qtype is dns.TypeNone).
func (m *Memory) CountQueries(name string, qtype uint16) int { return m.s.CountQueries(name, qtype) }

// errNotAbsolute is the Err of the *net.DNSError for a relative name.
const errNotAbsolute = "dnstest: name is not absolute (no trailing dot); query absolute names"

// query answers name and qtype from the data: the records of that type
// (after CNAMEs), or an error as Go's resolver would give it.
func (m *Memory) query(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	if err := ctx.Err(); err != nil {
		return nil, &net.DNSError{Err: err.Error(), Name: name, Server: "memory",
			IsTimeout: errors.Is(err, context.DeadlineExceeded), UnwrapErr: err}
	}
	if !strings.HasSuffix(name, ".") {
		return nil, &net.DNSError{Err: errNotAbsolute, Name: name, Server: "memory"}
	}
	key := canonical(name)
	s := m.s
	resp := new(dns.Msg)
	s.mu.Lock()
	s.logLocked(Query{Name: key, Type: qtype, Net: "mem"})
	fault := s.faultLocked(key, qtype)
	switch fault {
	case ServFail:
		s.mu.Unlock()
		return nil, &net.DNSError{Err: "server misbehaving", Name: name, Server: "memory", IsTemporary: true}
	case Refused:
		s.mu.Unlock()
		return nil, &net.DNSError{Err: "server misbehaving", Name: name, Server: "memory"}
	case Drop:
		s.mu.Unlock()
		return nil, &net.DNSError{Err: "i/o timeout", Name: name, Server: "memory", IsTimeout: true, IsTemporary: true}
	case NXDomain:
		resp.Rcode = dns.RcodeNameError
	default:
		s.answerLocked(resp, key, qtype)
	}
	s.mu.Unlock()
	if resp.Rcode == dns.RcodeNameError {
		return nil, notFound(name)
	}
	var out []dns.RR
	for _, rr := range resp.Answer {
		if rr.Header().Rrtype == qtype {
			out = append(out, rr)
		}
	}
	if len(out) == 0 {
		return nil, notFound(name) // NODATA, reported as Go does
	}
	return out, nil
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, Server: "memory", IsNotFound: true}
}

// LookupTXT returns the TXT records of name, each record's strings joined
// (as *net.Resolver does).
func (m *Memory) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := m.query(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		var b strings.Builder
		for _, part := range rr.(*dns.TXT).Txt {
			unescape(&b, part)
		}
		out = append(out, b.String())
	}
	return out, nil
}

// unescape writes the bytes of a character-string that miekg/dns keeps in
// presentation form ("\"", "\\", "\DDD") as they travel on the wire.
func unescape(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			b.WriteByte((s[i+1]-'0')*100 + (s[i+2]-'0')*10 + (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i+1])
		i++
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// LookupNetIP returns the A ("ip4"), AAAA ("ip6") or both ("ip", A first)
// records of host.
func (m *Memory) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	var types []uint16
	switch network {
	case "ip4":
		types = []uint16{dns.TypeA}
	case "ip6":
		types = []uint16{dns.TypeAAAA}
	case "ip":
		types = []uint16{dns.TypeA, dns.TypeAAAA}
	default:
		return nil, net.UnknownNetworkError(network)
	}
	var out []netip.Addr
	var firstErr error
	for _, t := range types {
		rrs, err := m.query(ctx, host, t)
		if err != nil {
			var de *net.DNSError
			if firstErr == nil || (errors.As(firstErr, &de) && de.IsNotFound) {
				firstErr = err
			}
			continue
		}
		for _, rr := range rrs {
			var ip net.IP
			switch rr := rr.(type) {
			case *dns.A:
				ip = rr.A
			case *dns.AAAA:
				ip = rr.AAAA
			}
			if a, ok := netip.AddrFromSlice(ip); ok {
				if t == dns.TypeA {
					a = a.Unmap()
				}
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		return nil, firstErr
	}
	return out, nil
}

// LookupMX returns the MX records of name sorted by preference (Go also
// shuffles equal preferences; Memory keeps the zone's order, so tests are
// repeatable).
func (m *Memory) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	rrs, err := m.query(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	out := make([]*net.MX, 0, len(rrs))
	for _, rr := range rrs {
		mx := rr.(*dns.MX)
		out = append(out, &net.MX{Host: mx.Mx, Pref: mx.Preference})
	}
	slices.SortStableFunc(out, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
	return out, nil
}

// LookupAddr returns the PTR names of addr, an address in text form (not
// the in-addr.arpa name), absolute, as *net.Resolver does.
func (m *Memory) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	rev, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	rrs, err := m.query(ctx, rev, dns.TypePTR)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, rr.(*dns.PTR).Ptr)
	}
	return out, nil
}

// DomainExists reports whether name exists: true when it has records or
// names below it (NODATA for other types), false for NXDOMAIN. Faults
// apply as for an MX query of name.
func (m *Memory) DomainExists(ctx context.Context, name string) (bool, error) {
	_, err := m.query(ctx, name, dns.TypeMX)
	if err == nil {
		return true, nil
	}
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		return false, err
	}
	key := canonical(name)
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	if m.s.faultLocked(key, dns.TypeMX) == NXDomain {
		return false, nil
	}
	_, exists := m.s.lookupLocked(key)
	return exists, nil
}
