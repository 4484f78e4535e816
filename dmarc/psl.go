package dmarc

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// OrganizationalDomain returns the Organizational Domain of domain by the
// Public Suffix List (RFC 7489 §3.2, the RFC 7489 mode): the public suffix
// plus one label. A domain that is itself a public suffix is its own
// Organizational Domain. The result is normalized (A-labels, lower case, no
// trailing dot); an invalid name is returned lower-cased and trimmed.
// For the RFC 9989 DNS Tree Walk use Checker.OrganizationalDomain.
func OrganizationalDomain(domain string) string {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	}
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d
	}
	return org
}
