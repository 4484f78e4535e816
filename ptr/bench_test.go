package ptr

import (
	"context"
	"net/netip"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

func BenchmarkReverseName(b *testing.B) {
	for _, ip := range []string{"192.0.2.1", "2001:db8::1"} {
		addr := netip.MustParseAddr(ip)
		b.Run(ip, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ReverseName(addr) == "" {
					b.Fatal("empty")
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	fake := &dnstest.Answers{
		Quiet: true,
		PTR: map[string][]string{
			"192.0.2.1":   {"mail.example.org."},
			"2001:db8::1": {"a.example.org.", "mail6.example.org."},
		},
		IP: map[string][]netip.Addr{
			"ip4 mail.example.org.":  dnstest.Addrs("192.0.2.1"),
			"ip6 a.example.org.":     dnstest.Addrs("2001:db8::99"),
			"ip6 mail6.example.org.": dnstest.Addrs("2001:db8::1"),
		},
	}
	for _, ip := range []string{"192.0.2.1", "2001:db8::1"} {
		addr := netip.MustParseAddr(ip)
		b.Run(ip, func(b *testing.B) {
			v := Verifier{Resolver: fake}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				vd, _ := v.Verify(ctx, addr)
				if vd.Result != Pass {
					b.Fatal(vd.Result)
				}
			}
		})
	}
}
