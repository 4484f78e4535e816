package resolver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx"
)

// TestDomainExists: the resolvers of New (Direct) and System tell a name
// that exists without records of the asked type (NODATA) from one that
// does not exist (NXDOMAIN), through mx.NetResolver, so package mx can
// tell an implicit MX from ErrNoSuchDomain.
func TestDomainExists(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN example.org.
txtonly  IN TXT "v=spf1 -all"
@        IN MX  10 mx
mx       IN A   192.0.2.1
`)
	r, err := New(srv.Addr())
	require.NoError(t, err)
	ex, ok := r.(mx.ExistsResolver)
	require.True(t, ok, "New's resolver implements mx.ExistsResolver")
	_, ok = System().(mx.ExistsResolver)
	require.True(t, ok, "System's resolver implements mx.ExistsResolver")

	for name, want := range map[string]bool{"txtonly.example.org.": true, "example.org.": true, "nothing.example.org.": false} {
		got, err := ex.DomainExists(context.Background(), name)
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
	}
	hosts, err := (&mx.Router{Resolver: r}).Lookup(context.Background(), "txtonly.example.org")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	require.True(t, hosts[0].Implicit, "an existing domain without MX is its own implicit MX")
	_, err = (&mx.Router{Resolver: r}).Lookup(context.Background(), "nothing.example.org")
	require.ErrorIs(t, err, mx.ErrNoSuchDomain)
}
