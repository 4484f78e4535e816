package authcheck

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/ptr"
	"github.com/mailsmith/mailsmith/spf"
)

// TestHeader checks the wiring to authres: every check's method string
// ends up in the field, in order, and the field authres folds parses
// back to the same results.
func TestHeader(t *testing.T) {
	ip := netip.MustParseAddr("192.0.2.1")
	r := &Result{
		IPRev: ptr.Verdict{Result: ptr.Pass, IP: ip, Names: []string{"mail.example.org"}},
		SPF:   spf.Verdict{Result: spf.Pass, Identity: spf.IdentityMailFrom, Sender: "alice@example.org", ClientIP: ip},
		DKIM: []dkim.Verification{
			{Result: dkim.Pass, Domain: "example.org", Selector: "rsa2026", Algorithm: "rsa-sha256"},
			{Result: dkim.Fail, Domain: "example.org", Selector: "ed2026", Algorithm: "ed25519-sha256"},
		},
		FromDomain: "example.org",
		DMARC:      dmarc.Verdict{Result: dmarc.Pass, FromDomain: "example.org", PublishedPolicy: dmarc.PolicyReject, Disposition: dmarc.PolicyNone},
	}
	tests := []struct {
		name    string
		r       *Result
		methods []string // result keywords in order, "method=value"
	}{
		{"all checks", r, []string{"iprev=pass", "spf=pass", "dkim=pass", "dkim=fail", "arc=none", "dmarc=pass"}},
		{"unsigned, no single From", &Result{IPRev: r.IPRev, SPF: r.SPF, FromErr: mailmsg.ErrFrom},
			[]string{"iprev=pass", "spf=pass", "dkim=none", "arc=none", "dmarc=permerror"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := tt.r.Header("mx.example.com")
			require.NoError(t, err)
			field := h.Field()
			require.True(t, strings.HasPrefix(field, "Authentication-Results: mx.example.com;"), field)
			require.True(t, strings.HasSuffix(field, "\r\n"))
			for _, line := range strings.Split(strings.TrimSuffix(field, "\r\n"), "\r\n") {
				require.LessOrEqual(t, len(strings.ReplaceAll(line, "\t", "        ")), authres.LineWidth, "folded: %q", line)
			}
			back, err := authres.Parse(strings.TrimPrefix(strings.TrimSuffix(field, "\r\n"), "Authentication-Results:"))
			require.NoError(t, err, field)
			require.Equal(t, "mx.example.com", back.AuthServID)
			var got []string
			for _, res := range back.Results {
				got = append(got, res.Method+"="+res.Value)
			}
			require.Equal(t, tt.methods, got, field)
			for i, m := range tt.r.Methods() {
				require.Equal(t, m, h.Results[i].Text, "method string kept as the suite wrote it")
			}
		})
	}
	_, err := r.Header("")
	require.ErrorIs(t, err, authres.ErrAuthServID)

	passed := r.DKIMPassed()
	require.Len(t, passed, 1, "only the rsa2026 signature passed")
	require.Equal(t, "rsa2026", passed[0].Selector)
	require.True(t, strings.HasPrefix(r.ReceivedSPF("mx.example.com"), "Received-SPF: pass"), r.ReceivedSPF("mx.example.com"))
}

func TestAction(t *testing.T) {
	tests := []struct {
		r    Result
		want Action
	}{
		{Result{DMARC: dmarc.Verdict{Result: dmarc.Pass}}, Accept},
		{Result{DMARC: dmarc.Verdict{Result: dmarc.None}}, Accept},
		{Result{DMARC: dmarc.Verdict{Result: dmarc.TempError}}, Accept},
		{Result{DMARC: dmarc.Verdict{Result: dmarc.Fail, Disposition: dmarc.PolicyNone}}, Accept},
		{Result{DMARC: dmarc.Verdict{Result: dmarc.Fail, Disposition: dmarc.PolicyQuarantine}}, Quarantine},
		{Result{DMARC: dmarc.Verdict{Result: dmarc.Fail, Disposition: dmarc.PolicyReject}}, Reject},
		{Result{FromErr: mailmsg.ErrFrom}, Reject},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.r.Action(), "%+v", tt.r.DMARC)
	}
	require.Equal(t, []string{"accept", "quarantine", "reject"}, []string{Accept.String(), Quarantine.String(), Reject.String()})
	require.Equal(t, "message refused: example.org asks to reject mail that fails DMARC", (&Result{FromDomain: "example.org"}).RejectText())
	require.Equal(t, "message refused: it needs exactly one From address", (&Result{FromErr: mailmsg.ErrFrom}).RejectText())
}
