package mtasts_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/mtasts"
)

const enforceExample = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 3600\n"

type clientFixture struct {
	ps    *policyServer
	res   *dnstest.Answers
	now   time.Time
	cache *mtasts.MemoryCache
	c     *mtasts.Client
}

func newClientFixture(t *testing.T) *clientFixture {
	ca := testcert.NewCA(t, "mailsmith test CA")
	f := &clientFixture{
		ps:    newPolicyServer(t, ca.Valid(t, "mta-sts.example.com")),
		res:   &dnstest.Answers{TXT: map[string][]string{"_mta-sts.example.com.": {"v=STSv1; id=1"}}, TXTErr: map[string]error{}},
		now:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		cache: &mtasts.MemoryCache{},
	}
	f.ps.set(200, "text/plain; charset=utf-8", enforceExample)
	f.c = &mtasts.Client{
		Resolver:   f.res,
		HTTPClient: dialingClient(ca.Pool(), f.ps.srv.Listener.Addr().String()),
		Cache:      f.cache,
		Now:        func() time.Time { return f.now },
	}
	return f
}

func TestClientCaching(t *testing.T) {
	f := newClientFixture(t)
	ctx := context.Background()

	r, err := f.c.Lookup(ctx, "Example.COM.")
	require.NoError(t, err)
	assert.False(t, r.Cached)
	assert.Equal(t, "1", r.ID)
	assert.Equal(t, mtasts.ModeEnforce, r.Policy.Mode)
	assert.Equal(t, 1, f.ps.count())
	cp, ok, err := f.cache.Get(ctx, "example.com")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, f.now, cp.Fetched)
	assert.Equal(t, f.now.Add(time.Hour), cp.Expires)
	assert.Equal(t, "1", cp.ID)
	assert.Equal(t, "mta-sts.example.com", f.ps.hosts[0])

	// Same id, not expired: no fetch.
	f.now = f.now.Add(30 * time.Minute)
	r, err = f.c.Lookup(ctx, "example.com")
	require.NoError(t, err)
	assert.True(t, r.Cached)
	assert.Equal(t, 1, f.ps.count())

	// New id: fetched again.
	f.res.TXT["_mta-sts.example.com."] = []string{"v=STSv1; id=2"}
	f.ps.set(200, "text/plain", strings.Replace(enforceExample, "enforce", "testing", 1))
	r, err = f.c.Lookup(ctx, "example.com")
	require.NoError(t, err)
	assert.False(t, r.Cached)
	assert.Equal(t, mtasts.ModeTesting, r.Policy.Mode)
	assert.Equal(t, 2, f.ps.count())

	// Expired: fetched again although the id is the same.
	f.now = f.now.Add(2 * time.Hour)
	_, err = f.c.Lookup(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, 3, f.ps.count())
}

func TestClientKeepsPolicyWhenRefreshFails(t *testing.T) {
	f := newClientFixture(t)
	ctx := context.Background()
	_, err := f.c.Get(ctx, "example.com")
	require.NoError(t, err)

	// The id changes but the fetch fails: the cached policy applies (§5.1).
	f.res.TXT["_mta-sts.example.com."] = []string{"v=STSv1; id=2"}
	f.ps.set(500, "text/plain", "oops")
	r, err := f.c.Lookup(ctx, "example.com")
	require.NoError(t, err)
	assert.True(t, r.Cached)
	assert.Equal(t, "1", r.ID)
	assert.ErrorIs(t, r.RefreshErr, mtasts.ErrPolicyFetch)
	cp, _, _ := f.cache.Get(ctx, "example.com")
	assert.Equal(t, "1", cp.ID)

	// The TXT record disappears: the cached policy still applies (§3.1, §5.1).
	delete(f.res.TXT, "_mta-sts.example.com.")
	r, err = f.c.Lookup(ctx, "example.com")
	require.NoError(t, err)
	assert.True(t, r.Cached)
	assert.ErrorIs(t, r.RefreshErr, mtasts.ErrNoPolicy)

	// An invalid policy is served: still the cached one.
	f.res.TXT["_mta-sts.example.com."] = []string{"v=STSv1; id=3"}
	f.ps.set(200, "text/plain", "version: STSv1\nmode: bogus\n")
	r, err = f.c.Lookup(ctx, "example.com")
	require.NoError(t, err)
	assert.ErrorIs(t, r.RefreshErr, mtasts.ErrPolicySyntax)

	// Once expired, nothing is left: the fetch failure is the answer.
	f.now = f.now.Add(2 * time.Hour)
	_, err = f.c.Get(ctx, "example.com")
	assert.ErrorIs(t, err, mtasts.ErrPolicySyntax)
	assert.True(t, mtasts.IsNoPolicy(err))
	assert.NotErrorIs(t, err, mtasts.ErrNoPolicy)
}

