package dane

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Certificate usages (RFC 6698 §2.1.1, RFC 7218 §2.1).
const (
	UsagePKIXTA uint8 = 0 // PKIX-TA: unusable for SMTP (RFC 7672 §3.1.3)
	UsagePKIXEE uint8 = 1 // PKIX-EE: unusable for SMTP (RFC 7672 §3.1.3)
	UsageDANETA uint8 = 2 // DANE-TA: a trust anchor of the server's chain (RFC 7672 §3.1.2)
	UsageDANEEE uint8 = 3 // DANE-EE: the server's own certificate or key (RFC 7672 §3.1.1)
)

// Selectors (RFC 6698 §2.1.2, RFC 7218 §2.2).
const (
	SelectorCert uint8 = 0 // the whole certificate, DER
	SelectorSPKI uint8 = 1 // the certificate's SubjectPublicKeyInfo, DER
)

// Matching types (RFC 6698 §2.1.3, RFC 7218 §2.3).
const (
	MatchFull    uint8 = 0 // the selected data itself
	MatchSHA256  uint8 = 1 // SHA2-256 of the selected data
	MatchSHA512  uint8 = 2 // SHA2-512 of the selected data
	maxDataBytes       = 65535
)

// Record is one TLSA record (RFC 6698 §2.1): certificate usage, selector,
// matching type and the certificate association data. The zero value is a
// "0 0 0" record with no data, which is unusable.
type Record struct {
	Usage, Selector, MatchingType uint8
	Data                          []byte
}

// ParseRecord parses the presentation form of a TLSA record's data
// (RFC 6698 §2.2): three decimal fields and the association data in
// hexadecimal, which may be split by white space, as in "3 1 1 0123...".
// The data is at least one byte and at most 65535. A record that parses
// may still be unusable (an unknown usage, a digest of the wrong length):
// Verify skips those, Usable tells them apart.
func ParseRecord(s string) (Record, error) {
	f := strings.Fields(s)
	if len(f) < 4 {
		return Record{}, fmt.Errorf("%w: %q: want \"usage selector matching-type hex-data\"", ErrSyntax, clip(s))
	}
	var r Record
	names := [3]string{"usage", "selector", "matching type"}
	dst := [3]*uint8{&r.Usage, &r.Selector, &r.MatchingType}
	for i := range 3 {
		v, err := strconv.ParseUint(f[i], 10, 8)
		if err != nil {
			return Record{}, fmt.Errorf("%w: %s %q is not a number from 0 to 255", ErrSyntax, names[i], clip(f[i]))
		}
		*dst[i] = uint8(v)
	}
	h := strings.Join(f[3:], "")
	if len(h) > 2*maxDataBytes {
		return Record{}, fmt.Errorf("%w: association data longer than %d bytes", ErrSyntax, maxDataBytes)
	}
	d, err := hex.DecodeString(h)
	if err != nil {
		return Record{}, fmt.Errorf("%w: association data: not hexadecimal: %v", ErrSyntax, err)
	}
	if len(d) == 0 {
		return Record{}, fmt.Errorf("%w: association data is empty", ErrSyntax)
	}
	r.Data = d
	return r, nil
}

// clip shortens text quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// String returns the record's presentation form, "3 1 1 <lower-case hex>".
func (r Record) String() string {
	return strconv.Itoa(int(r.Usage)) + " " + strconv.Itoa(int(r.Selector)) + " " +
		strconv.Itoa(int(r.MatchingType)) + " " + hex.EncodeToString(r.Data)
}

// Usable reports whether an SMTP client can use the record (RFC 7672
// §3.1): usage DANE-TA(2) or DANE-EE(3) (PKIX-TA(0) and PKIX-EE(1) are
// unusable for SMTP, §3.1.3), a known selector and matching type, a
// digest of the length its matching type says, and, for matching type
// Full(0), data that parses as a certificate (selector 0) or a
// SubjectPublicKeyInfo (selector 1; for DANE-TA(2) a public key this
// package can check signatures with). The error says why not.
func (r Record) Usable() error {
	switch r.Usage {
	case UsageDANETA, UsageDANEEE:
	case UsagePKIXTA, UsagePKIXEE:
		return fmt.Errorf("dane: record %s: usage %d (PKIX) is unusable for SMTP (RFC 7672 §3.1.3)", r.short(), r.Usage)
	default:
		return fmt.Errorf("dane: record %s: unknown usage %d", r.short(), r.Usage)
	}
	return r.usableParams()
}

// usableParams checks the selector, the matching type and the data.
func (r Record) usableParams() error {
	if r.Selector != SelectorCert && r.Selector != SelectorSPKI {
		return fmt.Errorf("dane: record %s: unknown selector %d", r.short(), r.Selector)
	}
	switch r.MatchingType {
	case MatchSHA256:
		if len(r.Data) != sha256.Size {
			return fmt.Errorf("dane: record %s: SHA2-256 digest of %d bytes, want %d", r.short(), len(r.Data), sha256.Size)
		}
	case MatchSHA512:
		if len(r.Data) != sha512.Size {
			return fmt.Errorf("dane: record %s: SHA2-512 digest of %d bytes, want %d", r.short(), len(r.Data), sha512.Size)
		}
	case MatchFull:
		if r.Selector == SelectorCert {
			if _, err := x509.ParseCertificate(r.Data); err != nil {
				return fmt.Errorf("dane: record %s: data is not a certificate: %v", r.short(), err)
			}
		} else {
			if !isSPKI(r.Data) {
				return fmt.Errorf("dane: record %s: data is not a SubjectPublicKeyInfo", r.short())
			}
			if r.Usage == UsageDANETA {
				if _, err := x509.ParsePKIXPublicKey(r.Data); err != nil {
					return fmt.Errorf("dane: record %s: trust anchor key: %v", r.short(), err)
				}
			}
		}
	default:
		return fmt.Errorf("dane: record %s: unknown matching type %d", r.short(), r.MatchingType)
	}
	return nil
}

// short is the record's parameters and the start of its data, for errors.
func (r Record) short() string {
	s := r.String()
	if len(s) > 30 {
		return s[:30] + "..."
	}
	return s
}

// isSPKI reports whether b is one DER SubjectPublicKeyInfo and nothing
// after it (RFC 5280 §4.1).
func isSPKI(b []byte) bool {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	rest, err := asn1.Unmarshal(b, &spki)
	return err == nil && len(rest) == 0
}

// Equal reports whether two records are the same.
func (r Record) Equal(o Record) bool {
	return r.Usage == o.Usage && r.Selector == o.Selector && r.MatchingType == o.MatchingType &&
		string(r.Data) == string(o.Data)
}
