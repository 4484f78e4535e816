package compare

import (
	"context"
	"net"
	"net/netip"
	"testing"

	blitirispf "blitiri.com.ar/go/spf"
	"github.com/mailsmith/mailsmith/spf"
)

// spfBenchZone is the SPF benchmark's DNS: a policy that passes through
// one nested include.
func spfBenchZone() *memZone {
	z := newMemZone()
	z.txt("example.org", "v=spf1 include:_spf.example.net -all")
	z.txt("_spf.example.net", "v=spf1 ip4:192.0.2.0/24 -all")
	return z
}

var spfCases = []struct {
	name string
	ip   string
	want string
}{
	{"pass-include", "192.0.2.10", "pass"},
	{"fail", "198.51.100.7", "fail"},
}

// BenchmarkSPF is one whole check_host() of alice@example.org with an
// in-memory resolver, for each library.
func BenchmarkSPF(b *testing.B) {
	z := spfBenchZone()
	ctx := context.Background()
	for _, tc := range spfCases {
		addr := netip.MustParseAddr(tc.ip)
		b.Run(tc.name+"/lib=mailsmith", func(b *testing.B) {
			c := &spf.Checker{Resolver: z}
			v, _ := c.Check(ctx, addr, "mail.example.org", "alice@example.org")
			if string(v.Result) != tc.want {
				b.Fatalf("mailsmith: %s, want %s", v.Result, tc.want)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				c.Check(ctx, addr, "mail.example.org", "alice@example.org")
			}
		})
		b.Run(tc.name+"/lib=blitiri", func(b *testing.B) {
			ip := net.IP(addr.AsSlice())
			opts := []blitirispf.Option{blitirispf.WithResolver(z), blitirispf.WithContext(ctx)}
			r, _ := blitirispf.CheckHostWithSender(ip, "mail.example.org", "alice@example.org", opts...)
			if string(r) != tc.want {
				b.Fatalf("blitiri: %s, want %s", r, tc.want)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				blitirispf.CheckHostWithSender(ip, "mail.example.org", "alice@example.org", opts...)
			}
		})
	}
}

// BenchmarkSPFParse parses a typical record. blitiri has no separate
// parser in its API (records are parsed during evaluation), so only
// mailsmith is measured here.
func BenchmarkSPFParse(b *testing.B) {
	rec := "v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net exists:%{i}._spf.%{d} ~all"
	benchParse(b, rec, parser{"mailsmith", func(s string) error { _, err := spf.Parse(s); return err }})
}
