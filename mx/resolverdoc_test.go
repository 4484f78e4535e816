package mx

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// TestResolverReceivesWhatItsDocSays: every lookup the Router makes gets
// what the Resolver doc promises (dnstest.Strict fails the test otherwise).
func TestResolverReceivesWhatItsDocSays(t *testing.T) {
	fake := &dnstest.Answers{
		MX: map[string][]*net.MX{"example.org.": mxs(10, "MX1.Example.org.", 20, "mx2.example.org")},
		IP: map[string][]netip.Addr{"ip4 mx1.example.org.": dnstest.Addrs("192.0.2.1"), "ip6 nomx.example.org.": dnstest.Addrs("2001:db8::1")},
	}
	r := Router{Resolver: dnstest.Strict{T: t, R: fake}, ResolveAddrs: true}
	for _, d := range []string{"Example.ORG", "example.org.", "nomx.example.org", "bücher.example"} {
		r.Lookup(context.Background(), d) //nolint:errcheck // only the calls matter
	}
	assert.NotEmpty(t, fake.Calls())
}

// The Resolver doc tells people who write their own resolver what the
// methods receive; the in-memory resolver shows in godoc next to the main
// example; the examples use only what a user can import.
func TestDocsForResolverWriters(t *testing.T) {
	dnstest.CheckResolverDocs(t, "mx.go", `"ip4"`, `"ip6"`, "trailing dot", "absolute")
}
