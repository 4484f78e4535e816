package ptr_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"

	"github.com/mailsmith/mailsmith/ptr"
)

// zone is an in-memory ptr.Resolver: enough to try the package without a
// DNS server, and small enough to copy into your own tests.
//
// LookupAddr gets the address in text form ("192.0.2.1"), not the
// in-addr.arpa name, and answers names with the trailing dot, as
// *net.Resolver does. LookupNetIP gets names absolute (with the trailing
// dot) and in lower case: a map keyed "mail.example.org" without the dot
// would never match, and no address would be confirmed.
type zone struct {
	ptr   map[string][]string     // "192.0.2.1" -> its PTR names
	addrs map[string][]netip.Addr // "mail.example.org." -> its A and AAAA records
}

// notFound is the error *net.Resolver gives for NXDOMAIN and NODATA.
func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (z zone) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if names, ok := z.ptr[addr]; ok {
		return names, nil
	}
	return nil, notFound(addr)
}

// LookupNetIP answers the A records of host when network is "ip4" and
// its AAAA records when network is "ip6", the two values ptr uses.
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
	ptr: map[string][]string{
		"192.0.2.1":   {"mail.example.org."},
		"192.0.2.2":   {"other.example.org."}, // other.example.org has another address
		"2001:db8::1": {"mail.example.org."},
	},
	addrs: map[string][]netip.Addr{
		"mail.example.org.":  {netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")},
		"other.example.org.": {netip.MustParseAddr("192.0.2.99")},
	},
}

func ExampleVerifier_Verify() {
	v := &ptr.Verifier{Resolver: exampleZone} // nil Resolver: net.DefaultResolver
	for _, ip := range []string{"192.0.2.1", "2001:db8::1", "192.0.2.2", "192.0.2.3"} {
		vd, err := v.Verify(context.Background(), netip.MustParseAddr(ip))
		fmt.Println(vd.AuthResult(), vd.Names, err != nil)
	}
	// Output:
	// iprev=pass policy.iprev=192.0.2.1 [mail.example.org] false
	// iprev=pass policy.iprev="2001:db8::1" [mail.example.org] false
	// iprev=fail policy.iprev=192.0.2.2 [] false
	// iprev=permerror policy.iprev=192.0.2.3 [] true
}
