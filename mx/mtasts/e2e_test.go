package mtasts_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
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

// attempt makes the TLS handshake a delivery to h would make under the
// plan: verified against h.ServerName when the policy asks for it,
// unverified otherwise (opportunistic).
func attempt(ctx context.Context, addr string, h mtasts.HostPlan, roots *x509.CertPool) error {
	cfg := &tls.Config{RootCAs: roots, ServerName: h.ServerName}
	if h.TLS == mtasts.TLSAsWithoutPolicy {
		cfg = &tls.Config{InsecureSkipVerify: true} // opportunistic: any certificate
	}
	d := tls.Dialer{Config: cfg}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return c.Close()
}

// TestEndToEndPlanAndReport: DNS from a loopback server, the policy over
// HTTPS, the plan applied to the MX hosts with real TLS handshakes (good
// certificate, wrong name, expired, host not in the policy), and the
// outcomes counted by the TLS-RPT builder, whose email parses back.
func TestEndToEndPlanAndReport(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN example.com.
@          300 IN MX 10 mx1
@          300 IN MX 20 mx2
@          300 IN MX 30 mx3
@          300 IN MX 40 mx.elsewhere.example.
_mta-sts   300 IN TXT "v=STSv1; id=1"
`)
	ca := testcert.NewCA(t, "mailsmith test CA")
	now := time.Now()
	addrs := map[string]string{
		"mx1.example.com":      testcert.Serve(t, ca.Valid(t, "mx1.example.com")).String(),
		"mx2.example.com":      testcert.Serve(t, ca.Valid(t, "mx9.example.com")).String(),
		"mx3.example.com":      testcert.Serve(t, ca.Issue(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour), "mx3.example.com")).String(),
		"mx.elsewhere.example": testcert.Serve(t, ca.Valid(t, "mx.elsewhere.example")).String(),
	}
	ps := newPolicyServer(t, ca.Valid(t, "mta-sts.example.com"))
	hc := dialingClient(ca.Pool(), ps.srv.Listener.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	mxs, err := srv.Resolver().LookupMX(ctx, "example.com.")
	require.NoError(t, err)
	var hosts []string
	for _, mx := range mxs {
		hosts = append(hosts, mx.Host)
	}

	for _, mode := range []mtasts.Mode{mtasts.ModeEnforce, mtasts.ModeTesting} {
		t.Run(string(mode), func(t *testing.T) {
			text := "version: STSv1\nmode: " + string(mode) + "\nmx: *.example.com\nmax_age: 86400\n"
			ps.set(200, "text/plain", text)
			c := &mtasts.Client{Resolver: srv.Resolver(), HTTPClient: hc}
			p, err := c.Get(ctx, "example.com")
			require.NoError(t, err)
			plan := mtasts.PlanDelivery(p, hosts)

			start := now.UTC().Truncate(24 * time.Hour)
			b := &tlsrpt.Builder{OrganizationName: "test", Submitter: "mail.example.org", Start: start, End: start.Add(24*time.Hour - time.Second)}
			policy := tlsrpt.PolicyInfo{Type: tlsrpt.PolicySTS, Domain: "example.com", String: tlsrpt.PolicyLines(p.String()), MXHost: tlsrpt.MXHosts(p.MX)}
			outcome := map[string]string{}
			for _, h := range plan.Hosts {
				if !h.Allowed {
					outcome[h.Host] = "refused"
					b.AddFailure(policy, tlsrpt.FailureDetails{ResultType: tlsrpt.ResultValidationFailure, ReceivingMXHostname: h.Host, FailureReasonCode: "mx-not-in-policy"})
					continue
				}
				err := attempt(ctx, addrs[h.Host], h, ca.Pool())
				switch {
				case err != nil && h.TLS == mtasts.TLSVerified:
					outcome[h.Host] = "not delivered: " + string(tlsrpt.ClassifyTLSError(err))
					b.AddFailure(policy, tlsrpt.FailureDetails{ResultType: tlsrpt.ClassifyTLSError(err), ReceivingMXHostname: h.Host})
				case err != nil:
					// Testing: the failure is reported, delivery goes on
					// as without a policy.
					outcome[h.Host] = "delivered, reported: " + string(tlsrpt.ClassifyTLSError(err))
					b.AddFailure(policy, tlsrpt.FailureDetails{ResultType: tlsrpt.ClassifyTLSError(err), ReceivingMXHostname: h.Host})
				case h.Report:
					outcome[h.Host] = "delivered, reported: mx-not-in-policy"
					b.AddFailure(policy, tlsrpt.FailureDetails{ResultType: tlsrpt.ResultValidationFailure, ReceivingMXHostname: h.Host, FailureReasonCode: "mx-not-in-policy"})
				default:
					outcome[h.Host] = "delivered"
					b.AddSuccess(policy)
				}
			}
			want := map[string]string{
				"mx1.example.com":      "delivered",
				"mx2.example.com":      "not delivered: certificate-host-mismatch",
				"mx3.example.com":      "not delivered: certificate-expired",
				"mx.elsewhere.example": "refused",
			}
			if mode == mtasts.ModeTesting {
				for h, o := range want {
					want[h] = strings.Replace(strings.Replace(o, "not delivered", "delivered, reported", 1), "refused", "delivered, reported: mx-not-in-policy", 1)
				}
			}
			assert.Equal(t, want, outcome)

			msg, err := b.Message("example.com", tlsrpt.MessageOptions{From: "tlsrpt@mail.example.org", To: "tlsrpt@example.com", ReportID: "e2e-" + string(mode)})
			require.NoError(t, err)
			rep, err := tlsrpt.ParseReportMessage(bytes.NewReader(msg))
			require.NoError(t, err)
			require.Len(t, rep.Policies, 1)
			assert.Equal(t, tlsrpt.Summary{TotalSuccessfulSessionCount: 1, TotalFailureSessionCount: 3}, rep.Policies[0].Summary)
			assert.Equal(t, []string{"version: STSv1", "mode: " + string(mode), "max_age: 86400", "mx: *.example.com"}, rep.Policies[0].Policy.String)
			var results []string
			for _, fd := range rep.Policies[0].FailureDetails {
				results = append(results, string(fd.ResultType))
			}
			assert.ElementsMatch(t, []string{"certificate-host-mismatch", "certificate-expired", "validation-failure"}, results)
		})
	}
}
