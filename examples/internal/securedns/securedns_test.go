package securedns

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// TestSecureOnlyInSignedZones: answers for names in the signed zones
// (and below them) are secure, others not, whatever the case or a final
// dot; the records are the server's.
func TestSecureOnlyInSignedZones(t *testing.T) {
	srv := dnstest.New(t, `
example.net.        IN MX   10 mx.example.net.
mx.example.net.     IN A    127.0.0.1
_25._tcp.mx.example.net. IN TLSA 3 1 1 0000000000000000000000000000000000000000000000000000000000000000
example.com.        IN MX   10 mx.example.com.
notexample.net.     IN MX   10 mx.example.com.
`)
	r := New(srv.Addr(), "Example.NET.")
	ctx := context.Background()
	for name, want := range map[string]bool{"example.net.": true, "EXAMPLE.net": true, "example.com.": false, "notexample.net.": false} {
		mxs, secure, err := r.LookupMX(ctx, name)
		require.NoError(t, err, name)
		require.Len(t, mxs, 1, name)
		require.Equal(t, want, secure, name)
	}
	recs, secure, err := r.LookupTLSA(ctx, "_25._tcp.mx.example.net.")
	require.NoError(t, err)
	require.True(t, secure)
	require.Len(t, recs, 1)
	addrs, secure, err := r.LookupNetIP(ctx, "ip4", "mx.example.net.")
	require.NoError(t, err)
	require.True(t, secure)
	require.Equal(t, "127.0.0.1", addrs[0].String())
}
