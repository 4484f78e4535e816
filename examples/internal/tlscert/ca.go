package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"time"

	"github.com/mailsmith/mailsmith/internal/testcert"
)

// year is how long the examples' certificates are valid.
const year = 365 * 24 * time.Hour

// CA is a certificate authority of the demo and the tests: its root
// stands in for the WebPKI, which MTA-STS relies on (RFC 8461 §4.2).
// The certificates come from internal/testcert.
type CA struct {
	Cert *x509.Certificate
	root *testcert.Cert
}

// NewCA makes a CA with a self-signed ECDSA P-256 root valid for a year.
func NewCA(name string) (*CA, error) {
	root, err := testcert.New(testcert.Spec{CN: name, CA: true, MaxPath: -1, NotAfter: time.Now().Add(year)}, nil)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: root.Cert, root: root}, nil
}

// Pool returns a certificate pool holding only the CA's root.
func (ca *CA) Pool() *x509.CertPool { return ca.root.Pool() }

// Issue returns a server certificate for the host names, signed by the
// CA, valid from an hour ago until notAfter (zero: a year from now).
func (ca *CA) Issue(notAfter time.Time, names ...string) (tls.Certificate, error) {
	if notAfter.IsZero() {
		notAfter = time.Now().Add(year)
	}
	return serverCert(notAfter, ca.root, names...)
}

// serverCert makes a server certificate for names (host names or IP
// addresses) signed by parent (nil: self-signed), valid from an hour ago
// until notAfter.
func serverCert(notAfter time.Time, parent *testcert.Cert, names ...string) (tls.Certificate, error) {
	s := testcert.ServerSpec(names...)
	s.NotAfter = notAfter
	c, err := testcert.New(s, parent)
	if err != nil {
		return tls.Certificate{}, err
	}
	return c.TLS(), nil
}
