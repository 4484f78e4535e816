package spf

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// fakeZone is an in-memory Resolver serving zone data the way the RFC 7208
// test suite's drivers do: names may hold any characters (spaces, '%'),
// TIMEOUT entries make queries for types not listed before them time out,
// CNAMEs are followed. It is not safe for concurrent writes.
type fakeZone struct {
	nodes   map[string]*fakeNode
	queries int
}

type fakeNode struct {
	txt      []string
	a, aaaa  []netip.Addr
	mx       []*net.MX
	ptr      []string
	cname    string
	timeout  map[string]bool // query type → times out
	servfail bool
}

// fakeRR is one entry of a name's list, in order.
type fakeRR struct {
	typ  string // TXT, A, AAAA, MX, PTR, CNAME, TIMEOUT, SERVFAIL
	text string // TXT value, PTR/CNAME/MX target, or address text
	pref uint16
}

var fakeTypes = []string{"TXT", "A", "AAAA", "MX", "PTR", "CNAME"}

func newFakeZone() *fakeZone { return &fakeZone{nodes: map[string]*fakeNode{}} }

func fakeKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// set replaces the data of name with rrs, interpreted in order.
func (z *fakeZone) set(name string, rrs ...fakeRR) error {
	n := &fakeNode{timeout: map[string]bool{}}
	seen := map[string]bool{}
	for _, rr := range rrs {
		switch rr.typ {
		case "TIMEOUT":
			for _, t := range fakeTypes {
				if !seen[t] {
					n.timeout[t] = true
				}
			}
			z.nodes[fakeKey(name)] = n
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
	z.nodes[fakeKey(name)] = n
	return nil
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// node finds the node answering qtype for name, following CNAMEs.
func (z *fakeZone) node(ctx context.Context, name, qtype string) (*fakeNode, error) {
	z.queries++
	key := fakeKey(name)
	for hops := 0; hops < 8; hops++ {
		n := z.nodes[key]
		if n == nil {
			return nil, notFound(name)
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
		key = fakeKey(n.cname)
	}
	return nil, &net.DNSError{Err: "CNAME loop", Name: name, IsTemporary: true}
}

func (z *fakeZone) LookupTXT(ctx context.Context, name string) ([]string, error) {
	n, err := z.node(ctx, name, "TXT")
	if err != nil {
		return nil, err
	}
	if len(n.txt) == 0 {
		return nil, notFound(name)
	}
	return n.txt, nil
}

func (z *fakeZone) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	qtype := "A"
	if network == "ip6" {
		qtype = "AAAA"
	}
	n, err := z.node(ctx, host, qtype)
	if err != nil {
		return nil, err
	}
	addrs := n.a
	if qtype == "AAAA" {
		addrs = n.aaaa
	}
	if len(addrs) == 0 {
		return nil, notFound(host)
	}
	return addrs, nil
}

func (z *fakeZone) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	n, err := z.node(ctx, name, "MX")
	if err != nil {
		return nil, err
	}
	if len(n.mx) == 0 {
		return nil, notFound(name)
	}
	return n.mx, nil
}

func (z *fakeZone) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	rev, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	n, err := z.node(ctx, rev, "PTR")
	if err != nil {
		return nil, err
	}
	if len(n.ptr) == 0 {
		return nil, notFound(rev)
	}
	return n.ptr, nil
}