func TestClientTemporaryDNS(t *testing.T) {
	f := newClientFixture(t)
	f.res.TXTErr["_mta-sts.example.com."] = dnstest.ServFailError("_mta-sts.example.com.")
	_, err := f.c.Get(context.Background(), "example.com")
	require.ErrorIs(t, err, mtasts.ErrTemporary)
	var de *net.DNSError
	require.True(t, errors.As(err, &de))
	assert.True(t, de.IsTemporary)
	assert.False(t, mtasts.IsNoPolicy(err))
	assert.Equal(t, 0, f.ps.count())
}

// A resolver error that does not say "temporary" (as Go's does not for
// REFUSED) still gives a *net.DNSError with IsTemporary set.
func TestTemporaryConventionForRefused(t *testing.T) {
	refused := &dnstest.Answers{TXTErr: map[string]error{"_mta-sts.example.com.": &net.DNSError{Err: "server refused", Name: "x"}}}
	_, err := mtasts.LookupRecord(context.Background(), refused, "example.com")
	require.ErrorIs(t, err, mtasts.ErrTemporary)
	var de *net.DNSError
	require.True(t, errors.As(err, &de))
	assert.True(t, de.IsTemporary)
	assert.Equal(t, 1, strings.Count(err.Error(), "mtasts: "), err.Error())
}

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
	assert.Equal(t, 1, srv.CountQueries("_mta-sts.example.com.", dnstest.TypeTXT))

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
	assert.Equal(t, 2, srv.CountQueries("_mta-sts.example.com.", dnstest.TypeTXT))
	assert.Equal(t, 1, ps.count())

	// The DNS server fails: the cached policy still applies.
	srv.Fault("_mta-sts.example.com.", dnstest.TypeTXT, dnstest.ServFail)
	r, err := c.Lookup(ctx, "example.com")
	require.NoError(t, err)
	assert.True(t, r.Cached)
	assert.ErrorIs(t, r.RefreshErr, mtasts.ErrTemporary)

	// A domain without a policy: ErrNoPolicy, and the plan lets every host go.
	_, err = c.Get(ctx, "example.org")
	assert.ErrorIs(t, err, mtasts.ErrNoPolicy)
	assert.Len(t, mtasts.PlanDelivery(nil, hosts).Allowed(), 3)
}

func TestClientNoPolicy(t *testing.T) {
	f := newClientFixture(t)
	for _, txts := range [][]string{nil, {"v=STSv1; id=1", "v=STSv1; id=2"}, {"v=STSv1; id=-"}, {"other"}} {
		if txts == nil {
			delete(f.res.TXT, "_mta-sts.example.com.")
		} else {
			f.res.TXT["_mta-sts.example.com."] = txts
		}
		_, err := f.c.Get(context.Background(), "example.com")
		assert.ErrorIs(t, err, mtasts.ErrNoPolicy, "%q", txts)
	}
	assert.Equal(t, 0, f.ps.count())
}

func TestClientRefresh(t *testing.T) {
	f := newClientFixture(t)
	ctx := context.Background()
	_, err := f.c.Get(ctx, "example.com")
	require.NoError(t, err)

	f.now = f.now.Add(50 * time.Minute)
	// Not within 5 minutes of expiry: left alone.
	errs := f.c.RefreshExpiring(ctx, f.cache.Domains(), 5*time.Minute)
	assert.Empty(t, errs)
	assert.Equal(t, 1, f.ps.count())

	// Within 15 minutes: fetched although the id is the same; expiry renewed.
	errs = f.c.RefreshExpiring(ctx, f.cache.Domains(), 15*time.Minute)
	assert.Empty(t, errs)
	assert.Equal(t, 2, f.ps.count())
	cp, _, _ := f.cache.Get(ctx, "example.com")
	assert.Equal(t, f.now.Add(time.Hour), cp.Expires)

	// A failing refresh keeps the policy and says why.
	f.ps.set(404, "text/plain", "")
	_, err = f.c.Refresh(ctx, "example.com")
	assert.ErrorIs(t, err, mtasts.ErrPolicyFetch)
	cp2, _, _ := f.cache.Get(ctx, "example.com")
	assert.Equal(t, cp, cp2)
	errs = f.c.RefreshExpiring(ctx, []string{"example.com", "uncached.example"}, 0)
	assert.ErrorIs(t, errs["example.com"], mtasts.ErrPolicyFetch)
	assert.NotContains(t, errs, "uncached.example")
}

func TestMemoryCacheBound(t *testing.T) {
	ctx := context.Background()
	m := &mtasts.MemoryCache{MaxEntries: 2}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &mtasts.Policy{Mode: mtasts.ModeNone}
	require.NoError(t, m.Put(ctx, "a.example", mtasts.CachedPolicy{Policy: p, Expires: t0.Add(3 * time.Hour)}))
	require.NoError(t, m.Put(ctx, "b.example", mtasts.CachedPolicy{Policy: p, Expires: t0.Add(time.Hour)}))
	require.NoError(t, m.Put(ctx, "c.example", mtasts.CachedPolicy{Policy: p, Expires: t0.Add(2 * time.Hour)}))
	assert.Equal(t, []string{"a.example", "c.example"}, m.Domains())
}

