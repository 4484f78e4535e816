package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
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

// TestConfig: no files make a self-signed certificate for the host, a
// certificate and key pair in PEM files is served, and one file without
// the other or an unreadable file is an error.
func TestConfig(t *testing.T) {
	cert, err := SelfSigned("mx.example.com")
	require.NoError(t, err)
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600))
	tests := []struct {
		name, cert, key string
		want            []byte // the DER served; nil: a new certificate
		err             string
	}{
		{"self-signed", "", "", nil, ""},
		{"files", certFile, keyFile, cert.Certificate[0], ""},
		{"no key", certFile, "", nil, "tls: give both a certificate and a key file"},
		{"no certificate", "", keyFile, nil, "tls: give both a certificate and a key file"},
		{"missing file", certFile, filepath.Join(dir, "none.pem"), nil, "tls: open "},
	}
	for _, tt := range tests {
		cfg, err := Config(tt.cert, tt.key, "mx.example.com")
		if tt.err != "" {
			require.ErrorContains(t, err, tt.err, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		require.Len(t, cfg.Certificates, 1, tt.name)
		served := cfg.Certificates[0].Certificate[0]
		if tt.want != nil {
			require.Equal(t, tt.want, served, tt.name)
			continue
		}
		leaf, err := x509.ParseCertificate(served)
		require.NoError(t, err, tt.name)
		require.NoError(t, leaf.VerifyHostname("mx.example.com"), tt.name)
		require.NotEqual(t, cert.Certificate[0], served, tt.name)
	}
}

// TestSelfSigned: a self-signed certificate verifies, as its own root,
// for the host name or IP address it was made for and for no other.
func TestSelfSigned(t *testing.T) {
	for _, c := range []struct{ host, other string }{{"mx.example.com", "mx.example.net"}, {"127.0.0.1", "127.0.0.2"}, {"::1", "mx.example.com"}} {
		cert, err := SelfSigned(c.host)
		require.NoError(t, err)
		roots := x509.NewCertPool()
		roots.AddCert(cert.Leaf)
		_, err = cert.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: c.host})
		require.NoError(t, err, c.host)
		_, err = cert.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: c.other})
		require.Error(t, err, c.other)
		require.True(t, cert.Leaf.NotAfter.After(time.Now().Add(300*24*time.Hour)), "valid for a year: %v", cert.Leaf.NotAfter)
	}
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
