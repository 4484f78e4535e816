package dkim

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Algorithm is a signing algorithm of the a= tag (RFC 6376 §3.3,
// RFC 8463 §3), lower-cased: AlgorithmRSASHA256, AlgorithmEd25519SHA256.
//
// It is an alias of string, not a type of its own, so that code written
// when the constants were untyped strings still builds (see KeyType).
type Algorithm = string

// Signing algorithms (RFC 6376 §3.3, RFC 8463).
const (
	AlgorithmRSASHA256     Algorithm = "rsa-sha256"
	AlgorithmEd25519SHA256 Algorithm = "ed25519-sha256"
	// AlgorithmRSASHA1 is recognized only to be refused (RFC 8301 §3.1).
	AlgorithmRSASHA1 Algorithm = "rsa-sha1"
)

// Signature is a parsed DKIM-Signature header field (RFC 6376 §3.5).
type Signature struct {
	Version   int       // v=, always 1
	Algorithm Algorithm // a=, lower-cased, e.g. "rsa-sha256"
	// HeaderCanonicalization and BodyCanonicalization come from c=
	// (default simple/simple).
	HeaderCanonicalization Canonicalization
	BodyCanonicalization   Canonicalization
	Domain                 string    // d=, lower-cased
	Selector               string    // s=
	Headers                []string  // h=, as written (compare case-insensitively)
	Identity               string    // i=, decoded; "@"+Domain when absent
	BodyLength             int64     // l=; -1 when absent
	QueryMethods           []string  // q=; nil when absent (dns/txt)
	Timestamp              time.Time // t=; zero when absent
	Expiration             time.Time // x=; zero when absent
	CopiedHeaders          string    // z=, raw
	BodyHash               []byte    // bh=, decoded
	Value                  []byte    // b=, decoded
	// B64 is b= as written without whitespace (for RFC 8601 header.b).
	B64 string
}

// ParseSignature parses the value of a DKIM-Signature header field (the
// text after the colon; a leading "DKIM-Signature:" is also accepted). It
// checks the syntax and the rules of RFC 6376 §6.1.1 that need no key or
// clock: version, required tags, supported algorithm, canonicalization and
// query method, From in h=, i= within d=, x= after t=. Whitespace and
// folding are allowed wherever RFC 6376 allows them; a= c= q= are
// case-insensitive.
func ParseSignature(value string) (*Signature, error) {
	s, err := parseSignature(value)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// parseSignature is ParseSignature returning what it could read even on
// error (for reporting d= and s= in the result).
func parseSignature(value string) (*Signature, error) {
	if len(value) > 15 && strings.EqualFold(value[:15], "DKIM-Signature:") {
		value = value[15:]
	}
	s := &Signature{BodyLength: -1}
	tags, err := parseTagList(value)
	if err != nil {
		return s, fmt.Errorf("%w: %v", ErrMalformedSignature, err)
	}
	get := func(name string) (string, bool) {
		for _, t := range tags {
			if t.name == name {
				return t.value, true
			}
		}
		return "", false
	}
	// Read d= and s= first so errors can be reported against them.
	if d, ok := get("d"); ok {
		s.Domain = strings.TrimSuffix(lower(removeFWS(d)), ".")
	}
	if sel, ok := get("s"); ok {
		s.Selector = removeFWS(sel)
	}
	if a, ok := get("a"); ok {
		s.Algorithm = lower(removeFWS(a))
	}
	v, ok := get("v")
	if !ok {
		return s, fmt.Errorf("%w: v=", ErrMissingTag)
	}
	if v != "1" {
		return s, fmt.Errorf("%w: v=%s", ErrUnsupportedVersion, clip(v))
	}
	s.Version = 1
	for _, name := range []string{"a", "b", "bh", "d", "h", "s"} {
		if _, ok := get(name); !ok {
			return s, fmt.Errorf("%w: %s=", ErrMissingTag, name)
		}
	}
	switch s.Algorithm {
	case AlgorithmRSASHA256, AlgorithmEd25519SHA256, AlgorithmRSASHA1:
		// rsa-sha1 parses (ParseSignature callers may want to see it);
		// Verify refuses it (RFC 8301 §3.1) before any key lookup.
	default:
		return s, fmt.Errorf("%w: a=%s", ErrUnsupportedAlgorithm, clip(s.Algorithm))
	}
	if err := CheckDomain(s.Domain); err != nil {
		return s, fmt.Errorf("%w: d=: %v", ErrMalformedSignature, err)
	}
	if err := CheckSelector(s.Selector); err != nil {
		return s, fmt.Errorf("%w: s=: %v", ErrMalformedSignature, err)
	}
	s.HeaderCanonicalization, s.BodyCanonicalization = Simple, Simple
	if c, ok := get("c"); ok {
		c = removeFWS(c)
		hc, bc, two := strings.Cut(c, "/")
		if s.HeaderCanonicalization, err = parseCanonicalization(hc); err != nil {
			return s, fmt.Errorf("c=: %w", err)
		}
		if two {
			if s.BodyCanonicalization, err = parseCanonicalization(bc); err != nil {
				return s, fmt.Errorf("c=: %w", err)
			}
		}
	}
	h, _ := get("h")
	// Empty h= entries ("from::to", a trailing ':') match no field; they
	// are dropped, as other verifiers effectively do.
	for _, name := range splitList(h) {
		if name != "" {
			s.Headers = append(s.Headers, name)
		}
	}
	from := false
	for _, name := range s.Headers {
		if err := checkFieldName(name); err != nil {
			return s, fmt.Errorf("%w: h=: %v", ErrMalformedSignature, err)
		}
		if strings.EqualFold(name, "from") {
			from = true
		}
	}
	if !from {
		return s, fmt.Errorf("%w: h=%s", ErrFromNotSigned, clip(h))
	}
	s.Identity = "@" + s.Domain
	if i, ok := get("i"); ok {
		id, err := decodeQP(removeFWS(i))
		if err != nil {
			return s, fmt.Errorf("%w: i=: %v", ErrMalformedSignature, err)
		}
		at := strings.LastIndexByte(id, '@')
		if at < 0 {
			return s, fmt.Errorf("%w: i=%s has no '@'", ErrMalformedSignature, clip(id))
		}
		s.Identity = id
		idDomain := strings.TrimSuffix(lower(id[at+1:]), ".")
		if idDomain != s.Domain && !strings.HasSuffix(idDomain, "."+s.Domain) {
			return s, fmt.Errorf("%w: i=%s, d=%s", ErrIdentityMismatch, clip(id), s.Domain)
		}
	}
	if l, ok := get("l"); ok {
		if s.BodyLength, err = parseDecimal(removeFWS(l), 76); err != nil {
			return s, fmt.Errorf("%w: l=: %v", ErrMalformedSignature, err)
		}
	}
	if q, ok := get("q"); ok {
		s.QueryMethods = splitList(removeFWS(q))
		dnsTXT := false
		for _, m := range s.QueryMethods {
			switch lower(m) {
			case "dns/txt", "dns":
				dnsTXT = true
			}
		}
		if !dnsTXT {
			return s, fmt.Errorf("%w: q=%s", ErrUnsupportedQueryMethod, clip(q))
		}
	}
	if t, ok := get("t"); ok {
		n, err := parseDecimal(removeFWS(t), 12)
		if err != nil {
			return s, fmt.Errorf("%w: t=: %v", ErrMalformedSignature, err)
		}
		s.Timestamp = time.Unix(n, 0)
	}
	if x, ok := get("x"); ok {
		n, err := parseDecimal(removeFWS(x), 12)
		if err != nil {
			return s, fmt.Errorf("%w: x=: %v", ErrMalformedSignature, err)
		}
		s.Expiration = time.Unix(n, 0)
		if !s.Timestamp.IsZero() && !s.Expiration.After(s.Timestamp) {
			return s, fmt.Errorf("%w: x=%d is not after t=%d", ErrExpired, n, s.Timestamp.Unix())
		}
	}
	if z, ok := get("z"); ok {
		s.CopiedHeaders = z
	}
	bh, _ := get("bh")
	if s.BodyHash, err = decodeBase64(bh); err != nil || len(s.BodyHash) == 0 {
		return s, fmt.Errorf("%w: bh=: not base64", ErrMalformedSignature)
	}
	b, _ := get("b")
	s.B64 = removeFWS(b)
	if s.Value, err = decodeBase64(b); err != nil || len(s.Value) == 0 {
		return s, fmt.Errorf("%w: b=: not base64", ErrMalformedSignature)
	}
	return s, nil
}

// parseDecimal parses up to maxDigits decimal digits; values beyond int64
// saturate (a huge l= simply exceeds every body).
func parseDecimal(s string, maxDigits int) (int64, error) {
	if s == "" || len(s) > maxDigits {
		return 0, fmt.Errorf("%q is not a number of 1 to %d digits", clip(s), maxDigits)
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, fmt.Errorf("%q is not a decimal number", clip(s))
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return math.MaxInt64, nil
	}
	return n, nil
}

// decodeBase64 decodes base64 that may contain folding whitespace and may
// lack padding.
func decodeBase64(s string) ([]byte, error) {
	s = removeFWS(s)
	if strings.HasSuffix(s, "=") || len(s)%4 == 0 {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// decodeQP decodes dkim-quoted-printable (RFC 6376 §2.11): =XX hex escapes.
func decodeQP(s string) (string, error) {
	if strings.IndexByte(s, '=') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("truncated =XX escape in %q", clip(s))
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("bad =XX escape in %q", clip(s))
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// CheckDomain checks a d= value (RFC 6376 §3.5, the domain-name of RFC
// 5321 §4.1.2 with '_' allowed): dot-separated labels of letters, digits,
// '-' and '_' (or non-ASCII octets), each 1 to 63 octets, at most 255
// octets in all. The error says what is wrong. It is a building block of
// Signer and ParseSignature, exported for schemes built on DKIM (ARC).
func CheckDomain(d string) error {
	if d == "" || len(d) > 255 {
		return fmt.Errorf("empty or too long domain")
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("bad domain %q", clip(d))
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' && c < 0x80 {
				return fmt.Errorf("bad domain %q", clip(d))
			}
		}
	}
	return nil
}

// CheckSelector checks an s= value (RFC 6376 §3.1: a selector has the
// syntax of a domain name, CheckDomain, in any case), which must not be
// empty.
func CheckSelector(s string) error {
	if s == "" {
		return fmt.Errorf("empty selector")
	}
	return CheckDomain(s) // which accepts letters of either case
}

func checkFieldName(name string) error {
	if name == "" {
		return fmt.Errorf("empty header field name")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("bad header field name %q", clip(name))
		}
	}
	return nil
}
