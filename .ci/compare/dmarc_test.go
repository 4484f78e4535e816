package compare

import (
	"context"
	"testing"

	msgauthdmarc "github.com/emersion/go-msgauth/dmarc"
	"github.com/mailsmith/mailsmith/dmarc"
)

// dmarcRecord is valid under RFC 7489 and RFC 9989 alike.
const dmarcRecord = "v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=r; fo=1; " +
	"rua=mailto:dmarc-reports@example.org; ruf=mailto:dmarc-failures@example.org"

func dmarcZone() *memZone {
	z := newMemZone()
	z.txt("_dmarc.example.org", dmarcRecord)
	if err := z.set("example.org", memRR{typ: "A", text: "192.0.2.1"}); err != nil {
		panic(err)
	}
	return z
}

// BenchmarkDMARCParse parses the same policy record with each library.
func BenchmarkDMARCParse(b *testing.B) {
	benchParse(b, dmarcRecord,
		parser{"mailsmith", func(s string) error { _, err := dmarc.Parse(s); return err }},
		parser{"mailsmith-rfc7489", func(s string) error { _, err := dmarc.ParseRFC7489(s); return err }},
		parser{"go-msgauth", func(s string) error { _, err := msgauthdmarc.Parse(s); return err }})
}

// BenchmarkDMARCLookup fetches and parses the record of example.org
// (found at _dmarc.example.org, no tree walk needed) from memory.
func BenchmarkDMARCLookup(b *testing.B) {
	z := dmarcZone()
	ctx := context.Background()
	b.Run("lib=mailsmith", func(b *testing.B) {
		c := &dmarc.Checker{Resolver: z}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.Lookup(ctx, "example.org"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lib=go-msgauth", func(b *testing.B) {
		opts := &msgauthdmarc.LookupOptions{LookupTXT: z.lookupTXTFunc}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := msgauthdmarc.LookupWithOptions("example.org", opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDMARCCheck is a whole evaluation (discovery by DNS tree walk
// from a subdomain author, alignment, disposition). go-msgauth has no
// evaluation, so only mailsmith is measured.
func BenchmarkDMARCCheck(b *testing.B) {
	z := dmarcZone()
	ctx := context.Background()
	cases := []struct {
		name string
		in   dmarc.Input
		want dmarc.Result
	}{
		{"pass", dmarc.Input{FromDomain: "example.org", SPFDomain: "example.org", SPFPass: true, DKIMDomains: []string{"example.org"}}, dmarc.Pass},
		{"fail-subdomain", dmarc.Input{FromDomain: "news.example.org", SPFDomain: "bounce.example.net", SPFPass: true}, dmarc.Fail},
	}
	for _, tc := range cases {
		b.Run(tc.name+"/lib=mailsmith", func(b *testing.B) {
			c := &dmarc.Checker{Resolver: z}
			v, err := c.Check(ctx, tc.in)
			if err != nil || v.Result != tc.want {
				b.Fatalf("%+v %v, want %s", v, err, tc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				c.Check(ctx, tc.in)
			}
		})
	}
}
