// Package testcert makes the certificates that the suite's TLS tests
// serve and trust: a test CA, server certificates it issues, self-signed
// ones, and chains with chosen path lengths, validity and key usages
// (for the DANE and MTA-STS checks of RFC 7671 and RFC 8461 §4.2).
//
//	ca := testcert.NewCA(t, "test CA")
//	cert := ca.Issue(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), "mx.example.com")
//	roots := ca.Pool()
//
// Keys are ECDSA P-256 unless a Spec names another. The package is
// imported by _test.go files only.
package testcert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// Cert is a certificate made by a test and its private key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Spec describes a certificate to make. The zero value is a server
// certificate with no names, valid from an hour ago for a day.
type Spec struct {
	CN       string
	DNSNames []string
	IPs      []net.IP // IP address names, for servers dialled by address
	// CA makes a certificate authority (key usage certificate and CRL
	// signing, basic constraints) instead of a server certificate.
	CA bool
	// MaxPath is a CA's path length constraint; -1: none.
	MaxPath   int
	NotBefore time.Time          // zero: an hour ago
	NotAfter  time.Time          // zero: a day from now
	Key       crypto.Signer      // nil: a new ECDSA P-256 key
	KeyUsage  x509.KeyUsage      // non-zero: instead of the default
	ExtKey    []x509.ExtKeyUsage // non-nil: instead of the default (server authentication for a non-CA)
}

var serial atomic.Int64

// Make makes the certificate s describes, signed by parent (nil:
// self-signed). A failure ends the test.
func Make(t testing.TB, s Spec, parent *Cert) *Cert {
	t.Helper()
	key := s.Key
	if key == nil {
		var err error
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
	}
	if s.NotBefore.IsZero() {
		s.NotBefore = time.Now().Add(-time.Hour)
	}
	if s.NotAfter.IsZero() {
		s.NotAfter = time.Now().Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: s.CN},
		DNSNames:     s.DNSNames,
		IPAddresses:  s.IPs,
		NotBefore:    s.NotBefore,
		NotAfter:     s.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if s.CA {
		tmpl.IsCA = true
		tmpl.BasicConstraintsValid = true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		if s.MaxPath >= 0 {
			tmpl.MaxPathLen = s.MaxPath
			tmpl.MaxPathLenZero = s.MaxPath == 0
		} else {
			tmpl.MaxPathLen = -1
		}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if s.KeyUsage != 0 {
		tmpl.KeyUsage = s.KeyUsage
	}
	if s.ExtKey != nil {
		tmpl.ExtKeyUsage = s.ExtKey
	}
	signer, issuer := key, tmpl
	if parent != nil {
		signer, issuer = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{Cert: c, Key: key}
}

// NewCA makes a self-signed CA named name with no path length
// constraint, valid from a day ago to a day from now.
func NewCA(t testing.TB, name string) *Cert {
	t.Helper()
	now := time.Now()
	return Make(t, Spec{CN: name, CA: true, MaxPath: -1, NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(24 * time.Hour)}, nil)
}

// Issue makes a server certificate for names (the first is also the
// common name) signed by c, valid from notBefore to notAfter, ready to
// serve.
func (c *Cert) Issue(t testing.TB, notBefore, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	return Make(t, Spec{CN: names[0], DNSNames: names, NotBefore: notBefore, NotAfter: notAfter}, c).TLS()
}

// Valid makes a server certificate for names signed by c, valid from an
// hour ago to an hour from now, ready to serve.
func (c *Cert) Valid(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	now := time.Now()
	return c.Issue(t, now.Add(-time.Hour), now.Add(time.Hour), names...)
}

// SelfSigned makes a server certificate for name signed by its own key,
// valid from an hour ago for a day, ready to serve.
func SelfSigned(t testing.TB, name string) tls.Certificate {
	t.Helper()
	return Make(t, Spec{CN: name, DNSNames: []string{name}}, nil).TLS()
}

// Pool returns a certificate pool holding only c.
func (c *Cert) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.Cert)
	return p
}

// TLS returns a tls.Certificate serving c and then rest, the chain
// toward the root.
func (c *Cert) TLS(rest ...*Cert) tls.Certificate {
	tc := tls.Certificate{PrivateKey: c.Key, Leaf: c.Cert}
	tc.Certificate = append(tc.Certificate, c.Cert.Raw)
	for _, r := range rest {
		tc.Certificate = append(tc.Certificate, r.Cert.Raw)
	}
	return tc
}

// Chain lists the certificates of cs.
func Chain(cs ...*Cert) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range cs {
		out = append(out, c.Cert)
	}
	return out
}
