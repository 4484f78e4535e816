package dmarc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"strings"
	"time"

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

// A report over one of the parser's limits fails early, with the limit
// named.
func ExampleReportParser() {
	p := &dmarc.ReportParser{MaxRecords: 2}
	_, err := p.Parse(strings.NewReader("<feedback><record/><record/><record/></feedback>"))
	var le *dmarc.ReportLimitError
	if errors.As(err, &le) {
		fmt.Println(le.Limit, le.Max)
	}
	fmt.Println(err)
	// Output:
	// MaxRecords 2
	// dmarc: report exceeds size limit: MaxRecords (2) exceeded in the report
}

func ExampleReportBuilder() {
	rec, _ := dmarc.Parse("v=DMARC1; p=none; rua=mailto:dmarc@example.com")
	b := &dmarc.ReportBuilder{
		OrgName:  "receiver.example",
		Email:    "dmarc-noreply@receiver.example",
		ReportID: "20261201.1",
		Begin:    time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		End:      time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC),
	}
	b.SetPolicy("example.com", rec, dmarc.TreeWalk)
	for range 3 {
		b.Add(dmarc.ReportMessage{
			SourceIP: netip.MustParseAddr("192.0.2.1"), HeaderFrom: "example.com",
			Disposition: "none", DKIMAligned: true,
			DKIM: []dmarc.DKIMAuthResult{{Domain: "example.com", Selector: "s1", Result: "pass"}},
			SPF:  &dmarc.SPFAuthResult{Domain: "example.com", Scope: "mfrom", Result: "softfail"},
		})
	}
	f, err := b.Feedback()
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.WriteGzip(&buf); err != nil {
		log.Fatal(err)
	}
	back, err := dmarc.ParseReport(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(back.Records), back.MessageCount(), back.XMLName.Space)
	fmt.Println(dmarc.ReportFilename("receiver.example", "example.com", b.Begin, b.End, "", true))
	// Output:
	// 1 3 urn:ietf:params:xml:ns:dmarc-2.0
	// receiver.example!example.com!1795996800!1796083199.xml.gz
}
