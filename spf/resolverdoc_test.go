package spf

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// keptNames passes every lookup on to the resolver it wraps and keeps the
// TXT and address-lookup names it was given, with a copy made on arrival:
// a resolver may keep the strings it receives (as cache keys), so they
// must never change afterwards.
type keptNames struct {
	dnstest.Lookups
	kept *[][2]string
}

func (k keptNames) keep(name string) { *k.kept = append(*k.kept, [2]string{name, strings.Clone(name)}) }

func (k keptNames) LookupTXT(ctx context.Context, name string) ([]string, error) {
	k.keep(name)
	return k.Lookups.LookupTXT(ctx, name)
}

func (k keptNames) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	k.keep(host)
	return k.Lookups.LookupNetIP(ctx, network, host)
}

// TestResolverReceivesWhatItsDocSays: every lookup a Check makes gets what
// the Resolver doc promises (dnstest.Strict fails the test otherwise), and
// no name changes after the call.
func TestResolverReceivesWhatItsDocSays(t *testing.T) {
	z := newFakeZone()
	require.NoError(t, z.set("example.org", fakeRR{typ: "TXT", text: "v=spf1 a mx exists:%{i}.X.Example.org ptr include:Other.example -all"}, fakeRR{typ: "MX", text: "MX.example.org.", pref: 10}))
	require.NoError(t, z.set("other.example", fakeRR{typ: "TXT", text: "v=spf1 a:Mail.Other.example -all"}))
	var kept [][2]string
	c := &Checker{Resolver: dnstest.Strict{T: t, R: keptNames{Lookups: z, kept: &kept}}}
	for _, ip := range []string{"192.0.2.1", "::ffff:192.0.2.1", "2001:db8::1"} {
		c.Check(context.Background(), netip.MustParseAddr(ip), "HELO.example.org", "user@Example.ORG") //nolint:errcheck // only the calls matter
	}
	for _, q := range []struct {
		name  string
		qtype uint16
	}{
		{"example.org.", dnstest.TypeTXT}, {"example.org.", dnstest.TypeMX},
		{"example.org.", dnstest.TypeA}, {"1.2.0.192.in-addr.arpa.", dnstest.TypePTR},
	} {
		assert.Positive(t, z.CountQueries(q.name, q.qtype), "%s %d never asked: the check above no longer covers that lookup", q.name, q.qtype)
	}
	require.NotEmpty(t, kept)
	for _, k := range kept {
		assert.Equal(t, k[1], k[0], "a name given to the resolver changed after the call")
	}
}

// The Resolver doc tells people who write their own resolver what the
// methods receive; the examples use only what a user can import.
func TestDocsForResolverWriters(t *testing.T) {
	dnstest.CheckResolverDocs(t, "checker.go", `"ip4"`, `"ip6"`, "trailing dot", "absolute", "text form")
}
