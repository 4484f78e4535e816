package dmarc

import (
	"context"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

var benchRecord = "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; fo=1:d; rua=mailto:dmarc@example.com,mailto:agg@reports.example.net!10m; ruf=mailto:forensic@example.com; pct=100"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchRecord); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecordString(b *testing.B) {
	r, err := Parse(benchRecord)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = r.String()
	}
}

// benchResolver answers from maps without allocating (a not-found
// answer costs one *net.DNSError, as from any resolver), so the
// benchmarks measure the Checker, not a DNS stand-in.
func benchResolver() *dnstest.Answers {
	return &dnstest.Answers{Quiet: true, TXT: map[string][]string{
		"_dmarc.example.com.":        {"v=spf1 -all", benchRecord},
		"_dmarc.sub.example.com.":    {"v=DMARC1; p=none"},
		"_dmarc.bank.example.":       {"v=DMARC1; p=reject; psd=y"},
		"_dmarc.giant.bank.example.": {"v=DMARC1; p=none"},
	}}
}

// BenchmarkLookup: the policy record of an Author Domain, of its
// Organizational Domain, and of a deep name (the tree walk).
func BenchmarkLookup(b *testing.B) {
	for _, bc := range []struct{ name, domain string }{
		{"author", "example.com"},
		{"org", "a.b.example.com"},
		{"deep", "a.b.c.d.e.f.g.h.i.j.k.example.com"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := &Checker{Resolver: benchResolver()}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if r, _, err := c.Lookup(ctx, bc.domain); err != nil || r == nil {
					b.Fatal(r, err)
				}
			}
		})
	}
}

// TestCheckAllocs bounds the allocations of a failing Check that walks
// the tree and tests the domain's existence for np (17 measured, 5 of
// them the resolver's not-found errors; it was 27 when every not-found
// answer cost an errors.As target and the text of a query name).
func TestCheckAllocs(t *testing.T) {
	c := &Checker{Resolver: benchResolver()}
	in := Input{FromDomain: "nope.example.com", DKIMDomains: []string{"esp.example.net"}}
	n := testing.AllocsPerRun(50, func() {
		if v, _ := c.Check(context.Background(), in); v.Result != Fail || v.Err == nil {
			t.Fatalf("Check: %v, %v; want fail with a reason", v.Result, v.Err)
		}
	})
	if n > 18 {
		t.Errorf("failing Check: %.0f allocations, want at most 18", n)
	}
}

func BenchmarkCheck(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   Input
		d    Discovery
	}{
		{"pass-identical", Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: true, DKIMDomains: []string{"example.com"}}, TreeWalk},
		{"pass-relaxed", Input{FromDomain: "example.com", SPFDomain: "bounce.example.com", SPFPass: true, DKIMDomains: []string{"esp.example.net"}}, TreeWalk},
		{"fail-subdomain-np", Input{FromDomain: "nope.example.com", DKIMDomains: []string{"esp.example.net"}}, TreeWalk},
		{"pass-relaxed-psl", Input{FromDomain: "example.com", SPFDomain: "bounce.example.com", SPFPass: true}, PSL},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := &Checker{Resolver: benchResolver(), Discovery: bc.d}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Check(ctx, bc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckOverTheWire runs the full path through Go's DNS client
// against the loopback server.
func BenchmarkCheckOverTheWire(b *testing.B) {
	_, c := serve(b, dmarcTXT("example.com", benchRecord))
	ctx := context.Background()
	in := Input{FromDomain: "example.com", SPFDomain: "bounce.example.com", SPFPass: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Check(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
