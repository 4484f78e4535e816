package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
)

// KeyType is a key type of the k= tag (RFC 6376 §3.6.1, RFC 8463 §4):
// KeyTypeRSA or KeyTypeEd25519 (KeyRecord.KeyType holds others as read).
//
// It is an alias of string, not a type of its own, so that code written
// when the constants were untyped strings (struct fields and parameters of
// type string holding them, comparisons with string values) still builds.
type KeyType = string

// Key types of the k= tag (RFC 6376 §3.6.1, RFC 8463 §4).
const (
	KeyTypeRSA     KeyType = "rsa"
	KeyTypeEd25519 KeyType = "ed25519"
)

// KeyRecord is a DKIM key record, the TXT record published at
// <selector>._domainkey.<domain> (RFC 6376 §3.6.1).
type KeyRecord struct {
	// Version is v= ("DKIM1"); "" when absent, which is allowed.
	Version string
	// KeyType is k=, lower-cased: "rsa" (the default) or "ed25519".
	KeyType KeyType
	// HashAlgorithms is h=: the hashes the key may be used with; nil
	// means any.
	HashAlgorithms []string
	// Services is s=: nil means "*" (all).
	Services []string
	// Flags is t=: "y" (testing) and "s" (strict identity); unknown flags
	// are kept and ignored.
	Flags []string
	// Notes is n=, as written.
	Notes string
	// PublicKey is *rsa.PublicKey or ed25519.PublicKey; nil when the key
	// is revoked (empty p=).
	PublicKey crypto.PublicKey
}

// Revoked reports whether the record revokes its selector (empty p=).
func (k *KeyRecord) Revoked() bool { return k.PublicKey == nil }

// Testing reports whether the t=y flag is set: the domain is testing DKIM
// and verifiers must not treat the message differently from an unsigned
// one (RFC 6376 §3.6.1).
func (k *KeyRecord) Testing() bool { return k.hasFlag("y") }

// Strict reports whether the t=s flag is set: the i= domain must equal d=.
func (k *KeyRecord) Strict() bool { return k.hasFlag("s") }

// CheckRSASize refuses an RSA key shorter than minBits (0 or negative
// means DefaultMinRSABits, RFC 8301 §3.2) with ErrKeyTooSmall, or longer
// than maxBits (0 or negative means DefaultMaxRSABits) with ErrKeyTooLarge. It looks only
// at the modulus length, so it costs nothing whatever the key; keys of
// other types pass. Verifier applies it before every RSA operation, and
// anything else that verifies with a published key (ARC, say) should too:
// the key comes from whoever controls the DNS record, and an RSA
// verification costs at least the square of the modulus length.
func (k *KeyRecord) CheckRSASize(minBits, maxBits int) error {
	rk, ok := k.PublicKey.(*rsa.PublicKey)
	if !ok || rk.N == nil {
		return nil
	}
	minBits = orDefault(minBits, DefaultMinRSABits)
	maxBits = orDefault(maxBits, DefaultMaxRSABits)
	switch n := rk.N.BitLen(); {
	case n < minBits:
		return fmt.Errorf("%w: %d-bit RSA key, minimum %d", ErrKeyTooSmall, n, minBits)
	case n > maxBits:
		return fmt.Errorf("%w: %d-bit RSA key, maximum %d", ErrKeyTooLarge, n, maxBits)
	}
	return nil
}

