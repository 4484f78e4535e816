package spf

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

const typicalRecord = "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip6:2001:db8::/32 a mx include:_spf.example.net ~all"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(typicalRecord); err != nil {
			b.Fatal(err)
		}
	}
}

// benchZone is example.org → include:_spf.example.org → include:
// _netblocks.example.org, whose ip4 list holds the client. It answers from
// maps without allocating, so the benchmarks measure the Checker alone.
func benchZone() *dnstest.Answers {
	return &dnstest.Answers{Quiet: true, TXT: map[string][]string{
		"example.org.":            {"v=spf1 include:_spf.example.org -all"},
		"_spf.example.org.":       {"v=spf1 ip4:198.51.100.0/24 include:_netblocks.example.org ~all"},
		"_netblocks.example.org.": {"v=spf1 ip4:203.0.113.0/26 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all"},
	}}
}

func benchCheck(b *testing.B, ip string, want Result) {
	c := &Checker{Resolver: benchZone()}
	addr := netip.MustParseAddr(ip)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		v, _ := c.Check(ctx, addr, "mail.example.org", "user@example.org")
		if v.Result != want {
			b.Fatalf("result %s, want %s", v.Result, want)
		}
	}
}

// TestCheckAllocs holds the budget of issue 17: a whole Check answered
// from memory makes at most 16 allocations (benchZone's resolver makes
// none of its own).
func TestCheckAllocs(t *testing.T) {
	c := &Checker{Resolver: benchZone()}
	for _, ip := range []string{"192.0.2.10", "192.0.3.10", "2001:db8::1"} {
		addr := netip.MustParseAddr(ip)
		n := testing.AllocsPerRun(50, func() {
			c.Check(context.Background(), addr, "mail.example.org", "user@example.org") //nolint:errcheck // only the count matters
		})
		if n > 16 {
			t.Errorf("Check from %s: %.0f allocations, budget 16", ip, n)
		}
	}
}

// BenchmarkCheckPassNestedInclude: a pass decided two includes deep.
func BenchmarkCheckPassNestedInclude(b *testing.B) { benchCheck(b, "192.0.2.10", Pass) }

// BenchmarkCheckFail: every term evaluated, then -all.
func BenchmarkCheckFail(b *testing.B) { benchCheck(b, "192.0.3.10", Fail) }

// BenchmarkEvalDeadline compares the two ways one evaluation can carry the
// Checker's Timeout to its lookups, used as Check uses them (three lookups,
// one reading of the clock): context.WithTimeout, whose timer is started
// and stopped on every call, and evalContext (context.go), which starts no
// timer unless a resolver asks for Done.
func BenchmarkEvalDeadline(b *testing.B) {
	parent := context.Background()
	b.Run("impl=WithTimeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithTimeout(parent, DefaultTimeout)
			for range 3 {
				_ = ctx.Err()
			}
			cancel()
		}
	})
	b.Run("impl=evalContext", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ec := newEvalContext(parent, time.Now().Add(DefaultTimeout))
			for range 3 {
				_ = ec.Err()
			}
			_ = ec.expired(time.Now())
			ec.release()
		}
	})
}
