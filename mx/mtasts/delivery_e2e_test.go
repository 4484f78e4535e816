package mtasts_test

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
	"github.com/mailsmith/mailsmith/smtp"
)

// TestDeliveryEndToEnd delivers mail on loopback the way an MTA applying
// MTA-STS (RFC 8461) and reporting with TLS-RPT (RFC 8460) does with this
// suite: the policies come from a real HTTPS server whose certificate is
// issued by a test CA (the only root the clients trust), DNS (MX, A and
// _mta-sts TXT records) from internal/dnstest, the MX hosts from package
// mx, the decision per host from PlanDelivery, and delivery from our smtp
// client to our smtp.Server instances with STARTTLS on 127.0.0.1. Each
// recipient domain lists the same seven MX hosts (see deHosts): one outside
// the policy (most preferred), a self-signed certificate, a certificate
// for the wrong name, an expired one, one without STARTTLS, one whose TLS
// handshake fails, and a good one.
//
// What the servers saw (connections, TLS handshakes and their SNI,
// messages) is the truth the sender's outcomes and the report are held to.
func TestDeliveryEndToEnd(t *testing.T) {
	w := newDeWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	day := time.Now().UTC().Truncate(24 * time.Hour)
	rpt := &tlsrpt.Builder{
		OrganizationName: "mailsmith e2e",
		ContactInfo:      "mailto:tlsrpt@sender.example",
		Submitter:        "sender.example",
		Start:            day,
		End:              day.Add(24*time.Hour - time.Second),
	}
	s := &deSender{w: w, roots: w.ca.Pool(), rpt: rpt}
	// sessions[domain][host] counts the sessions of each host the test
	// expects in the report of domain: successes as "", failures by the
	// result type the server's kind calls for.
	sessions := map[string]map[string]int{deEnforce: {}, deTesting: {}}
	// conns[domain][host] counts the connections the servers saw while
	// delivering to domain.
	conns := map[string]map[string]int64{deEnforce: {}, deTesting: {}}
	// ran records the delivery subtests that ran: the report needs both
	// enforce and testing (they do not run under a -run for report alone).
	ran := map[string]bool{}
	measure := func(domain string, f func()) map[string]int64 {
		before := w.conns()
		f()
		delta := map[string]int64{}
		for h, n := range w.conns() {
			delta[h] = n - before[h]
			if conns[domain] != nil {
				conns[domain][h] += delta[h]
			}
		}
		return delta
	}

	// prepared marks a mode's subtest as run and gives its delivery, with
	// the policy of that mode applied.
	prepared := func(t *testing.T, domain string, mode mtasts.Mode) *deDelivery {
		t.Helper()
		ran[domain] = true
		d, err := s.prepare(ctx, domain)
		require.NoError(t, err)
		require.NotNil(t, d.policy)
		require.Equal(t, mode, d.plan.Mode)
		return d
	}

	t.Run("enforce", func(t *testing.T) {
		d := prepared(t, deEnforce, mtasts.ModeEnforce)
		assert.Equal(t, 1, w.policy.fetches("mta-sts."+deEnforce), "policy fetched over HTTPS once")
		// Everything was looked up in the test DNS, and every name
		// resolved to loopback.
		assert.Equal(t, 1, w.dns.CountQueries("_mta-sts."+deEnforce+".", dnstest.TypeTXT))
		assert.Equal(t, 1, w.dns.CountQueries("mta-sts."+deEnforce+".", dnstest.TypeA))
		assert.Positive(t, w.dns.CountQueries(deEnforce+".", dnstest.TypeMX))
		for _, h := range deHosts {
			assert.Positive(t, w.dns.CountQueries(h.name+".", dnstest.TypeA), h.name)
			assert.Equal(t, netip.MustParseAddr("127.0.0.1"), d.addrs[h.name], h.name)
		}
		sni := map[string]int{}
		for _, h := range deHosts {
			sni[h.name] = len(w.mx[h.name].handshakes())
		}

		var outcomes []deOutcome
		delta := measure(deEnforce, func() { outcomes = s.deliverEach(ctx, d) })
		require.Len(t, outcomes, len(deHosts))
		deLog(t, outcomes)
		for i, h := range deHosts {
			o, m := outcomes[i], w.mx[h.name]
			require.Equal(t, h.name, o.Host, "plan keeps the MX order")
			got := m.received(deEnforce)
			newSNI := m.handshakes()[sni[h.name]:]
			if hp := d.plan.Hosts[i]; h.name != "backup.other.example" {
				assert.True(t, hp.Allowed && hp.Matched, h.name)
				assert.Equal(t, mtasts.TLSVerified, hp.TLS, h.name)
				assert.Equal(t, h.name, hp.ServerName, h.name)
			} else {
				assert.False(t, hp.Allowed || hp.Matched, h.name)
			}
			switch {
			case h.name == "backup.other.example":
				assert.Zero(t, delta[h.name], "%s: a host not in the policy is never contacted", h.name)
				assert.False(t, o.Contacted)
				assert.ErrorIs(t, o.Err, errDeNotInPolicy)
				assert.Empty(t, got)
				sessions[deEnforce][h.name+" "+string(tlsrpt.ResultValidationFailure)]++
			case h.kind == deGood:
				assert.Equal(t, int64(1), delta[h.name], h.name)
				require.NoError(t, o.Err, h.name)
				assert.True(t, o.Delivered)
				require.Len(t, got, 1, "%s: delivered", h.name)
				assert.True(t, got[0].TLS, "%s: delivered over TLS", h.name)
				assert.Equal(t, h.name, got[0].SNI, "%s: verified against the MX name", h.name)
				assert.Contains(t, got[0].Data, "to "+h.name)
				sessions[deEnforce][h.name]++
			default:
				assert.Equal(t, int64(1), delta[h.name], "%s: contacted once, no plain-text retry", h.name)
				assert.False(t, o.Delivered, h.name)
				assert.Empty(t, got, "%s (%s): nothing delivered", h.name, h.kind)
				var pe *smtp.TLSPolicyError
				if assert.ErrorAs(t, o.Err, &pe, h.name) {
					assert.Equal(t, smtp.TLSVerified, pe.Mode, h.name)
				}
				assert.ErrorIs(t, o.Err, smtp.ErrTLSRequired, h.name)
				assert.Equal(t, h.kind.result(), o.Result, "%s (%s): %v", h.name, h.kind, o.Err)
				if h.kind == deNoSTARTTLS {
					assert.Empty(t, newSNI, "%s: no handshake", h.name)
				} else {
					assert.Equal(t, []string{h.name}, newSNI, "%s: the handshake asked for the MX name", h.name)
				}
				sessions[deEnforce][h.name+" "+string(h.kind.result())]++
			}
		}
	})

	t.Run("enforce-first-acceptable-host", func(t *testing.T) {
		// One message as an MTA sends it: the hosts in MX order until one
		// takes it. The most preferred host is outside the policy and is
		// skipped; the five bad ones refuse; the good one gets it.
		d, err := s.prepare(ctx, deEnforce)
		require.NoError(t, err)
		assert.Equal(t, 1, w.policy.fetches("mta-sts."+deEnforce), "cached policy used")
		before := len(w.mx[deGoodHost].received(deEnforce))
		var outcomes []deOutcome
		delta := measure(deEnforce, func() { outcomes = s.deliverFirst(ctx, d) })
		deLog(t, outcomes)
		require.Len(t, outcomes, len(deHosts))
		last := outcomes[len(outcomes)-1]
		assert.Equal(t, deGoodHost, last.Host)
		assert.True(t, last.Delivered)
		assert.Len(t, w.mx[deGoodHost].received(deEnforce), before+1)
		for i, h := range deHosts {
			switch {
			case h.name == "backup.other.example":
				assert.Zero(t, delta[h.name], "%s: never contacted", h.name)
				sessions[deEnforce][h.name+" "+string(tlsrpt.ResultValidationFailure)]++
			case h.kind == deGood:
				sessions[deEnforce][h.name]++
			default:
				assert.Equal(t, int64(1), delta[h.name], h.name)
				assert.Equal(t, h.kind.result(), outcomes[i].Result, h.name)
				sessions[deEnforce][h.name+" "+string(h.kind.result())]++
			}
		}
		for _, h := range deHosts {
			if h.kind != deGood {
				assert.Empty(t, w.mx[h.name].received(deEnforce), "%s: nothing delivered under enforce", h.name)
			}
		}
	})

	t.Run("testing", func(t *testing.T) {
		d := prepared(t, deTesting, mtasts.ModeTesting)
		var outcomes []deOutcome
		delta := measure(deTesting, func() { outcomes = s.deliverEach(ctx, d) })
		deLog(t, outcomes)
		require.Len(t, outcomes, len(deHosts))
		for i, h := range deHosts {
			o := outcomes[i]
			require.Equal(t, h.name, o.Host)
			assert.Equal(t, h.kind.opportunisticConns(), delta[h.name], "%s (%s): connections", h.name, h.kind)
			require.NoError(t, o.Err, h.name)
			assert.True(t, o.Delivered, h.name)
			got := w.mx[h.name].received(deTesting)
			require.Len(t, got, 1, "%s (%s): delivered under testing", h.name, h.kind)
			assert.Equal(t, h.kind.tlsWorks(), got[0].TLS, "%s (%s): TLS used when it works", h.name, h.kind)
			if got[0].TLS {
				assert.Equal(t, h.name, got[0].SNI, "%s: SNI is the MX name given to NewClient", h.name)
			}
			want, hp := h.kind.result(), d.plan.Hosts[i]
			assert.True(t, hp.Allowed, h.name)
			if h.name == "backup.other.example" {
				want = tlsrpt.ResultValidationFailure // not in the policy
				assert.True(t, hp.Report, h.name)
				assert.False(t, hp.Matched, h.name)
			} else {
				assert.False(t, hp.Report, h.name)
				assert.Equal(t, mtasts.TLSVerifiedReport, hp.TLS, h.name)
				assert.Equal(t, h.name, hp.ServerName, h.name)
			}
			assert.Equal(t, want, o.Result, "%s (%s)", h.name, h.kind)
			sessions[deTesting][strings.TrimSpace(h.name+" "+string(want))]++
		}
	})

	// Mode none and no policy at all: every host gets the message,
	// opportunistically, exactly as SendMail does by default.
	for _, tc := range []struct{ name, domain string }{{"none", deNone}, {"no-policy", deNoPolicy}} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := s.prepare(ctx, tc.domain)
			require.NoError(t, err)
			if tc.domain == deNone {
				require.NotNil(t, d.policy)
				assert.Equal(t, mtasts.ModeNone, d.policy.Mode)
			} else {
				assert.Nil(t, d.policy)
				_, err := w.sts.Get(ctx, tc.domain)
				assert.True(t, mtasts.IsNoPolicy(err), "%v", err)
			}
			var outcomes []deOutcome
			delta := measure(tc.domain, func() { outcomes = s.deliverEach(ctx, d) })
			deLog(t, outcomes)
			require.Len(t, outcomes, len(deHosts))
			for i, h := range deHosts {
				hp := d.plan.Hosts[i]
				assert.True(t, hp.Allowed, h.name)
				assert.Equal(t, mtasts.TLSAsWithoutPolicy, hp.TLS, h.name)
				assert.False(t, hp.Report, h.name)
				require.NoError(t, outcomes[i].Err, h.name)
				assert.Equal(t, h.kind.opportunisticConns(), delta[h.name], "%s (%s): connections (the certificate is not checked)", h.name, h.kind)
				got := w.mx[h.name].received(tc.domain)
				require.Len(t, got, 1, "%s (%s): delivered", h.name, h.kind)
				assert.Equal(t, h.kind.tlsWorks(), got[0].TLS, "%s (%s): TLS used when it works", h.name, h.kind)
			}
		})
	}

	t.Run("report", func(t *testing.T) {
		if !ran[deEnforce] || !ran[deTesting] {
			t.Skip("the report needs the enforce and testing subtests")
		}
		// Only the enforce and testing policies are reported here.
		assert.Equal(t, []string{deEnforce, deTesting}, rpt.Domains())
		for _, domain := range []string{deEnforce, deTesting} {
			mode := mtasts.ModeEnforce
			if domain == deTesting {
				mode = mtasts.ModeTesting
			}
			want := deWantReport(t, w, domain, mode, sessions[domain], conns[domain])
			id := "e2e-" + string(mode)

			js, err := rpt.JSON(domain, id)
			require.NoError(t, err)
			fromJSON, err := tlsrpt.ParseReport(bytes.NewReader(js))
			require.NoError(t, err, "JSON")
			deCheckReport(t, "JSON "+domain, want, fromJSON, rpt, id)
			if len(fromJSON.Policies) == 1 {
				p := fromJSON.Policies[0]
				t.Logf("%s: %+v", domain, p.Summary)
				for _, fd := range p.FailureDetails {
					t.Logf("  %-28s %-26s failed-session-count=%d %s", fd.ReceivingMXHostname, fd.ResultType, fd.FailedSessionCount, fd.FailureReasonCode)
				}
			}

			gz, err := rpt.Gzip(domain, id)
			require.NoError(t, err)
			require.True(t, len(gz) > 2 && gz[0] == 0x1f && gz[1] == 0x8b, "gzip magic")
			fromGzip, err := tlsrpt.ParseReport(bytes.NewReader(gz))
			require.NoError(t, err, "gzip")
			deCheckReport(t, "gzip "+domain, want, fromGzip, rpt, id)

			for _, asJSON := range []bool{false, true} {
				opts := tlsrpt.MessageOptions{From: "tlsrpt@sender.example", To: "mailto:tlsrpt@" + domain, ReportID: id, JSON: asJSON}
				msg, err := rpt.Message(domain, opts)
				require.NoError(t, err)
				fromMsg, err := tlsrpt.ParseReportMessage(bytes.NewReader(msg))
				require.NoError(t, err, "message (JSON part: %v)", asJSON)
				deCheckReport(t, "message "+domain, want, fromMsg, rpt, id)
				deCheckMessage(t, msg, rpt, domain, id, asJSON)
			}
		}
	})
}

