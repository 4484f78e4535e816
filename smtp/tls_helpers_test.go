package smtp

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailsmith/mailsmith/internal/testcert"
)

// tlsPair returns a server configuration serving a certificate that a
// fresh test CA issued for localhost, mx.test and the loopback addresses,
// and a client configuration that trusts that CA.
func tlsPair(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	ca := testcert.NewCA(t, "smtp test CA")
	leaf := testcert.Make(t, testcert.Spec{
		CN:       "mx.test",
		DNSNames: []string{"localhost", "mx.test"},
		IPs:      []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}, ca)
	return &tls.Config{Certificates: []tls.Certificate{leaf.TLS(ca)}}, &tls.Config{RootCAs: ca.Pool()}
}

// tlsServer returns the server half of tlsPair, for tests whose clients
// do not verify the certificate.
func tlsServer(t testing.TB) *tls.Config {
	server, _ := tlsPair(t)
	return server
}

// certFiles writes the certificate chain and key that server serves as
// PEM files for peer programs and returns their paths.
func certFiles(t testing.TB, server *tls.Config) (certFile, keyFile string) {
	t.Helper()
	cert := server.Certificates[0]
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	var chain []byte
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, chain, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
