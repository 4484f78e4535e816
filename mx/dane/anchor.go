package dane

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"time"
)

// anchor is a DANE-TA(2) trust anchor: a name and a public key
// (RFC 5280 §6.1.1 (d)), from a certificate of the chain, a certificate in
// a record, or a bare key in a record.
type anchor struct {
	rec  Record
	cert *x509.Certificate // nil for a bare key
	key  any               // the parsed public key
	alg  x509.PublicKeyAlgorithm
	spki []byte
}

func anchorFromCert(c *x509.Certificate, r Record) anchor {
	return anchor{rec: r, cert: c, key: c.PublicKey, alg: c.PublicKeyAlgorithm, spki: c.RawSubjectPublicKeyInfo}
}

func anchorFromKey(r Record) anchor {
	a := anchor{rec: r, spki: r.Data}
	a.key, _ = x509.ParsePKIXPublicKey(r.Data) // Usable checked it
	a.alg = keyAlgorithm(a.key)
	return a
}

// trustAnchor returns a certificate standing for the anchor in an
// x509.CertPool: its name and key, valid at any time, allowed to sign
// certificates. The constraints of the anchor's own certificate are not
// applied, as RFC 5280 §6.1.1 (d) takes a trust anchor as a name and a key.
func (a anchor) trustAnchor(subject []byte) *x509.Certificate {
	raw := sha256.Sum256(append(append([]byte{}, subject...), a.spki...))
	c := &x509.Certificate{
		Raw:                     raw[:],
		RawSubject:              subject,
		RawSubjectPublicKeyInfo: a.spki,
		PublicKey:               a.key,
		PublicKeyAlgorithm:      a.alg,
		Version:                 3,
		BasicConstraintsValid:   true,
		IsCA:                    true,
		MaxPathLen:              -1,
		NotBefore:               time.Time{},
		NotAfter:                time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	if a.cert != nil {
		c.Subject = a.cert.Subject
	} else {
		var n pkix.RDNSequence
		if _, err := asn1.Unmarshal(subject, &n); err == nil {
			c.Subject.FillFromRDNSequence(&n)
		}
	}
	return c
}

// verify builds a chain from the server certificate to the anchor with the
// other certificates the server sent and validates it at now. It returns
// the depth of the match.
func (a anchor) verify(chain []*x509.Certificate, now time.Time) (int, error) {
	if a.key == nil {
		return 0, x509.ErrUnsupportedAlgorithm
	}
	roots := x509.NewCertPool()
	if a.cert != nil {
		roots.AddCert(a.trustAnchor(a.cert.RawSubject))
	} else {
		// A bare key has no name: it stands for the issuer of every
		// certificate of the chain it signed.
		probe := a.trustAnchor(nil)
		found := false
		for _, c := range chain {
			if c.CheckSignatureFrom(probe) == nil {
				roots.AddCert(a.trustAnchor(c.RawIssuer))
				found = true
			}
		}
		if !found {
			return 0, errNoIssuer
		}
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		if a.cert != nil && c.Equal(a.cert) {
			continue
		}
		inter.AddCert(c)
	}
	chains, err := chain[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return 0, err
	}
	if err := serverKeyUsage(chain[0]); err != nil {
		return 0, err
	}
	// A self-signed certificate standing for the anchor must be valid
	// too, as OpenSSL (and so Postfix) requires of the top of a chain.
	for _, c := range append([]*x509.Certificate{a.cert}, chain[1:]...) {
		if c == nil || string(c.RawSubjectPublicKeyInfo) != string(a.spki) || !selfSigned(c) {
			continue
		}
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			return 0, x509.CertificateInvalidError{Cert: c, Reason: x509.Expired,
				Detail: "trust anchor certificate not valid at " + now.UTC().Format(time.RFC3339)}
		}
	}
	depth := -1
	for _, ch := range chains {
		if d := len(ch) - 1; depth < 0 || d < depth {
			depth = d
		}
	}
	if a.cert == nil {
		depth-- // OpenSSL counts the certificate the key signed
	}
	return depth, nil
}

// selfSigned reports whether c names itself as issuer and its signature
// verifies with its own key.
func selfSigned(c *x509.Certificate) bool {
	return string(c.RawIssuer) == string(c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// serverKeyUsage checks that a server certificate validated through a
// chain may serve TLS: a key usage extension, when present, must allow a
// TLS key (digitalSignature, keyEncipherment or keyAgreement), as the
// TLS server purpose of OpenSSL requires. The extended key usage is
// checked by x509.Verify (serverAuth, when present).
func serverKeyUsage(c *x509.Certificate) error {
	const tls = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement
	if c.KeyUsage != 0 && c.KeyUsage&tls == 0 {
		return x509.CertificateInvalidError{Cert: c, Reason: x509.IncompatibleUsage,
			Detail: "key usage allows no TLS server key"}
	}
	return nil
}

// keyAlgorithm is the x509 algorithm of a parsed public key.
func keyAlgorithm(k any) x509.PublicKeyAlgorithm {
	switch k.(type) {
	case *rsa.PublicKey:
		return x509.RSA
	case *ecdsa.PublicKey:
		return x509.ECDSA
	case ed25519.PublicKey:
		return x509.Ed25519
	}
	return x509.UnknownPublicKeyAlgorithm
}
