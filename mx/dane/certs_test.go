package dane_test

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"

	"github.com/mailsmith/mailsmith/mx/dane"
)

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
