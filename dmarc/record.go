package dmarc

import (
	"fmt"
	"strconv"
	"strings"
)

// Policy is a Domain Owner Assessment Policy (RFC 9989 §4.7, tags p, sp,
// np) or a disposition derived from one. The empty Policy means "absent".
type Policy string

// Policies (RFC 9989 §4.7).
const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// AlignmentMode is the identifier alignment mode of the adkim and aspf tags
// (RFC 9989 §4.7). The empty value means "absent", read as relaxed.
type AlignmentMode string

// Alignment modes.
const (
	AlignRelaxed AlignmentMode = "r"
	AlignStrict  AlignmentMode = "s"
)

// PSDFlag is the value of the psd tag (RFC 9989 §4.7). The empty value
// means "absent", read as PSDUnknown.
type PSDFlag string

// psd tag values.
const (
	PSDYes     PSDFlag = "y" // the domain is a Public Suffix Domain
	PSDNo      PSDFlag = "n" // not a PSD, and the Organizational Domain for itself and below
	PSDUnknown PSDFlag = "u" // the default: use the tree walk
)

// Defaults of the historic RFC 7489 tags.
const (
	DefaultPercent        = 100   // pct (RFC 7489 §6.3)
	DefaultReportInterval = 86400 // ri, seconds (RFC 7489 §6.3)
)

// Tag is a tag=value pair as it appeared in a record: the name lower-cased
// (tag names are case-insensitive), the value with surrounding white space
// removed.
type Tag struct {
	Name, Value string
}

// Record is a parsed DMARC Policy Record (RFC 9989 §4.7; historic tags of
// RFC 7489 §6.3). Fields hold what the record says; absent tags keep their
// zero value, and the methods return the effective values with defaults.
type Record struct {
	Policy            Policy        // p; "" when absent or invalid
	SubdomainPolicy   Policy        // sp; "" when absent or invalid
	NonExistentPolicy Policy        // np; "" when absent or invalid
	PSD               PSDFlag       // psd; "" when absent or invalid
	Testing           bool          // t=y
	DKIMAlignment     AlignmentMode // adkim; "" when absent or invalid
	SPFAlignment      AlignmentMode // aspf; "" when absent or invalid
	// FailureOptions is the fo tag in canonical form ("0", "1:d", ...);
	// "" when absent or invalid (the default is "0").
	FailureOptions string
	// AggregateReportURIs (rua) and FailureReportURIs (ruf) hold the
	// syntactically valid URIs of the list, in order.
	AggregateReportURIs []ReportURI
	FailureReportURIs   []ReportURI
	// Percent is the historic pct tag (0-100), meaningful when HasPercent
	// is set; see EffectivePercent. It is applied only in PSL (RFC 7489)
	// mode.
	Percent    int
	HasPercent bool
	// ReportFormats is the historic rf tag (lower case); nil when absent.
	ReportFormats []string
	// ReportInterval is the historic ri tag in seconds; 0 when absent or
	// invalid (see EffectiveReportInterval).
	ReportInterval uint32
	// Invalid lists registered tags whose value did not parse; RFC 9989
	// §4.8 says to discard such values in favour of defaults, which the
	// fields above reflect. They are kept so String round-trips and so an
	// evaluator can tell "p invalid" from "p absent" (§4.10.1).
	Invalid []Tag
	// Extensions lists tags this package does not know, in order. RFC 9989
	// §4.7 says to ignore them; they are kept only for String.
	Extensions []Tag
}

// EffectiveDKIMAlignment returns adkim with its default (relaxed).
func (r *Record) EffectiveDKIMAlignment() AlignmentMode {
	return orDefault(r.DKIMAlignment, AlignRelaxed)
}

// EffectiveSPFAlignment returns aspf with its default (relaxed).
func (r *Record) EffectiveSPFAlignment() AlignmentMode {
	return orDefault(r.SPFAlignment, AlignRelaxed)
}

// EffectivePercent returns pct with its default (100).
func (r *Record) EffectivePercent() int {
	if !r.HasPercent {
		return DefaultPercent
	}
	return r.Percent
}