func TestFetchRules(t *testing.T) {
	ca := testcert.NewCA(t, "mailsmith test CA")
	ps := newPolicyServer(t, ca.Valid(t, "mta-sts.example.com"))
	addr := ps.srv.Listener.Addr().String()
	ctx := context.Background()
	good := "version: STSv1\nmode: none\nmax_age: 1\n"

	t.Run("redirect never followed", func(t *testing.T) {
		ps.set(302, "text/plain", good)
		before := ps.count()
		ps.mu.Lock()
		ps.location = "/.well-known/mta-sts.txt"
		ps.mu.Unlock()
		hc := dialingClient(ca.Pool(), addr)
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return nil } // would follow
		_, err := mtasts.FetchPolicy(ctx, hc, "example.com")
		require.ErrorIs(t, err, mtasts.ErrPolicyFetch)
		assert.Contains(t, err.Error(), "redirect")
		assert.Equal(t, before+1, ps.count(), "one request, no second one to the Location")
	})
	t.Run("media type", func(t *testing.T) {
		ps.set(200, "text/html", good)
		_, err := mtasts.FetchPolicy(ctx, dialingClient(ca.Pool(), addr), "example.com")
		require.ErrorIs(t, err, mtasts.ErrPolicyFetch)
		assert.Contains(t, err.Error(), "text/plain")
		ps.set(200, "Text/Plain; charset=us-ascii", good)
		_, err = mtasts.FetchPolicy(ctx, dialingClient(ca.Pool(), addr), "example.com")
		assert.NoError(t, err)
	})
	t.Run("status 204", func(t *testing.T) {
		ps.set(204, "text/plain", "")
		_, err := mtasts.FetchPolicy(ctx, dialingClient(ca.Pool(), addr), "example.com")
		require.ErrorIs(t, err, mtasts.ErrPolicyFetch)
		assert.Contains(t, err.Error(), "204")
	})
	t.Run("size limit", func(t *testing.T) {
		ps.set(200, "text/plain", good+strings.Repeat("x: y\n", mtasts.MaxPolicySize/5))
		_, err := mtasts.FetchPolicy(ctx, dialingClient(ca.Pool(), addr), "example.com")
		require.ErrorIs(t, err, mtasts.ErrPolicyFetch)
		assert.ErrorIs(t, err, mtasts.ErrPolicySyntax)
		// Exactly at the limit is fine.
		body := good + "x: " + strings.Repeat("y", mtasts.MaxPolicySize-len(good)-5) + "\n"
		require.Len(t, body, mtasts.MaxPolicySize-1)
		ps.set(200, "text/plain", body)
		_, err = mtasts.FetchPolicy(ctx, dialingClient(ca.Pool(), addr), "example.com")
		assert.NoError(t, err)
	})
	t.Run("verification skipped by the client is refused", func(t *testing.T) {
		ps.set(200, "text/plain", good)
		hc := dialingClient(nil, addr)
		hc.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		_, err := mtasts.FetchPolicy(ctx, hc, "example.com")
		require.ErrorIs(t, err, mtasts.ErrPolicyFetch)
		assert.Contains(t, err.Error(), "not verified")
	})
	t.Run("certificate for another name", func(t *testing.T) {
		ps.set(200, "text/plain", good)
		_, err := mtasts.FetchPolicy(ctx, dialingClient(ca.Pool(), addr), "example.org")
		require.ErrorIs(t, err, mtasts.ErrPolicyFetch)
	})
	t.Run("untrusted root", func(t *testing.T) {
		_, err := mtasts.FetchPolicy(ctx, dialingClient(testcert.NewCA(t, "mailsmith test CA").Pool(), addr), "example.com")
		require.ErrorIs(t, err, mtasts.ErrPolicyFetch)
	})
	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := mtasts.FetchPolicy(cctx, dialingClient(ca.Pool(), addr), "example.com")
		require.ErrorIs(t, err, mtasts.ErrPolicyFetch)
		assert.ErrorIs(t, err, context.Canceled)
	})
	t.Run("invalid domain", func(t *testing.T) {
		// mx.NormalizeDomain's reason, with this package's prefix once; "_"
		// labels are no web host names (RFC 5321 §4.1.2 Domain).
		for _, bad := range []string{"exa mple.com", "a..example", "[192.0.2.1]", "a_b.example", "1.2.3.4"} {
			_, err := mtasts.FetchPolicy(ctx, nil, bad)
			assert.ErrorIs(t, err, mtasts.ErrInvalidDomain, bad)
			assert.True(t, strings.HasPrefix(err.Error(), "mtasts: invalid domain name: "), err.Error())
			assert.NotContains(t, err.Error(), "mx:")
		}
	})
}
