package mtasts_test

import (
	"context"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/mtasts"
)

// TestEndToEnd runs discovery over real DNS (a loopback server), the fetch
// over real HTTPS with a test CA (the client's roots come from the test;
// the client dials the loopback server for the policy host), the cache,
// and the delivery plan for the domain's MX hosts as the DNS lists them.
func TestEndToEnd(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN example.com.
@              300 IN MX 10 mx1
@              300 IN MX 20 mx2
@              300 IN MX 30 fallback.example.net.
_mta-sts       300 IN TXT "v=STSv1; id=20260101T000000;"
mx1            300 IN A 192.0.2.1
mx2            300 IN A 192.0.2.2
`)
	ca := testcert.NewCA(t, "mailsmith test CA")
	ps := newPolicyServer(t, ca.Valid(t, "mta-sts.example.com"))
	ps.set(200, "text/plain", "version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmax_age: 86400\r\n")
	c := &mtasts.Client{Resolver: srv.Resolver(), HTTPClient: dialingClient(ca.Pool(), ps.srv.Listener.Addr().String())}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	p, err := c.Get(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, mtasts.ModeEnforce, p.Mode)
	assert.Equal(t, 1, srv.CountQueries("_mta-sts.example.com.", dns.TypeTXT))

	mxs, err := srv.Resolver().LookupMX(ctx, "example.com.")
	require.NoError(t, err)
	var hosts []string
	for _, mx := range mxs {
		hosts = append(hosts, mx.Host)
	}
	plan := mtasts.PlanDelivery(p, hosts)
	var allowed []string
	for _, h := range plan.Allowed() {
		assert.Equal(t, mtasts.TLSVerified, h.TLS)
		assert.Equal(t, h.Host, h.ServerName)
		allowed = append(allowed, h.Host)
	}
	assert.Equal(t, []string{"mx1.example.com", "mx2.example.com"}, allowed)

	// Second delivery: the TXT is looked up again, the policy is not.
	_, err = c.Get(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, 2, srv.CountQueries("_mta-sts.example.com.", dns.TypeTXT))
	assert.Equal(t, 1, ps.count())

	// The DNS server fails: the cached policy still applies.
	srv.Fault("_mta-sts.example.com.", dns.TypeTXT, dnstest.ServFail)
	r, err := c.Lookup(ctx, "example.com")
	require.NoError(t, err)
	assert.True(t, r.Cached)
	assert.ErrorIs(t, r.RefreshErr, mtasts.ErrTemporary)

	// A domain without a policy: ErrNoPolicy, and the plan lets every host go.
	_, err = c.Get(ctx, "example.org")
	assert.ErrorIs(t, err, mtasts.ErrNoPolicy)
	assert.Len(t, mtasts.PlanDelivery(nil, hosts).Allowed(), 3)
}
