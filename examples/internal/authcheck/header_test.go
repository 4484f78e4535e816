package authcheck

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
)

func TestStripForged(t *testing.T) {
	msg := []byte("Authentication-Results: mx.example.com; dmarc=pass\r\n" +
		"Authentication-Results: MX.Example.COM;\r\n\tspf=pass\r\n" +
		"Authentication-Results: mx.example.net; dkim=pass\r\n" +
		"Authentication-Results: mx.example.com.evil; dkim=pass\r\n" +
		"From: a@example.org\r\n\r\nAuthentication-Results: mx.example.com; in the body\r\n")
	out, n := StripForged(msg, "mx.example.com")
	require.Equal(t, 2, n)
	require.Equal(t, []string{"mx.example.net; dkim=pass", "mx.example.com.evil; dkim=pass"}, mailmsg.Get(out, "Authentication-Results"))
	require.Contains(t, string(out), "in the body")
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
}
