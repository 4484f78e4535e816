package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/mx/dane"
)

// TestTLSARecord: the printed record is the zone line of the host's
// "3 1 1" record, and mx/dane's Verify matches it with the certificate it
// was made from and with no other.
func TestTLSARecord(t *testing.T) {
	cert, err := SelfSigned("mx.example.com")
	require.NoError(t, err)
	other, err := SelfSigned("mx.example.com")
	require.NoError(t, err)
	line, err := TLSARecord(&tls.Config{Certificates: []tls.Certificate{cert}}, "mx.example.com")
	require.NoError(t, err)
	prefix := "_25._tcp.mx.example.com. IN TLSA "
	require.True(t, strings.HasPrefix(line, prefix), line)
	rec, err := dane.ParseRecord(strings.TrimPrefix(line, prefix))
	require.NoError(t, err)
	require.Equal(t, [3]uint8{3, 1, 1}, [3]uint8{rec.Usage, rec.Selector, rec.MatchingType})
	chain := func(c tls.Certificate) []*x509.Certificate {
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		require.NoError(t, err)
		return []*x509.Certificate{leaf}
	}
	_, err = dane.Verify([]dane.Record{rec}, chain(cert), dane.VerifyOptions{})
	require.NoError(t, err)
	_, err = dane.Verify([]dane.Record{rec}, chain(other), dane.VerifyOptions{})
	require.ErrorIs(t, err, dane.ErrNoMatch)

	_, err = TLSARecord(&tls.Config{}, "mx.example.com")
	require.Error(t, err)
}

// TestCAIssue: a certificate the CA issues verifies against its pool for
// its names only, and an expired one does not.
func TestCAIssue(t *testing.T) {
	ca, err := NewCA("test CA")
	require.NoError(t, err)
	c, err := ca.Issue(time.Time{}, "mx.example.com", "mta-sts.example.com")
	require.NoError(t, err)
	for name, ok := range map[string]bool{"mx.example.com": true, "mta-sts.example.com": true, "mx.example.net": false} {
		_, err := c.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name})
		require.Equal(t, ok, err == nil, "%s: %v", name, err)
	}
	old, err := ca.Issue(time.Now().Add(-time.Minute), "mx.example.com")
	require.NoError(t, err)
	_, err = old.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "mx.example.com"})
	require.Error(t, err)
}

// TestPrintTLSA: the record on its own line after what it is for, the
// note for a self-signed certificate only, the reason when there is no
// record.
func TestPrintTLSA(t *testing.T) {
	cert, err := SelfSigned("mx.example.com")
	require.NoError(t, err)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	rec, err := TLSARecord(cfg, "mx.example.com")
	require.NoError(t, err)
	tests := []struct {
		name       string
		cfg        *tls.Config
		selfSigned bool
		want       string
	}{
		{"self-signed", cfg, true, "prog: TLSA record of the STARTTLS certificate (the self-signed key is new at every start: " +
			"give -cert and -key to publish a lasting record); publish (DNSSEC-signed):\n  " + rec + "\n"},
		{"given", cfg, false, "prog: TLSA record of the STARTTLS certificate; publish (DNSSEC-signed):\n  " + rec + "\n"},
		{"no certificate", &tls.Config{}, false, "prog: no TLSA record: tls: no certificate\n"},
	}
	for _, tt := range tests {
		var out strings.Builder
		PrintTLSA(&out, "prog", "STARTTLS certificate", tt.cfg, "mx.example.com", tt.selfSigned)
		require.Equal(t, tt.want, out.String(), tt.name)
	}
}
