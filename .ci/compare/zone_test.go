package compare

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// memZone is an in-memory DNS answering every library's resolver shape:
// mailsmith's (LookupTXT, LookupNetIP, LookupMX, LookupAddr), blitiri's
// (LookupIPAddr instead of LookupNetIP) and go-msgauth's LookupTXT func.
// Answers are shared slices, so the resolver itself allocates nothing on
// a hit and the benchmarks measure the libraries, not the fake. It is
// read-only once built, so safe for concurrent use.
type memZone struct {
	nodes map[string]*memNode
}

type memNode struct {
	txt      []string
	a, aaaa  []netip.Addr
	mx       []*net.MX
	ptr      []string
	cname    string
	timeout  map[string]bool // query type → times out
	servfail bool
}

// memRR is one entry of a name's data, in order.
type memRR struct {
	typ  string // TXT, A, AAAA, MX, PTR, CNAME, TIMEOUT, SERVFAIL
	text string
	pref uint16
}

var memTypes = []string{"TXT", "A", "AAAA", "MX", "PTR", "CNAME"}

func newMemZone() *memZone { return &memZone{nodes: map[string]*memNode{}} }

func memKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// set replaces the data of name. A TIMEOUT entry makes every query type
// not listed before it time out (the RFC 7208 suite's convention).
func (z *memZone) set(name string, rrs ...memRR) error {
	n := &memNode{timeout: map[string]bool{}}
	seen := map[string]bool{}
	for _, rr := range rrs {
		switch rr.typ {
		case "TIMEOUT":
			for _, t := range memTypes {
				if !seen[t] {
					n.timeout[t] = true
				}
			}
			z.nodes[memKey(name)] = n
			return nil
		case "SERVFAIL":
			n.servfail = true
		case "TXT":
			n.txt = append(n.txt, rr.text)
		case "A", "AAAA":
			a, err := netip.ParseAddr(rr.text)
			if err != nil {
				return fmt.Errorf("%s %s %q: %v", name, rr.typ, rr.text, err)
			}
			if rr.typ == "A" {
				n.a = append(n.a, a)
			} else {
				n.aaaa = append(n.aaaa, a)
			}
		case "MX":
			n.mx = append(n.mx, &net.MX{Host: rr.text, Pref: rr.pref})
		case "PTR":
			n.ptr = append(n.ptr, rr.text)
		case "CNAME":
			n.cname = rr.text
		default:
			return fmt.Errorf("%s: unknown type %q", name, rr.typ)
		}
		seen[rr.typ] = true
	}
	z.nodes[memKey(name)] = n
	return nil
}

// txt is a shorthand for names holding only TXT records.
func (z *memZone) txt(name string, values ...string) {
	rrs := make([]memRR, len(values))
	for i, v := range values {
		rrs[i] = memRR{typ: "TXT", text: v}
	}
	if err := z.set(name, rrs...); err != nil {
		panic(err)
	}
}

func memNotFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (z *memZone) node(name, qtype string) (*memNode, error) {
	key := memKey(name)
	for hops := 0; hops < 8; hops++ {
		n := z.nodes[key]
		if n == nil {
			return nil, memNotFound(name)
		}
		if n.timeout[qtype] {
			return nil, &net.DNSError{Err: "i/o timeout", Name: name, IsTimeout: true, IsTemporary: true}
		}
		if n.servfail {
			return nil, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
		}
		if n.cname == "" || qtype == "CNAME" {
			return n, nil
		}
		key = memKey(n.cname)
	}
	return nil, &net.DNSError{Err: "CNAME loop", Name: name, IsTemporary: true}
}

// records returns the records of one type at name (field picks them from
// the node): the node's error, or "not found" when there are none.
func records[T any](z *memZone, name, qtype string, field func(*memNode) []T) ([]T, error) {
	n, err := z.node(name, qtype)
	if err != nil {
		return nil, err
	}
	if rrs := field(n); len(rrs) > 0 {
		return rrs, nil
	}
	return nil, memNotFound(name)
}

func (z *memZone) LookupTXT(_ context.Context, name string) ([]string, error) {
	return records(z, name, "TXT", func(n *memNode) []string { return n.txt })
}

// lookupTXTFunc adapts the zone to go-msgauth's LookupTXT option.
func (z *memZone) lookupTXTFunc(name string) ([]string, error) {
	return z.LookupTXT(context.Background(), name)
}

func (z *memZone) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	var firstErr error
	for _, qtype := range []string{"A", "AAAA"} {
		if (network == "ip4" && qtype == "AAAA") || (network == "ip6" && qtype == "A") {
			continue
		}
		n, err := z.node(host, qtype)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if qtype == "A" {
			out = append(out, n.a...)
		} else {
			out = append(out, n.aaaa...)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, memNotFound(host)
}

// LookupIPAddr is the address lookup blitiri.com.ar/go/spf uses (both
// families at once, as *net.Resolver does).
func (z *memZone) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	addrs, err := z.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	out := make([]net.IPAddr, len(addrs))
	for i, a := range addrs {
		out[i] = net.IPAddr{IP: a.AsSlice()}
	}
	return out, nil
}

func (z *memZone) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return records(z, name, "MX", func(n *memNode) []*net.MX { return n.mx })
}

func (z *memZone) LookupAddr(_ context.Context, addr string) ([]string, error) {
	rev, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	return records(z, rev, "PTR", func(n *memNode) []string { return n.ptr })
}
