package mx

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

func BenchmarkLookup(b *testing.B) {
	fake := &dnstest.Answers{
		Quiet: true,
		MX:    map[string][]*net.MX{"example.org.": mxs(20, "mx2.example.org.", 10, "mx1.example.org.", 20, "mx3.example.org.", 30, "backup.example.net.")},
		IP: map[string][]netip.Addr{
			"ip4 mx1.example.org.":    dnstest.Addrs("192.0.2.1"),
			"ip6 mx1.example.org.":    dnstest.Addrs("2001:db8::1"),
			"ip4 mx2.example.org.":    dnstest.Addrs("192.0.2.2"),
			"ip4 mx3.example.org.":    dnstest.Addrs("192.0.2.3"),
			"ip4 backup.example.net.": dnstest.Addrs("198.51.100.1"),
		},
	}
	for _, bc := range []struct {
		name   string
		router Router
		domain string
	}{
		{"mx", Router{Resolver: fake, Rand: rand.New(rand.NewPCG(1, 2))}, "example.org"},
		{"mx-resolve", Router{Resolver: fake, ResolveAddrs: true, Rand: rand.New(rand.NewPCG(1, 2))}, "example.org"},
		{"literal", Router{Resolver: fake, ResolveAddrs: true}, "[IPv6:2001:db8::25]"},
		{"idn", Router{Resolver: &dnstest.Answers{Quiet: true, MX: map[string][]*net.MX{"xn--bcher-kva.example.": mxs(10, "mx.example.")}}}, "bücher.example"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				hosts, err := bc.router.Lookup(ctx, bc.domain)
				if err != nil || len(hosts) == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}
