package mx

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// anyMX answers every MX query with the same records and every address
// query with one address, so fuzzing reaches the whole pipeline.
type anyMX struct {
	records []*net.MX
	err     error
}

func (a anyMX) LookupMX(context.Context, string) ([]*net.MX, error) {
	out := make([]*net.MX, len(a.records))
	for i, r := range a.records {
		c := *r
		out[i] = &c
	}
	return out, a.err
}

func (a anyMX) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	if strings.HasPrefix(host, "nx") {
		return nil, dnstest.NotFoundError(host)
	}
	if network == "ip6" {
		return []netip.Addr{netip.MustParseAddr("2001:db8::1")}, nil
	}
	return []netip.Addr{netip.MustParseAddr("192.0.2.1")}, nil
}

// parseRecords reads "pref target" lines.
func parseRecords(s string) []*net.MX {
	var out []*net.MX
	for _, line := range strings.Split(s, "\n") {
		pref, target, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		p, err := strconv.ParseUint(pref, 10, 16)
		if err != nil {
			continue
		}
		out = append(out, &net.MX{Pref: uint16(p), Host: target})
	}
	return out
}

func FuzzLookup(f *testing.F) {
	f.Add("example.org", "10 mx1.example.org.\n20 mx2.example.org.", "", false, uint8(0))
	f.Add("Bücher.example", "0 .", "", true, uint8(1))
	f.Add("例え。テスト", "0 .\n10 mx.example.", "mx.example", false, uint8(2))
	f.Add("_x.example.org.", "10 192.0.2.1.\n10 [::1]\n5 -bad.example.", "", true, uint8(3))
	f.Add("xn--bcher-kva.example", "10 a.example.\n10 b.example.\n10 A.EXAMPLE.", "b.example", true, uint8(4))
	f.Add("a..b", "", "", false, uint8(5))
	f.Add("nx.example", "", "", true, uint8(6))
	f.Add("example.org", "65535 z.example.\n0 nx.example.", "192.0.2.1", true, uint8(7))
	f.Add("example.org", "10 nx1.example.\n20 nx2.example.", "", true, uint8(0))
	f.Add("[192.0.2.1]", "10 mx.example.", "", true, uint8(0))
	f.Add("[IPv6:2001:db8::1]", "", "[IPv6:2001:db8::2]", false, uint8(2))
	f.Fuzz(func(t *testing.T, domain, records, self string, resolve bool, mode uint8) {
		res := anyMX{records: parseRecords(records)}
		switch mode % 4 {
		case 1:
			res.err = dnstest.NotFoundError(domain)
		case 2:
			res.err = dnstest.ServFailError(domain)
		case 3:
			res.err = &net.DNSError{Err: goMalformedRecords, Name: domain}
		}
		r := Router{Resolver: res, ResolveAddrs: resolve, Rand: rand.New(rand.NewPCG(uint64(mode), 1)), MaxHosts: 5}
		if self != "" {
			r.Self = strings.Split(self, ",")
		}
		rt, err := r.Route(context.Background(), domain)
		if err != nil {
			if len(rt.Hosts) != 0 {
				t.Fatalf("hosts %v with error %v", rt.Hosts, err)
			}
			known := []error{ErrInvalidDomain, ErrNullMX, ErrNoSuchDomain, ErrTemporary, ErrNoUsableMX, ErrSelfIsBest}
			for _, k := range known {
				if errors.Is(err, k) {
					return
				}
			}
			t.Fatalf("unexpected error kind: %v", err)
		}
		if len(rt.Hosts) == 0 || len(rt.Hosts) > 5 {
			t.Fatalf("%d hosts without error", len(rt.Hosts))
		}
		if isLiteral(domain) {
			h := rt.Hosts[0]
			if len(rt.Hosts) != 1 || !h.Literal || h.Name != rt.Domain || len(h.Addrs) != 1 || h.Err != nil {
				t.Fatalf("literal %q: %+v", domain, rt)
			}
			return
		}
		if resolve {
			usable := false
			for _, h := range rt.Hosts {
				usable = usable || len(h.Addrs) > 0 || h.Implicit
			}
			if !usable {
				t.Fatalf("no host has an address, and no error: %+v", rt.Hosts)
			}
		}
		if why := checkHostname(rt.Domain); why != "" {
			t.Fatalf("domain %q: %s", rt.Domain, why)
		}
		seen := map[string]bool{}
		for i, h := range rt.Hosts {
			if why := checkHostname(h.Name); why != "" {
				t.Fatalf("host %q: %s", h.Name, why)
			}
			if h.Name != strings.ToLower(h.Name) || seen[h.Name] {
				t.Fatalf("host %q not lower case or repeated", h.Name)
			}
			seen[h.Name] = true
			if i > 0 && h.Preference < rt.Hosts[i-1].Preference {
				t.Fatalf("out of order: %v", rt.Hosts)
			}
			if h.Implicit && (h.Name != rt.Domain || h.Preference != 0 || len(rt.Hosts) != 1) {
				t.Fatalf("bad implicit host %+v", h)
			}
			if resolve && len(h.Addrs) == 0 && h.Err == nil {
				t.Fatalf("host %q resolved to nothing without a reason", h.Name)
			}
			if !resolve && (h.Addrs != nil || h.Err != nil) {
				t.Fatalf("host %q resolved without ResolveAddrs", h.Name)
			}
		}
	})
}

func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"example.org", "EXAMPLE.ORG.", "bücher.example", "例え。テスト", "_dmarc.example", "xn--bcher-kva.example", "a..b", "-a.b", "[192.0.2.1]", "1.2.3.4", "ＥＸＡＭＰＬＥ．ｏｒｇ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := NormalizeDomain(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDomain) {
				t.Fatalf("error without ErrInvalidDomain: %v", err)
			}
			return
		}
		if why := checkHostname(name); why != "" {
			t.Fatalf("%q -> %q: %s", s, name, why)
		}
		again, err := NormalizeDomain(name)
		if err != nil || again != name {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, name, again, err)
		}
	})
}

func FuzzParseLiteral(f *testing.F) {
	for _, s := range []string{"[192.0.2.1]", "[IPv6:2001:db8::1]", "[ipv6:::ffff:1.2.3.4]", "[IPv6:1.2.3.4]",
		"[300.1.1.1]", "[192.0.2.5", "[tag:content]", "[010.0.0.1]", "[IPv6:fe80::1%eth0]", "[]", "["} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addr, name, err := parseLiteral(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDomain) {
				t.Fatalf("error without ErrInvalidDomain: %v", err)
			}
			return
		}
		if !addr.IsValid() || addr.Zone() != "" || addr.Is4In6() {
			t.Fatalf("%q: bad address %v", s, addr)
		}
		again, name2, err := parseLiteral(name)
		if err != nil || again != addr || name2 != name {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, name, name2, err)
		}
	})
}
