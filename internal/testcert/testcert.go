// Package testcert makes the certificates that the suite's TLS tests and
// runnable examples serve and trust: a CA, server certificates it issues,
// self-signed ones, and chains with chosen path lengths, validity and key
// usages (for the DANE and MTA-STS checks of RFC 7671 and RFC 8461 §4.2).
//
// New is the one maker; it returns an error, so examples/ can use it in
// their non-test code. Tests use the helpers that take a testing.TB and
// end the test on failure:
//
//	ca := testcert.NewCA(t, "test CA")
//	cert := ca.Issue(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), "mx.example.com")
//	roots := ca.Pool()
//
// Keys are ECDSA P-256 unless a Spec names another. Package code of the
// module never imports it (DESIGN.md: internal/* is for tests and
// examples).
package testcert

import (
	"crypto/tls"
	"testing"
	"time"
)

// Make makes the certificate s describes, signed by parent (nil:
// self-signed), as New does. A failure ends the test.
func Make(t testing.TB, s Spec, parent *Cert) *Cert {
	t.Helper()
	c, err := New(s, parent)
	if err != nil {
		t.Fatal(err)
	}
	return c
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
	s := ServerSpec(names...)
	s.NotBefore, s.NotAfter = notBefore, notAfter
	return Make(t, s, c).TLS()
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
	return Make(t, ServerSpec(name), nil).TLS()
}