// EffectiveReportInterval returns ri with its default (86400 seconds).
func (r *Record) EffectiveReportInterval() uint32 {
	return orDefault(r.ReportInterval, DefaultReportInterval)
}

// EffectivePSD returns psd with its default ("u").
func (r *Record) EffectivePSD() PSDFlag {
	return orDefault(r.PSD, PSDUnknown)
}

// EffectiveFailureOptions returns fo with its default ("0").
func (r *Record) EffectiveFailureOptions() string {
	return orDefault(r.FailureOptions, "0")
}

// orDefault returns v, or def when v is the zero value (the tag was
// absent).
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// InvalidTag reports whether the registered tag name was present with a
// value that did not parse.
func (r *Record) InvalidTag(name string) bool {
	for _, t := range r.Invalid {
		if t.Name == name {
			return true
		}
	}
	return false
}

// PolicyUsable reports how RFC 9989 §4.10.1 (and RFC 7489 §6.6.3 step 6)
// treats the record: when it has a valid p tag and no invalid sp or np tag
// it is used as published (asNone false, ok true). Otherwise, when rua holds
// at least one valid URI, the receiver acts as if the record said p=none
// (asNone true, ok true); without one, no DMARC processing applies (ok
// false).
func (r *Record) PolicyUsable() (asNone, ok bool) {
	if r.Policy != "" && !r.InvalidTag("sp") && !r.InvalidTag("np") {
		return false, true
	}
	if len(r.AggregateReportURIs) > 0 {
		return true, true
	}
	return false, false
}

// registeredTag returns a bit for each tag of the DMARC Tags registry
// (RFC 9989 §9.3, including the historic ones), 0 for others.
func registeredTag(name string) uint16 {
	switch name {
	case "v":
		return 1 << 0
	case "p":
		return 1 << 1
	case "sp":
		return 1 << 2
	case "np":
		return 1 << 3
	case "psd":
		return 1 << 4
	case "t":
		return 1 << 5
	case "adkim":
		return 1 << 6
	case "aspf":
		return 1 << 7
	case "fo":
		return 1 << 8
	case "rua":
		return 1 << 9
	case "ruf":
		return 1 << 10
	case "pct":
		return 1 << 11
	case "rf":
		return 1 << 12
	case "ri":
		return 1 << 13
	}
	return 0
}

// maxRecordLen bounds the text Parse accepts; real records are far
// shorter, and DNS answers are limited to 64 KiB anyway.
const maxRecordLen = 65535

