package mtasts_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

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
