package dmarc_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mailsmith/mailsmith/dmarc"
)

func ExampleParse() {
	r, err := dmarc.Parse("v=DMARC1; p=Reject; sp=quarantine; rua=mailto:dmarc@example.com!10m; pct=50; foo=bar")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Policy, r.SubdomainPolicy, r.EffectiveDKIMAlignment(), r.EffectivePercent())
	fmt.Println(r.AggregateReportURIs[0].URI, r.AggregateReportURIs[0].MaxBytes())
	fmt.Println(r)
	// Output:
	// reject quarantine r 50
	// mailto:dmarc@example.com 10485760
	// v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.com!10m; pct=50; foo=bar
}

// Tag names are case-insensitive (RFC 5234 §2.3), so a record written in
// capitals is a reject policy.
func ExampleParse_caseInsensitive() {
	r, err := dmarc.Parse("V=DMARC1; P=reject; RUA=mailto:dmarc@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Policy, r.AggregateReportURIs[0].URI)
	_, err = dmarc.Parse("v=DMARC1; p=none; P=reject")
	fmt.Println(err)
	// Output:
	// reject mailto:dmarc@example.com
	// dmarc: duplicate tag: "p" appears more than once (tag names are case-insensitive)
}

func ExampleChecker_Check() {
	// memResolver is the in-memory Resolver of ExampleResolver; use
	// net.DefaultResolver (a nil Resolver) for the real DNS.
	r := &memResolver{TXT: map[string][]string{
		"_dmarc.example.com.": {"v=DMARC1; p=reject; adkim=s"},
	}}
	c := &dmarc.Checker{Resolver: r}
	ctx := context.Background()

	v, err := c.Check(ctx, dmarc.Input{FromDomain: "example.com", SPFDomain: "bounce.example.com", SPFPass: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.AuthResult(), "spf aligned:", v.SPFAligned)

	v, _ = c.Check(ctx, dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}})
	fmt.Println(v.AuthResult(), "dkim aligned:", v.DKIMAligned)
	// Output:
	// dmarc=pass (p=reject dis=none) header.from=example.com spf aligned: true
	// dmarc=fail (p=reject dis=reject) header.from=example.com dkim aligned: false
}

func ExampleChecker_Lookup() {
	// RFC 9989 Appendix B.4.3: a Public Suffix Domain (psd=y) and an
	// organization below it. memResolver is in ExampleResolver.
	r := &memResolver{TXT: map[string][]string{
		"_dmarc.bank.example.":       {"v=DMARC1; p=reject; psd=y"},
		"_dmarc.giant.bank.example.": {"v=DMARC1; p=quarantine"},
	}}
	c := &dmarc.Checker{Resolver: r}
	rec, domain, err := c.Lookup(context.Background(), "mail.giant.bank.example")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(domain, rec.Policy)
	org, _ := c.OrganizationalDomain(context.Background(), "mail.mega.bank.example")
	fmt.Println(org)
	// Output:
	// giant.bank.example quarantine
	// mega.bank.example
}

func ExampleOrganizationalDomain() {
	fmt.Println(dmarc.OrganizationalDomain("mail.Example.CO.UK."))
	// Output: example.co.uk
}

func ExampleChecker_VerifyExternalDestination() {
	// thirdparty.example.net agrees to receive example.com's reports.
	// memResolver is in ExampleResolver.
	r := &memResolver{TXT: map[string][]string{
		"example.com._report._dmarc.thirdparty.example.net.": {"v=DMARC1;"},
	}}
	c := &dmarc.Checker{Resolver: r}
	ok, err := c.VerifyExternalDestination(context.Background(), "example.com", "thirdparty.example.net")
	fmt.Println(ok, err)
	ok, err = c.VerifyExternalDestination(context.Background(), "example.org", "thirdparty.example.net")
	fmt.Println(ok, err)
	// Output:
	// true <nil>
	// false <nil>
}
