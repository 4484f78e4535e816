package dmarc

import (
	"context"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// recorder passes every lookup on and records the names of TXT and
// address lookups and the networks of the latter.
type recorder struct {
	dnstest.Lookups
	names, networks *[]string
}

func (r recorder) LookupTXT(ctx context.Context, name string) ([]string, error) {
	*r.names = append(*r.names, name)
	return r.Lookups.LookupTXT(ctx, name)
}

func (r recorder) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	*r.names = append(*r.names, host)
	*r.networks = append(*r.networks, network)
	return r.Lookups.LookupNetIP(ctx, network, host)
}

// TestResolverContract: names arrive absolute (trailing dot), in A-labels
// and lower case, and LookupNetIP gets "ip4" or "ip6" (dnstest.Strict
// fails the test otherwise; issue 12 point 6), for a Check that runs the
// np existence test and for an external destination.
func TestResolverContract(t *testing.T) {
	mem := dnstest.NewMemory(t, zone(dmarcTXT("xn--bcher-kva.example", "v=DMARC1; p=quarantine; np=reject")))
	var names, networks []string
	c := &Checker{Resolver: dnstest.Strict{T: t, R: recorder{Lookups: mem, names: &names, networks: &networks}}}
	v, err := c.Check(ctx(t), Input{FromDomain: "Nosuch.BÜCHER.example", SPFDomain: "Mail.Bücher.Example.", DKIMDomains: []string{"Other.EXAMPLE."}})
	require.NoError(t, err)
	assert.True(t, v.NonExistent, "the np test ran")
	_, err = c.VerifyExternalDestination(ctx(t), "Bücher.example", "RUA.example.NET")
	require.NoError(t, err)
	assert.Equal(t, 1, mem.CountQueries("xn--bcher-kva.example._report._dmarc.rua.example.net.", dnstest.TypeTXT))
	assert.ElementsMatch(t, []string{"ip4", "ip6"}, networks)
	require.NotEmpty(t, names)
	for _, n := range names {
		for i := 0; i < len(n); i++ {
			assert.Less(t, n[i], byte(0x80), "%q is not in A-labels", n)
		}
	}
}

// TestDocsForResolverWriters: the Resolver doc says what arrives; the
// godoc examples use an in-memory resolver a reader can copy, shown whole
// in godoc, and never internal/dnstest, which a user cannot import (issue
// 12 point 6).
func TestDocsForResolverWriters(t *testing.T) {
	dnstest.CheckResolverDocs(t, "resolver.go", `"ip4"`, `"ip6"`, "trailing dot", "absolute", "A-labels")
}
