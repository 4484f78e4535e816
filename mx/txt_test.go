package mx

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

func TestLookupVersionedTXT(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	tests := []struct {
		name, version string
		want          []string
	}{
		{"_mta-sts.example.org.", "v=STSv1", []string{"v=STSv1; id=1"}},
		{"_mta-sts.two.example.org.", "v=STSv1", []string{"v=STSv1; id=1", "v=STSv1 ;id=2"}},
		{"_mta-sts.split.example.org.", "v=STSv1", []string{"v=STSv1; id=3"}},
		// Only the tag, then WSP and ";", counts (RFC 8461 §3.1 "records
		// that do not begin with "v=STSv1;" are discarded").
		{"_mta-sts.strict.example.org.", "v=STSv1", []string{"v=STSv1\t\t; id=7"}},
		{"_smtp._tls.example.org.", "v=TLSRPTv1", []string{"v=TLSRPTv1; rua=mailto:r@example.org"}},
		{"_smtp._tls.example.org.", "v=STSv1", nil},
		{"txtonly.example.org.", "v=STSv1", nil}, // another TXT record
		{"nomx.example.org.", "v=STSv1", nil},    // NODATA
		{"nope.example.org.", "v=STSv1", nil},    // NXDOMAIN
	}
	for _, res := range []TXTResolver{srv.Resolver(), srv.Memory()} {
		for _, tc := range tests {
			got, err := LookupVersionedTXT(wireCtx(t), res, tc.name, tc.version)
			require.NoError(t, err, "%T %s", res, tc.name)
			assert.Equal(t, tc.want, got, "%T %s", res, tc.name)
		}
	}
}

// TestLookupVersionedTXTFailure: DESIGN's failure convention, with no
// "mx:" text for the caller to repeat.
func TestLookupVersionedTXTFailure(t *testing.T) {
	for _, f := range []dnstest.Fault{dnstest.ServFail, dnstest.Refused, dnstest.Drop} {
		t.Run(f.String(), func(t *testing.T) {
			srv := dnstest.New(t, wireZone)
			srv.Fault("_mta-sts.example.org.", dnstest.TypeTXT, f)
			got, err := LookupVersionedTXT(wireCtx(t), srv.Resolver(), "_mta-sts.example.org.", "v=STSv1")
			assert.Nil(t, got)
			var de *net.DNSError
			require.ErrorAs(t, err, &de)
			assert.True(t, de.IsTemporary, "%+v", de)
			assert.Equal(t, f == dnstest.Drop, de.IsTimeout, "%+v", de)
			assert.NotContains(t, err.Error(), "mx:")
		})
	}
	// A plain error and a cancelled context are made temporary too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := LookupVersionedTXT(ctx, dnstest.New(t, wireZone).Resolver(), "_mta-sts.example.org.", "v=STSv1")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary)
	assert.ErrorIs(t, err, context.Canceled)
}
