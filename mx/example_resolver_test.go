package mx_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"

	"github.com/mailsmith/mailsmith/mx"
)

// zone is an in-memory mx.Resolver: enough to try the package without a
// DNS server, and small enough to copy into your own tests.
//
// Keys are names as the package asks for them: absolute (with the trailing
// dot) and in lower-case A-labels. A map keyed "example.org" without the
// dot would never match, and every domain would look nonexistent.
type zone struct {
	mx    map[string][]*net.MX    // "example.org." -> its MX records
	addrs map[string][]netip.Addr // "mx1.example.org." -> its A and AAAA records
}

// notFound is the error *net.Resolver gives for NXDOMAIN and NODATA.
func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// LookupMX answers the MX records of name, or "not found". (Returning nil
// records with a nil error would say NODATA: the name exists, no MX.)
func (z zone) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	if recs, ok := z.mx[name]; ok {
		return recs, nil
	}
	return nil, notFound(name)
}

// LookupNetIP answers the A records of host when network is "ip4" and
// its AAAA records when network is "ip6", the two values mx uses.
func (z zone) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range z.addrs[host] {
		if a.Is4() == (network == "ip4") {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, notFound(host)
	}
	return out, nil
}

// exampleZone holds the records the examples look up.
var exampleZone = zone{
	mx: map[string][]*net.MX{
		"example.org.":               {{Host: "mx1.example.org.", Pref: 10}, {Host: "mx2.example.org.", Pref: 20}, {Host: "mx3.example.org.", Pref: 20}},
		"nomail.example.org.":        {{Host: ".", Pref: 0}}, // null MX (RFC 7505)
		"xn--bcher-kva.example.org.": {{Host: "mx1.example.org.", Pref: 10}},
		"dangling.example.org.":      {{Host: "gone.example.org.", Pref: 10}}, // a host without address
	},
	addrs: map[string][]netip.Addr{
		"mx1.example.org.":  {netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")},
		"mx2.example.org.":  {netip.MustParseAddr("192.0.2.2")},
		"mx3.example.org.":  {netip.MustParseAddr("192.0.2.3")},
		"nomx.example.org.": {netip.MustParseAddr("192.0.2.10")},
	},
}

func ExampleRouter_Lookup() {
	r := &mx.Router{
		Resolver:     exampleZone,                 // nil: net.DefaultResolver
		ResolveAddrs: true,                        // fill Host.Addrs
		Rand:         rand.New(rand.NewPCG(1, 2)), // reproducible shuffle
	}
	hosts, err := r.Lookup(context.Background(), "example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range hosts {
		fmt.Println(h.Preference, h.Name, h.Addrs)
	}
	// Output:
	// 10 mx1.example.org [192.0.2.1 2001:db8::1]
	// 20 mx3.example.org [192.0.2.3]
	// 20 mx2.example.org [192.0.2.2]
}
