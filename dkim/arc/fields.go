package arc

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/dkim"
)

// Header field names of an ARC set (RFC 8617 §4.1).
const (
	SealField                  = "ARC-Seal"
	MessageSignatureField      = "ARC-Message-Signature"
	AuthenticationResultsField = "ARC-Authentication-Results"
)

// Limits on what a sender controls.
const (
	// MaxInstance is the highest i= allowed (RFC 8617 §4.2.1): a chain has
	// at most 50 sets.
	MaxInstance = 50
	// MaxFieldBytes is the longest ARC header field accepted, name and
	// folding included.
	MaxFieldBytes = 32 << 10
	// maxSignedHeaders bounds the h= list of an ARC-Message-Signature.
	maxSignedHeaders = 256
)

// Seal is a parsed ARC-Seal header field (RFC 8617 §4.1.3).
type Seal struct {
	Instance    int       // i=
	Algorithm   string    // a=, lower-cased
	Domain      string    // d=, lower-cased
	Selector    string    // s=
	ChainStatus Status    // cv=, lower-cased
	Timestamp   time.Time // t=; zero when absent
	Signature   []byte    // b=, decoded
}

// MessageSignature is a parsed ARC-Message-Signature header field
// (RFC 8617 §4.1.2): a DKIM-Signature whose i= is the instance number and
// which has no v=.
type MessageSignature struct {
	Instance               int    // i=
	Algorithm              string // a=, lower-cased
	Domain                 string // d=, lower-cased
	Selector               string // s=
	Headers                []string
	HeaderCanonicalization dkim.Canonicalization
	BodyCanonicalization   dkim.Canonicalization
	// CanonicalizationDefaulted is set when c= is absent:
	// HeaderCanonicalization and BodyCanonicalization are then simple,
	// DKIM's default, and Verify also tries relaxed/relaxed, the default
	// of the ARC drafts.
	CanonicalizationDefaulted bool
	BodyLength                int64     // l=; -1 when absent
	BodyHash                  []byte    // bh=, decoded
	Signature                 []byte    // b=, decoded
	Timestamp                 time.Time // t=; zero when absent
}

// tagMap is a parsed tag-list with lookup by name.
type tagMap []dkim.Tag

func (t tagMap) get(name string) (string, bool) {
	for _, x := range t {
		if x.Name == name {
			return x.Value, true
		}
	}
	return "", false
}

// trimName removes "Name:" from the front of value when it is there.
func trimName(value, name string) string {
	if len(value) > len(name) && strings.EqualFold(value[:len(name)], name) && value[len(name)] == ':' {
		return value[len(name)+1:]
	}
	return value
}