// deLog shows the outcome of each host in the test's verbose output.
func deLog(t *testing.T, outcomes []deOutcome) {
	t.Helper()
	for _, o := range outcomes {
		t.Logf("%-28s contacted=%-5v delivered=%-5v result=%-25q err=%v", o.Host, o.Contacted, o.Delivered, o.Result, o.Err)
	}
}

// deWant is what a report for one policy domain must say.
type deWant struct {
	policyLines []string
	success     int64
	failures    map[string]int64 // "host result-type" → failed sessions
}

// deWantReport derives the expected report from the sessions the test
// counted by the servers' kinds, and checks those against what the
// servers saw: every success is a message a matching server with a good
// certificate took over TLS; under enforce, every failure of a contacted
// host is a connection that delivered nothing; under testing, every
// failure is a message delivered anyway.
func deWantReport(t *testing.T, w *deWorld, domain string, mode mtasts.Mode, sessions map[string]int, conns map[string]int64) deWant {
	t.Helper()
	want := deWant{policyLines: tlsrpt.PolicyLines(dePolicyText(mode)), failures: map[string]int64{}}
	var failures int64
	for key, n := range sessions {
		if !strings.Contains(key, " ") {
			want.success += int64(n)
			continue
		}
		want.failures[key] = int64(n)
		failures += int64(n)
	}
	var delivered, verified int64
	for _, m := range w.mx {
		for _, msg := range m.received(domain) {
			delivered++
			if msg.TLS && m.kind == deGood && strings.HasSuffix(m.name, ".mail.example.net") {
				verified++
			}
		}
	}
	assert.Equal(t, verified, want.success, "%s: successes counted = messages the servers took over good TLS", domain)
	switch mode {
	case mtasts.ModeEnforce:
		assert.Equal(t, delivered, want.success, "%s: under enforce only successes deliver", domain)
		for key, n := range want.failures {
			host, _, _ := strings.Cut(key, " ")
			if host != "backup.other.example" {
				assert.Equal(t, conns[host], n, "%s: connections to %s = its failed sessions", domain, host)
			}
		}
	case mtasts.ModeTesting:
		assert.Equal(t, delivered, want.success+failures, "%s: under testing every session delivers", domain)
	}
	return want
}

