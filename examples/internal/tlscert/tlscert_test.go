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