func (k *KeyRecord) hasFlag(f string) bool {
	for _, x := range k.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// ParseKeyRecord parses a key record (RFC 6376 §3.6.1, RFC 8463 §4). The
// TXT record's strings must already be concatenated (as net.Resolver does).
// Whitespace around tags and inside p= is allowed, unknown tags are
// ignored, a repeated tag invalidates the record. A record with an empty
// p= parses: it is revoked (see Revoked). p= of an RSA key may hold a
// SubjectPublicKeyInfo (the usual form) or a bare PKCS#1 RSAPublicKey.
func ParseKeyRecord(txt string) (*KeyRecord, error) {
	tags, err := parseTagList(txt)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	k := &KeyRecord{KeyType: KeyTypeRSA}
	var p string
	hasP := false
	for _, t := range tags {
		switch t.name {
		case "v":
			// RFC 6376 spells it "DKIM1"; other case is accepted.
			if !strings.EqualFold(t.value, "DKIM1") {
				return nil, fmt.Errorf("%w: v=%s is not DKIM1", ErrMalformedKey, clip(t.value))
			}
			k.Version = t.value
		case "k":
			k.KeyType = lower(t.value)
		case "h":
			k.HashAlgorithms = append(k.HashAlgorithms, splitList(lower(t.value))...)
		case "s":
			k.Services = append(k.Services, splitList(lower(t.value))...)
		case "t":
			k.Flags = append(k.Flags, splitList(lower(t.value))...)
		case "n":
			k.Notes = t.value
		case "p":
			p, hasP = removeFWS(t.value), true
		}
	}
	if !hasP {
		return nil, fmt.Errorf("%w: no p= tag", ErrMalformedKey)
	}
	if p == "" {
		return k, nil
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, fmt.Errorf("%w: p= is not base64", ErrMalformedKey)
	}
	switch k.KeyType {
	case KeyTypeRSA:
		if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
			rk, ok := pub.(*rsa.PublicKey)
			if !ok {
				return nil, fmt.Errorf("%w: k=rsa but p= holds a %T", ErrMalformedKey, pub)
			}
			k.PublicKey = rk
		} else if rk, err2 := x509.ParsePKCS1PublicKey(der); err2 == nil {
			k.PublicKey = rk
		} else {
			return nil, fmt.Errorf("%w: p= is not an RSA public key: %v", ErrMalformedKey, err)
		}
	case KeyTypeEd25519:
		if len(der) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: ed25519 p= has %d octets, want %d", ErrMalformedKey, len(der), ed25519.PublicKeySize)
		}
		k.PublicKey = ed25519.PublicKey(der)
	default:
		return nil, fmt.Errorf("%w: unknown key type k=%s", ErrMalformedKey, clip(k.KeyType))
	}
	return k, nil
}

// NewKeyRecord returns the record publishing pub (*rsa.PublicKey or
// ed25519.PublicKey, or a crypto.Signer's Public()).
func NewKeyRecord(pub crypto.PublicKey) (*KeyRecord, error) {
	switch pk := pub.(type) {
	case *rsa.PublicKey:
		return &KeyRecord{Version: "DKIM1", KeyType: KeyTypeRSA, PublicKey: pk}, nil
	case ed25519.PublicKey:
		return &KeyRecord{Version: "DKIM1", KeyType: KeyTypeEd25519, PublicKey: pk}, nil
	case ed25519.PrivateKey, *rsa.PrivateKey:
		return NewKeyRecord(pk.(crypto.Signer).Public())
	}
	return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

// String formats the record as TXT data, e.g.
// "v=DKIM1; k=ed25519; p=11qYAYKx...". RSA keys are written as
// SubjectPublicKeyInfo.
func (k *KeyRecord) String() string {
	var b strings.Builder
	b.WriteString("v=DKIM1")
	if k.KeyType != "" && k.KeyType != KeyTypeRSA {
		b.WriteString("; k=" + k.KeyType)
	} else {
		b.WriteString("; k=rsa")
	}
	if len(k.HashAlgorithms) > 0 {
		b.WriteString("; h=" + strings.Join(k.HashAlgorithms, ":"))
	}
	if len(k.Services) > 0 {
		b.WriteString("; s=" + strings.Join(k.Services, ":"))
	}
	if len(k.Flags) > 0 {
		b.WriteString("; t=" + strings.Join(k.Flags, ":"))
	}
	if k.Notes != "" {
		b.WriteString("; n=" + k.Notes)
	}
	b.WriteString("; p=")
	switch pk := k.PublicKey.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pk)
		if err == nil {
			b.WriteString(base64.StdEncoding.EncodeToString(der))
		}
	case ed25519.PublicKey:
		b.WriteString(base64.StdEncoding.EncodeToString(pk))
	}
	return b.String()
}

// TXT returns the record split into character-strings of at most 255
// octets, as a DNS TXT record needs (RFC 1035 §3.3.14); resolvers join
// them back.
func (k *KeyRecord) TXT() []string { return SplitTXT(k.String()) }

// ZoneText returns a zone-file line publishing the record for selector and
// domain, e.g. `sel._domainkey.example.org. 3600 IN TXT "v=DKIM1; ..." "..."`.
func (k *KeyRecord) ZoneText(selector, domain string) string {
	var b strings.Builder
	b.WriteString(selector + "._domainkey." + strings.TrimSuffix(domain, ".") + ". 3600 IN TXT")
	for _, s := range k.TXT() {
		b.WriteString(` "` + s + `"`)
	}
	return b.String()
}

// SplitTXT splits s into pieces of at most 255 octets.
func SplitTXT(s string) []string {
	var out []string
	for len(s) > 255 {
		out = append(out, s[:255])
		s = s[255:]
	}
	return append(out, s)
}
