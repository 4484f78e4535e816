package mtasts

import (
	"strings"

	"golang.org/x/net/idna"
)

// Match reports whether host is one of the policy's MX patterns (RFC 8461
// §4.1): a pattern "*.example.com" stands for exactly one left-most label
// ("mx1.example.com", not "example.com" nor "a.b.example.com"); any other
// pattern must equal host. The comparison ignores ASCII case and a trailing
// dot on host; a host in U-labels is compared in A-labels. A host that is
// not a valid name, or contains "*", matches nothing. Match looks at the
// patterns only: what a match means depends on Mode (see Plan).
func (p *Policy) Match(host string) bool {
	if p == nil {
		return false
	}
	h := strings.TrimSuffix(host, ".")
	if !isASCII(h) {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return false
		}
		h = a
	}
	if h == "" || strings.IndexByte(h, '*') >= 0 {
		return false
	}
	for _, pat := range p.MX {
		if matchPattern(pat, h) {
			return true
		}
	}
	return false
}

// matchPattern compares one pattern with an ASCII host name, ignoring case.
func matchPattern(pat, host string) bool {
	if !strings.HasPrefix(pat, "*.") {
		return strings.EqualFold(pat, host)
	}
	suffix := pat[1:] // ".example.com"
	if len(host) <= len(suffix) {
		return false
	}
	label := host[:len(host)-len(suffix)]
	return strings.IndexByte(label, '.') < 0 && strings.EqualFold(host[len(label):], suffix)
}