func parseTags(value, what string, required ...string) (tagMap, int, error) {
	if len(value) > MaxFieldBytes {
		return nil, 0, fmt.Errorf("%w: %s longer than %d bytes", ErrLimit, what, MaxFieldBytes)
	}
	tags, err := dkim.ParseTagList(value)
	if err == nil {
		err = checkEmptyTags(value)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	t := tagMap(tags)
	iv, ok := t.get("i")
	if !ok {
		return nil, 0, fmt.Errorf("%w: %s: no i= tag", ErrMalformed, what)
	}
	inst, err := parseInstance(iv)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	for _, name := range required {
		if _, ok := t.get(name); !ok {
			return nil, inst, fmt.Errorf("%w: %s i=%d: no %s= tag", ErrMalformed, what, inst, name)
		}
	}
	return t, inst, nil
}

// checkEmptyTags refuses an empty element in a tag-list (";;"): the
// grammar of RFC 6376 §3.2 allows one ";" only at the end, and the ARC
// test suite (as_format_tags_sc) expects such a seal to fail. (Package
// dkim tolerates them in DKIM-Signature fields, as verifiers do there.)
func checkEmptyTags(value string) error {
	rest := value
	for {
		i := strings.IndexByte(rest, ';')
		if i < 0 {
			return nil
		}
		if trimFWS(rest[:i]) == "" {
			return fmt.Errorf("empty tag before ';' at offset %d", len(value)-len(rest)+i)
		}
		rest = rest[i+1:]
	}
}

// parseInstance reads an i= value: 1 to MaxInstance, decimal digits only.
func parseInstance(s string) (int, error) {
	if s == "" || len(s) > 3 {
		return 0, fmt.Errorf("i=%q is not an instance number", clip(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("i=%q is not an instance number", clip(s))
		}
	}
	n, _ := strconv.Atoi(s)
	if n < 1 || n > MaxInstance {
		return 0, fmt.Errorf("i=%d outside 1..%d", n, MaxInstance)
	}
	return n, nil
}

// parseAlgorithm accepts the algorithms of RFC 8617 §4.1.3 (those of
// DKIM, under RFC 8301 and RFC 8463).
func parseAlgorithm(a string) (string, error) {
	a = strings.ToLower(dkim.RemoveFWS(a))
	switch a {
	case dkim.AlgorithmRSASHA256, dkim.AlgorithmEd25519SHA256:
		return a, nil
	case dkim.AlgorithmRSASHA1:
		return "", fmt.Errorf("%w: a=%s", dkim.ErrInsecureAlgorithm, a)
	}
	return "", fmt.Errorf("%w: a=%s", dkim.ErrUnsupportedAlgorithm, clip(a))
}

func parseDomainSelector(t tagMap) (domain, selector string, err error) {
	d, _ := t.get("d")
	s, _ := t.get("s")
	domain = strings.TrimSuffix(strings.ToLower(dkim.RemoveFWS(d)), ".")
	selector = dkim.RemoveFWS(s)
	if err := dkim.CheckDomain(domain); err != nil {
		return "", "", fmt.Errorf("d=: %v", err)
	}
	if err := dkim.CheckSelector(selector); err != nil {
		return "", "", fmt.Errorf("s=: %v", err)
	}
	return domain, selector, nil
}

func parseTimestamp(t tagMap) (time.Time, error) {
	v, ok := t.get("t")
	if !ok {
		return time.Time{}, nil
	}
	v = dkim.RemoveFWS(v)
	if v == "" || len(v) > 12 {
		return time.Time{}, fmt.Errorf("t=%q is not a timestamp", clip(v))
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("t=%q is not a timestamp", clip(v))
	}
	return time.Unix(n, 0), nil
}

func decodeB(t tagMap, name string) ([]byte, error) {
	v, _ := t.get(name)
	b, err := dkim.DecodeBase64(v)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%s= is not base64", name)
	}
	return b, nil
}

// ParseSeal parses the value of an ARC-Seal header field (the text after
// the colon; a leading "ARC-Seal:" is also accepted). Required tags: i a b
// cv d s (RFC 8617 §4.1.3); an h= tag is an error (the seal signs the ARC
// sets, not chosen fields).
func ParseSeal(value string) (*Seal, error) {
	t, inst, err := parseTags(trimName(value, SealField), SealField, "a", "b", "cv", "d", "s")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Seal, error) {
		return nil, fmt.Errorf("%w: %s i=%d: %w", ErrMalformed, SealField, inst, err)
	}
	s := &Seal{Instance: inst}
	if _, ok := t.get("h"); ok {
		return fail(fmt.Errorf("h= is not allowed"))
	}
	a, _ := t.get("a")
	if s.Algorithm, err = parseAlgorithm(a); err != nil {
		return fail(err)
	}
	if s.Domain, s.Selector, err = parseDomainSelector(t); err != nil {
		return fail(err)
	}
	cv, _ := t.get("cv")
	switch st := Status(strings.ToLower(cv)); st {
	case None, Pass, Fail:
		s.ChainStatus = st
	default:
		return fail(fmt.Errorf("cv=%q is not none, pass or fail", clip(cv)))
	}
	if s.Timestamp, err = parseTimestamp(t); err != nil {
		return fail(err)
	}
	if s.Signature, err = decodeB(t, "b"); err != nil {
		return fail(err)
	}
	return s, nil
}

