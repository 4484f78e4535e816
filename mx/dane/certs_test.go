package dane_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/mx/dane"
)

// certKey is a certificate made by a test and its private key.
type certKey struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var serial atomic.Int64

// certSpec describes a certificate to make.
type certSpec struct {
	cn        string
	dnsNames  []string
	ca        bool
	maxPath   int // for a CA: -1 none
	notBefore time.Time
	notAfter  time.Time
	key       crypto.Signer      // nil: a new ECDSA P-256 key
	ku        x509.KeyUsage      // non-zero: instead of the default
	eku       []x509.ExtKeyUsage // non-nil: instead of the default
}

// makeCert makes a certificate signed by parent (nil: self-signed).
func makeCert(t testing.TB, s certSpec, parent *certKey) *certKey {
	t.Helper()
	key := s.key
	if key == nil {
		var err error
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
	}
	if s.notBefore.IsZero() {
		s.notBefore = time.Now().Add(-time.Hour)
	}
	if s.notAfter.IsZero() {
		s.notAfter = time.Now().Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: s.cn},
		DNSNames:     s.dnsNames,
		NotBefore:    s.notBefore,
		NotAfter:     s.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if s.ca {
		tmpl.IsCA = true
		tmpl.BasicConstraintsValid = true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		if s.maxPath >= 0 {
			tmpl.MaxPathLen = s.maxPath
			tmpl.MaxPathLenZero = s.maxPath == 0
		} else {
			tmpl.MaxPathLen = -1
		}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if s.ku != 0 {
		tmpl.KeyUsage = s.ku
	}
	if s.eku != nil {
		tmpl.ExtKeyUsage = s.eku
	}
	signer, issuer := key, tmpl
	if parent != nil {
		signer, issuer = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &certKey{cert: c, key: key}
}

// tlsCert is a tls.Certificate serving leaf and then the rest of chain.
func tlsCert(leaf *certKey, rest ...*certKey) tls.Certificate {
	tc := tls.Certificate{PrivateKey: leaf.key, Leaf: leaf.cert}
	tc.Certificate = append(tc.Certificate, leaf.cert.Raw)
	for _, c := range rest {
		tc.Certificate = append(tc.Certificate, c.cert.Raw)
	}
	return tc
}

// rec makes the TLSA record of a certificate with the given parameters.
func rec(c *x509.Certificate, usage, selector, mtype uint8) dane.Record {
	data := c.Raw
	if selector == dane.SelectorSPKI {
		data = c.RawSubjectPublicKeyInfo
	}
	switch mtype {
	case dane.MatchSHA256:
		s := sha256.Sum256(data)
		data = s[:]
	case dane.MatchSHA512:
		s := sha512.Sum512(data)
		data = s[:]
	}
	return dane.Record{Usage: usage, Selector: selector, MatchingType: mtype, Data: append([]byte(nil), data...)}
}

// chainOf lists the certificates.
func chainOf(cs ...*certKey) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range cs {
		out = append(out, c.cert)
	}
	return out
}
