package dmarc_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/netip"
	"strings"

	"github.com/mailsmith/mailsmith/dmarc"
)

// memResolver is an in-memory dmarc.Resolver, for tests and examples; copy
// it. Its maps are keyed by absolute names, with the trailing dot, because
// that is how the Checker asks: "_dmarc.example.com.", "example.com.". A
// name missing from a map answers NXDOMAIN (a *net.DNSError with
// IsNotFound set), which the Checker reads as "no record"; any other
// error would be a temporary failure (dmarc.TempError).
type memResolver struct {
	TXT  map[string][]string     // "_dmarc.example.com." -> TXT strings
	Addr map[string][]netip.Addr // "example.com." -> addresses (np test)
	MX   map[string][]*net.MX    // "example.com." -> MX records (np test)
}

func memNotFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (m *memResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := m.TXT[strings.ToLower(name)]; ok {
		return v, nil
	}
	return nil, memNotFound(name)
}

// LookupNetIP receives network "ip4" or "ip6" and answers with the
// addresses of that family.
func (m *memResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range m.Addr[strings.ToLower(host)] {
		if (network == "ip4" && a.Is4()) || (network == "ip6" && a.Is6()) || network == "ip" {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, memNotFound(host)
	}
	return out, nil
}

func (m *memResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	if v, ok := m.MX[strings.ToLower(name)]; ok {
		return v, nil
	}
	return nil, memNotFound(name)
}

// A Checker with an in-memory Resolver: no network needed. The np tag
// applies to a subdomain that has no A, AAAA or MX record.
func ExampleResolver() {
	r := &memResolver{
		TXT:  map[string][]string{"_dmarc.example.com.": {"v=DMARC1; p=quarantine; np=reject"}},
		Addr: map[string][]netip.Addr{"www.example.com.": {netip.MustParseAddr("192.0.2.80")}},
	}
	c := &dmarc.Checker{Resolver: r}
	for _, from := range []string{"example.com", "www.example.com", "nosuch.example.com"} {
		v, err := c.Check(context.Background(), dmarc.Input{FromDomain: from})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(v.AuthResult())
	}
	// Output:
	// dmarc=fail (p=quarantine dis=quarantine) header.from=example.com
	// dmarc=fail (p=quarantine dis=quarantine) header.from=www.example.com
	// dmarc=fail (p=reject dis=reject) header.from=nosuch.example.com
}