// deCheckReport compares a report parsed back with what happened.
func deCheckReport(t *testing.T, what string, want deWant, got *tlsrpt.Report, b *tlsrpt.Builder, id string) {
	t.Helper()
	assert.Equal(t, "mailsmith e2e", got.OrganizationName, what)
	assert.Equal(t, "mailto:tlsrpt@sender.example", got.ContactInfo, what)
	assert.Equal(t, id, got.ReportID, what)
	assert.True(t, got.DateRange.Start.Equal(b.Start), "%s: start %v", what, got.DateRange.Start)
	assert.True(t, got.DateRange.End.Equal(b.End), "%s: end %v", what, got.DateRange.End)
	require.Len(t, got.Policies, 1, what)
	p := got.Policies[0]
	assert.Equal(t, tlsrpt.PolicySTS, p.Policy.Type, what)
	assert.ElementsMatch(t, want.policyLines, p.Policy.String, what)
	assert.Equal(t, tlsrpt.MXHosts{deMXPattern}, p.Policy.MXHost, what)
	var failures int64
	for _, n := range want.failures {
		failures += n
	}
	assert.Equal(t, tlsrpt.Summary{TotalSuccessfulSessionCount: want.success, TotalFailureSessionCount: failures}, p.Summary, what)
	gotFailures := map[string]int64{}
	for _, fd := range p.FailureDetails {
		gotFailures[fd.ReceivingMXHostname+" "+string(fd.ResultType)] += fd.FailedSessionCount
		if fd.ReceivingMXHostname == "backup.other.example" {
			assert.Equal(t, deReasonNotInPolicy, fd.FailureReasonCode, what)
		}
	}
	assert.Equal(t, want.failures, gotFailures, what)
}

// deCheckMessage checks the headers of the report email (RFC 8460 §5.3)
// and the attachment's file name (§5.1).
func deCheckMessage(t *testing.T, raw []byte, b *tlsrpt.Builder, domain, id string, asJSON bool) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	assert.Equal(t, domain, m.Header.Get("TLS-Report-Domain"))
	assert.Equal(t, "sender.example", m.Header.Get("TLS-Report-Submitter"))
	assert.Contains(t, m.Header.Get("Subject"), "Report-ID: <"+id+">")
	assert.Equal(t, "tlsrpt@"+domain, m.Header.Get("To"))
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err)
	assert.Equal(t, "multipart/report", mt)
	assert.Equal(t, "tlsrpt", params["report-type"])
	file := tlsrpt.FileName("sender.example", domain, b.Start, b.End, id, !asJSON)
	assert.True(t, bytes.Contains(raw, []byte(file)), "attachment named %s", file)
	if asJSON {
		assert.True(t, bytes.Contains(raw, []byte(tlsrpt.MediaTypeJSON)))
	} else {
		assert.True(t, bytes.Contains(raw, []byte(tlsrpt.MediaTypeGzip)))
	}
}
