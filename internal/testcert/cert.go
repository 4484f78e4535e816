package testcert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Cert is a certificate made here and its private key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Spec describes a certificate to make. The zero value is a server
// certificate with no names, valid from an hour ago for a day.
type Spec struct {
	CN       string
	DNSNames []string
	IPs      []net.IP
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

// ServerSpec describes a server certificate for names, the first also
// its common name: names that are IP addresses go to Spec.IPs, the others
// to Spec.DNSNames. The validity is Spec's default until set.
func ServerSpec(names ...string) Spec {
	s := Spec{}
	if len(names) > 0 {
		s.CN = names[0]
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			s.IPs = append(s.IPs, ip)
		} else {
			s.DNSNames = append(s.DNSNames, n)
		}
	}
	return s
}

// New makes the certificate s describes, signed by parent (nil:
// self-signed), with a random 127-bit serial number. It is the maker
// behind the test helpers (Make and the others end the test instead of
// returning an error) and the examples' certificates.
func New(s Spec, parent *Cert) (*Cert, error) {
	key := s.Key
	if key == nil {
		var err error
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, fmt.Errorf("testcert: key: %w", err)
		}
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("testcert: serial number: %w", err)
	}
	if s.NotBefore.IsZero() {
		s.NotBefore = time.Now().Add(-time.Hour)
	}
	if s.NotAfter.IsZero() {
		s.NotAfter = time.Now().Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
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
		tmpl.MaxPathLen = max(s.MaxPath, -1)
		tmpl.MaxPathLenZero = s.MaxPath == 0
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
		return nil, fmt.Errorf("testcert: %q: %w", s.CN, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("testcert: %q: %w", s.CN, err)
	}
	return &Cert{Cert: c, Key: key}, nil
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