// isWSP reports RFC 5234 WSP plus CR and LF, which zone files sometimes
// leave in concatenated strings.
func isWSP(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimWSP(s string) string {
	i, j := 0, len(s)
	for i < j && isWSP(s[i]) {
		i++
	}
	for j > i && isWSP(s[j-1]) {
		j--
	}
	return s[i:j]
}

// HasDMARCVersion reports whether txt starts with the tag "v=DMARC1"
// (RFC 9989 §4.10 steps 2 and 6: the test that decides whether a TXT record
// counts as a DMARC record at all). The record must begin with the "v":
// the §4.8 ABNF (dmarc-record = dmarc-version ...) allows no white space
// before it, so " v=DMARC1" is not a DMARC record. The tag name is
// case-insensitive, the value "DMARC1" case-sensitive, and white space
// around "=" is allowed.
func HasDMARCVersion(txt string) bool {
	s := txt
	if len(s) == 0 || (s[0] != 'v' && s[0] != 'V') {
		return false
	}
	s = trimWSP(s[1:])
	if len(s) == 0 || s[0] != '=' {
		return false
	}
	s = trimWSP(s[1:])
	if !strings.HasPrefix(s, "DMARC1") {
		return false
	}
	s = trimWSP(s[len("DMARC1"):])
	return s == "" || s[0] == ';'
}

// Parse parses a DMARC Policy Record (RFC 9989 §4.7, §4.8).
//
// It fails only when the text does not start with "v=DMARC1"
// (ErrNotDMARC; white space before it is not allowed either) or when a
// registered tag is repeated (ErrDuplicateTag: RFC 9989 §4.7 adopts the
// DKIM tag-list syntax, and RFC 6376 §3.2 makes a list with a repeated
// tag invalid). Everything else follows §4.8: unknown tags are ignored
// (kept in Extensions), registered tags with invalid values fall back to
// their defaults (and are listed in Invalid), and fragments that are not
// tags at all (no "=", empty segments, names that are not 1*ALPHA) are
// skipped.
//
// Tag names are case-insensitive: the §4.8 ABNF writes each as a quoted
// string, which RFC 5234 §2.3 makes case-insensitive, so "P=reject" is
// p=reject (and repeats a "p" tag). Records such as "V=DMARC1; P=reject"
// are published; reading P as an unknown tag would turn a reject policy
// into none. Keyword values (none, reject, y, r, ...) are case-insensitive
// too; the value "DMARC1" is case-sensitive (%s"DMARC1").
func Parse(txt string) (*Record, error) {
	return parse(txt)
}

// ParseRFC7489 parses a record by the rules of RFC 7489 §6.3 and §6.4.
// Those agree with RFC 9989 on everything Parse checks (tag names are
// case-insensitive literals in both), so ParseRFC7489 is Parse; it is
// kept for callers that name the RFC 7489 reading.
func ParseRFC7489(txt string) (*Record, error) {
	return parse(txt)
}

func parse(txt string) (*Record, error) {
	if len(txt) > maxRecordLen {
		return nil, fmt.Errorf("%w: record is %d bytes long", ErrNotDMARC, len(txt))
	}
	if !HasDMARCVersion(txt) {
		return nil, fmt.Errorf("%w: %q does not start with v=DMARC1", ErrNotDMARC, truncate(txt, 60))
	}
	r := &Record{}
	seen := registeredTag("v")
	rest := ""
	if i := strings.IndexByte(txt, ';'); i >= 0 {
		rest = txt[i:]
	}
	for len(rest) > 0 {
		rest = rest[1:] // the ';'
		var seg string
		if i := strings.IndexByte(rest, ';'); i >= 0 {
			seg, rest = rest[:i], rest[i:]
		} else {
			seg, rest = rest, ""
		}
		seg = trimWSP(seg)
		if seg == "" {
			continue
		}
		eq := strings.IndexByte(seg, '=')
		if eq < 0 {
			continue // not a tag: ignored outright (§4.8)
		}
		name := trimWSP(seg[:eq])
		value := trimWSP(seg[eq+1:])
		if !isAlpha(name) {
			continue
		}
		name = lowerASCII(name)
		bit := registeredTag(name)
		if bit == 0 {
			// Unknown tags are ignored (§4.7), repeated or not.
			if validValueChars(value) {
				r.Extensions = append(r.Extensions, Tag{Name: name, Value: value})
			}
			continue
		}
		if seen&bit != 0 {
			return nil, fmt.Errorf("%w: %q appears more than once (tag names are case-insensitive)", ErrDuplicateTag, name)
		}
		seen |= bit
		if value == "" || !validValueChars(value) || !r.setTag(name, value) {
			r.Invalid = append(r.Invalid, Tag{Name: name, Value: value})
		}
	}
	return r, nil
}

// lowerASCII lower-cases s, without allocating when it already is.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func isAlpha(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// validValueChars checks dmarc-value: printable ASCII and space, no ";".
func validValueChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' {
			continue
		}
		if c < 0x20 || c > 0x7e || c == ';' {
			return false
		}
	}
	return true
}

