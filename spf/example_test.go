package spf_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/mailsmith/mailsmith/spf"
)

func ExampleParse() {
	r, err := spf.Parse("v=spf1 +a:mail.example.org/24 mx ip4:192.0.2.0/24 include:_spf.example.net -all")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range r.Terms {
		fmt.Printf("%-8s %-22s %s\n", t.Kind, t.Text(), t.Qualifier.Result())
	}
	fmt.Println(r)
	// Output:
	// a        +a:mail.example.org/24 pass
	// mx       mx                     pass
	// ip4      ip4:192.0.2.0/24       pass
	// include  include:_spf.example.net pass
	// all      -all                   fail
	// v=spf1 +a:mail.example.org/24 mx ip4:192.0.2.0/24 include:_spf.example.net -all
}

func ExampleParse_error() {
	_, err := spf.Parse("v=spf1 ip4:192.0.2.0/33 -all")
	fmt.Println(err)
	// Output:
	// spf: invalid term "ip4:192.0.2.0/33": invalid prefix length
}

// records is a tiny in-memory resolver for the examples; real code uses a
// *net.Resolver (the default) or a caching resolver.
type records map[string][]string

func (r records) LookupTXT(_ context.Context, name string) ([]string, error) {
	if txt, ok := r[name]; ok {
		return txt, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (r records) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (r records) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (r records) LookupAddr(_ context.Context, addr string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}
}

func ExampleChecker_Check() {
	c := &spf.Checker{Resolver: records{
		"example.org.":      {"v=spf1 include:_spf.example.org -all exp=why.example.org"},
		"_spf.example.org.": {"v=spf1 ip4:192.0.2.0/24 ~all"},
		"why.example.org.":  {"%{i} is not a mail server of %{d}"},
	}}
	ctx := context.Background()
	for _, ip := range []string{"192.0.2.10", "198.51.100.1"} {
		v, err := c.Check(ctx, netip.MustParseAddr(ip), "mail.example.org", "alice@example.org")
		fmt.Println(v.Result, v.Mechanism, v.Lookups, err)
		fmt.Println(v.AuthResult())
		if v.Explanation != "" {
			fmt.Println(v.Explanation)
		}
	}
	// Output:
	// pass include:_spf.example.org 1 <nil>
	// spf=pass smtp.mailfrom=example.org
	// fail -all 1 <nil>
	// spf=fail smtp.mailfrom=example.org
	// 198.51.100.1 is not a mail server of example.org
}

func ExampleVerdict_ReceivedSPF() {
	c := &spf.Checker{Resolver: records{"example.org.": {"v=spf1 ip4:192.0.2.0/24 -all"}}}
	v, _ := c.Check(context.Background(), netip.MustParseAddr("192.0.2.10"), "mail.example.org", "alice@example.org")
	// The field ends lines in CRLF, as a message header must.
	fmt.Print(strings.ReplaceAll(v.ReceivedSPF("mx.example.net"), "\r\n", "\n"))
	// Output:
	// Received-SPF: pass (mx.example.net: domain of alice@example.org designates 192.0.2.10 as permitted sender)
	// 	client-ip=192.0.2.10; envelope-from="alice@example.org";
	// 	helo=mail.example.org; receiver=mx.example.net; identity=mailfrom;
	// 	mechanism="ip4:192.0.2.0/24";
}

func ExampleChecker_CheckHELO() {
	c := &spf.Checker{Resolver: records{"mail.example.org.": {"v=spf1 -all"}}}
	v, err := c.CheckHELO(context.Background(), netip.MustParseAddr("192.0.2.10"), "mail.example.org")
	fmt.Println(v.Result, v.Sender, err)
	fmt.Println(v.AuthResult())
	// Output:
	// fail postmaster@mail.example.org <nil>
	// spf=fail smtp.helo=mail.example.org
}

func ExampleChecker_Lookup() {
	c := &spf.Checker{Resolver: records{
		"example.org.": {"google-site-verification=abc", "v=spf1 mx include:_spf.example.net -all"},
		"example.net.": {"v=spf1 -all", "v=spf1 +all"},
	}}
	ctx := context.Background()
	rec, text, err := c.Lookup(ctx, "example.org")
	fmt.Println(len(rec.Terms), "terms:", text, err)
	rec, _, err = c.Lookup(ctx, "example.com")
	fmt.Println(rec == nil, err) // none
	_, _, err = c.Lookup(ctx, "example.net")
	fmt.Println(errors.Is(err, spf.ErrMultipleRecords))
	// Output:
	// 3 terms: v=spf1 mx include:_spf.example.net -all <nil>
	// true <nil>
	// true
}

func ExampleVerdict_IdentityDomain() {
	c := &spf.Checker{Resolver: records{"mail.example.org.": {"v=spf1 a -all"}}}
	// A null reverse-path: the identity is postmaster@<HELO>.
	v, _ := c.Check(context.Background(), netip.MustParseAddr("192.0.2.10"), "mail.example.org", "<>")
	fmt.Println(v.Identity, v.IdentityDomain(), v)
	// Output:
	// mailfrom mail.example.org spf=fail smtp.mailfrom=mail.example.org
}
