package dane

import (
	"crypto/x509"
	"strconv"
	"strings"
)

// certMatchesNames reports whether the server certificate names one of the
// reference identifiers (RFC 7672 §3.2.2, §3.2.3): its DNS subject
// alternative names, or, when it has none, the common name of its subject
// (RFC 6125 §6.4.4, as OpenSSL and Postfix do).
func certMatchesNames(c *x509.Certificate, refs []string) bool {
	for _, pattern := range presentedNames(c) {
		for _, ref := range refs {
			if nameMatches(pattern, ref) {
				return true
			}
		}
	}
	return false
}

// presentedNames are the names the certificate presents for matching.
func presentedNames(c *x509.Certificate) []string {
	if len(c.DNSNames) > 0 {
		return c.DNSNames
	}
	if cn := c.Subject.CommonName; cn != "" {
		return []string{cn}
	}
	return nil
}

// nameMatches matches a presented name against a reference identifier
// (RFC 7672 §3.2.3): case-insensitive, a trailing dot ignored, a wildcard
// only as the whole left-most label of a name with at least two more
// labels, matching exactly one label.
func nameMatches(pattern, ref string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	ref = strings.ToLower(strings.TrimSuffix(ref, "."))
	if pattern == "" || ref == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		if !strings.Contains(rest, ".") || strings.Contains(rest, "*") {
			return false
		}
		label, parent, ok := strings.Cut(ref, ".")
		return ok && label != "" && parent == rest
	}
	if strings.Contains(pattern, "*") {
		return false // partial wildcards are not honoured
	}
	return pattern == ref
}

// certNames lists the names of a certificate for an error.
func certNames(c *x509.Certificate) string {
	n := presentedNames(c)
	if len(n) == 0 {
		return "no name"
	}
	return quoteNames(n)
}

// quoteNames quotes and joins names for an error, at most five.
func quoteNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == 5 {
			b.WriteString(", ...")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(n))
	}
	return b.String()
}