// ParseMessageSignature parses the value of an ARC-Message-Signature
// header field (RFC 8617 §4.1.2). Required tags: i a b bh d h s; c=
// defaults to simple/simple as in DKIM (see CanonicalizationDefaulted);
// h= must not be empty nor name ARC-Seal.
func ParseMessageSignature(value string) (*MessageSignature, error) {
	t, inst, err := parseTags(trimName(value, MessageSignatureField), MessageSignatureField, "a", "b", "bh", "d", "h", "s")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*MessageSignature, error) {
		return nil, fmt.Errorf("%w: %s i=%d: %w", ErrMalformed, MessageSignatureField, inst, err)
	}
	m := &MessageSignature{Instance: inst, BodyLength: -1}
	a, _ := t.get("a")
	if m.Algorithm, err = parseAlgorithm(a); err != nil {
		return fail(err)
	}
	if m.Domain, m.Selector, err = parseDomainSelector(t); err != nil {
		return fail(err)
	}
	m.HeaderCanonicalization, m.BodyCanonicalization = dkim.Simple, dkim.Simple
	c, ok := t.get("c")
	m.CanonicalizationDefaulted = !ok
	if ok {
		if m.HeaderCanonicalization, m.BodyCanonicalization, err = dkim.ParseCanonicalizationTag(c); err != nil {
			return fail(err)
		}
	}
	h, _ := t.get("h")
	for _, name := range strings.Split(dkim.RemoveFWS(h), ":") {
		if name == "" {
			continue
		}
		if strings.EqualFold(name, SealField) {
			return fail(fmt.Errorf("h= names ARC-Seal"))
		}
		if len(m.Headers) == maxSignedHeaders {
			return fail(fmt.Errorf("h= lists more than %d fields", maxSignedHeaders))
		}
		m.Headers = append(m.Headers, name)
	}
	if len(m.Headers) == 0 {
		return fail(fmt.Errorf("h= is empty"))
	}
	if l, ok := t.get("l"); ok {
		l = dkim.RemoveFWS(l)
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil || n < 0 || len(l) > 76 {
			return fail(fmt.Errorf("l=%q is not a length", clip(l)))
		}
		m.BodyLength = n
	}
	if m.Timestamp, err = parseTimestamp(t); err != nil {
		return fail(err)
	}
	if m.BodyHash, err = decodeB(t, "bh"); err != nil {
		return fail(err)
	}
	if m.Signature, err = decodeB(t, "b"); err != nil {
		return fail(err)
	}
	return m, nil
}

// ParseAuthenticationResults reads the value of an
// ARC-Authentication-Results header field (RFC 8617 §4.1.1): "i=N;" and an
// Authentication-Results payload (RFC 8601), which it returns unparsed
// (authres.Parse reads it).
func ParseAuthenticationResults(value string) (instance int, payload string, err error) {
	value = trimName(value, AuthenticationResultsField)
	if len(value) > MaxFieldBytes {
		return 0, "", fmt.Errorf("%w: %s longer than %d bytes", ErrLimit, AuthenticationResultsField, MaxFieldBytes)
	}
	head, rest, ok := strings.Cut(value, ";")
	if !ok {
		return 0, "", fmt.Errorf("%w: %s: no \"i=N;\" in front", ErrMalformed, AuthenticationResultsField)
	}
	name, v, ok := strings.Cut(head, "=")
	if !ok || strings.TrimSpace(trimFWS(name)) != "i" {
		return 0, "", fmt.Errorf("%w: %s: no \"i=N;\" in front", ErrMalformed, AuthenticationResultsField)
	}
	if instance, err = parseInstance(trimFWS(v)); err != nil {
		return 0, "", fmt.Errorf("%w: %s: %v", ErrMalformed, AuthenticationResultsField, err)
	}
	return instance, rest, nil
}

func trimFWS(s string) string { return strings.Trim(s, " \t\r\n") }

// clip shortens sender-controlled text quoted in error messages.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