// setTag stores one registered tag; false means the value is invalid.
func (r *Record) setTag(name, value string) bool {
	lv := lowerASCII(value)
	switch name {
	case "p", "sp", "np":
		p, ok := parsePolicy(lv)
		if !ok {
			return false
		}
		switch name {
		case "p":
			r.Policy = p
		case "sp":
			r.SubdomainPolicy = p
		default:
			r.NonExistentPolicy = p
		}
	case "psd":
		switch lv {
		case "y", "n", "u":
			r.PSD = PSDFlag(lv)
		default:
			return false
		}
	case "t":
		switch lv {
		case "y":
			r.Testing = true
		case "n":
			r.Testing = false
		default:
			return false
		}
	case "adkim", "aspf":
		if lv != "r" && lv != "s" {
			return false
		}
		if name == "adkim" {
			r.DKIMAlignment = AlignmentMode(lv)
		} else {
			r.SPFAlignment = AlignmentMode(lv)
		}
	case "fo":
		fo, ok := parseFailureOptions(lv)
		if !ok {
			return false
		}
		r.FailureOptions = fo
	case "rua", "ruf":
		uris := parseURIList(value)
		if len(uris) == 0 {
			return false
		}
		if name == "rua" {
			r.AggregateReportURIs = uris
		} else {
			r.FailureReportURIs = uris
		}
	case "pct":
		if len(lv) > 3 || !allDigits(lv) {
			return false
		}
		n, _ := strconv.Atoi(lv)
		if n > 100 {
			return false
		}
		r.Percent, r.HasPercent = n, true
	case "ri":
		if !allDigits(lv) {
			return false
		}
		n, err := strconv.ParseUint(lv, 10, 32)
		if err != nil {
			return false
		}
		r.ReportInterval = uint32(n)
	case "rf":
		var fs []string
		for _, f := range strings.Split(lv, ":") {
			f = trimWSP(f)
			if !isKeyword(f) {
				return false
			}
			fs = append(fs, f)
		}
		r.ReportFormats = fs
	}
	return true
}

func parsePolicy(lv string) (Policy, bool) {
	switch Policy(lv) {
	case PolicyNone, PolicyQuarantine, PolicyReject:
		return Policy(lv), true
	}
	return "", false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isKeyword: RFC 5321 Keyword-like token (ALPHA / DIGIT / "-"), starting
// with a letter or digit.
func isKeyword(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// parseFailureOptions checks dmarc-fo (RFC 9989 §4.8): colon-separated
// options from {0, 1, d, s}, each at most once, "0" and "1" mutually
// exclusive, any order. White space around colons is tolerated (RFC 7489
// allowed it). It returns the options joined without white space.
func parseFailureOptions(lv string) (string, bool) {
	var seen [4]bool // 0 1 d s
	var kept [4]string
	out := kept[:0] // each option at most once, so never more than four
	trimmed := false
	for more, rest := true, lv; more; {
		var f string
		f, rest, more = strings.Cut(rest, ":")
		if t := trimWSP(f); t != f {
			f, trimmed = t, true
		}
		var i int
		switch f {
		case "0":
			i = 0
		case "1":
			i = 1
		case "d":
			i = 2
		case "s":
			i = 3
		default:
			return "", false
		}
		if seen[i] {
			return "", false
		}
		seen[i] = true
		out = append(out, f)
	}
	if seen[0] && seen[1] {
		return "", false
	}
	if !trimmed {
		return lv, true // already in its normal form
	}
	return strings.Join(out, ":"), true
}

// String formats the record so that Parse(r.String()) yields a record equal
// to r: "v=DMARC1" followed by the tags present, in a fixed order (p, sp,
// np, psd, t, adkim, aspf, fo, rua, ruf, pct, rf, ri), then invalid and
// unknown tags as they were given. Tags at their default that the fields
// cannot tell from absent (t=n) are left out.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=DMARC1")
	add := func(name, value string) {
		if value == "" {
			return
		}
		b.WriteString("; ")
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(value)
	}
	add("p", string(r.Policy))
	add("sp", string(r.SubdomainPolicy))
	add("np", string(r.NonExistentPolicy))
	add("psd", string(r.PSD))
	if r.Testing {
		add("t", "y")
	}
	add("adkim", string(r.DKIMAlignment))
	add("aspf", string(r.SPFAlignment))
	add("fo", r.FailureOptions)
	add("rua", joinURIs(r.AggregateReportURIs))
	add("ruf", joinURIs(r.FailureReportURIs))
	if r.HasPercent {
		add("pct", strconv.Itoa(r.Percent))
	}
	add("rf", strings.Join(r.ReportFormats, ":"))
	if r.ReportInterval != 0 {
		add("ri", strconv.FormatUint(uint64(r.ReportInterval), 10))
	}
	for _, tags := range [...][]Tag{r.Invalid, r.Extensions} {
		for _, t := range tags {
			b.WriteString("; ")
			b.WriteString(t.Name)
			b.WriteByte('=')
			b.WriteString(t.Value)
		}
	}
	return b.String()
}
