package ptr

import (
	"context"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// TestResolverReceivesWhatItsDocSays: every lookup Verify makes gets what
// the Resolver doc promises (dnstest.Strict fails the test otherwise): an
// address in text form for LookupAddr, absolute lower-case names and
// network "ip4" or "ip6" for LookupNetIP.
func TestResolverReceivesWhatItsDocSays(t *testing.T) {
	fake := &dnstest.Answers{
		PTR: map[string][]string{
			"192.0.2.1":   {"Mail.Example.ORG.", "other.example.org"},
			"2001:db8::1": {"mail.example.org."},
		},
		IP: map[string][]netip.Addr{"ip4 mail.example.org.": dnstest.Addrs("192.0.2.1"), "ip6 mail.example.org.": dnstest.Addrs("2001:db8::1")},
	}
	v := Verifier{Resolver: dnstest.Strict{T: t, R: fake}}
	for _, ip := range []string{"192.0.2.1", "::ffff:192.0.2.1", "2001:db8::1", "fe80::1%eth0"} {
		v.Verify(context.Background(), netip.MustParseAddr(ip)) //nolint:errcheck // only the calls matter
	}
	assert.NotEmpty(t, fake.Calls())
}

// The Resolver doc tells people who write their own resolver what the
// methods receive; the in-memory resolver shows in godoc next to the main
// example; the examples use only what a user can import.
func TestDocsForResolverWriters(t *testing.T) {
	dnstest.CheckResolverDocs(t, "ptr.go", `"ip4"`, `"ip6"`, "trailing dot", "absolute", "text form")
}
