package dane

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// RecordFor returns the "3 1 1" TLSA record of a certificate: DANE-EE(3),
// SPKI(1), SHA2-256(1) of the certificate's public key, the record
// RFC 7671 §8.1 recommends for SMTP servers. It stays valid when the
// certificate is renewed with the same key.
func RecordFor(cert *x509.Certificate) Record {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return Record{Usage: UsageDANEEE, Selector: SelectorSPKI, MatchingType: MatchSHA256, Data: sum[:]}
}

// RecordForKey returns the "3 1 1" TLSA record of a public key (an
// *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey), for example the
// Public() of the server's private key before its certificate exists.
func RecordForKey(pub crypto.PublicKey) (Record, error) {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return Record{}, fmt.Errorf("dane: public key: %w", err)
	}
	sum := sha256.Sum256(spki)
	return Record{Usage: UsageDANEEE, Selector: SelectorSPKI, MatchingType: MatchSHA256, Data: sum[:]}, nil
}

// ZoneText returns the record as a line of a zone file for the SMTP server
// host at port (0: 25), for example
// "_25._tcp.mx.example.org. IN TLSA 3 1 1 <hex>".
func (r Record) ZoneText(host string, port int) string {
	if port == 0 {
		port = 25
	}
	return "_" + strconv.Itoa(port) + "._tcp." + dns.Fqdn(strings.ToLower(host)) + " IN TLSA " + r.String()
}
