package dmarc

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// idnaProfile converts U-labels to A-labels (RFC 9989 §5.3.1, RFC 5890
// §2.3) with lookup mapping (case folding, full-width dots) but without
// STD3 restrictions, so names with underscores still pass.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.StrictDomainName(false))

// maxDomainLen is the longest domain name in presentation form without the
// trailing dot (RFC 1035 §2.3.4: 255 octets on the wire).
const maxDomainLen = 253

// NormalizeDomain returns domain in the form this package compares and
// queries: A-labels (IDNA U-labels converted, RFC 9989 §5.3.1), lower case
// (RFC 4343), no trailing dot. It fails for empty, overlong or malformed
// names.
func NormalizeDomain(domain string) (string, error) {
	d := strings.TrimSpace(domain)
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidDomain)
	}
	ascii := true
	for i := 0; i < len(d); i++ {
		if d[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		a, err := idnaProfile.ToASCII(d)
		if err != nil {
			return "", fmt.Errorf("%w: %q: %v", ErrInvalidDomain, domain, err)
		}
		d = a
	}
	d = strings.ToLower(d)
	if len(d) > maxDomainLen {
		return "", fmt.Errorf("%w: %q is longer than %d octets", ErrInvalidDomain, truncate(domain, 40), maxDomainLen)
	}
	start := 0
	for i := 0; i <= len(d); i++ {
		if i < len(d) && d[i] != '.' {
			c := d[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", fmt.Errorf("%w: %q: character %q not allowed", ErrInvalidDomain, truncate(domain, 80), c)
			}
			continue
		}
		if n := i - start; n == 0 || n > 63 {
			return "", fmt.Errorf("%w: %q: empty or overlong label", ErrInvalidDomain, truncate(domain, 80))
		}
		start = i + 1
	}
	return d, nil
}

// labelCount returns the number of labels of a normalized domain.
func labelCount(d string) int {
	return strings.Count(d, ".") + 1
}

// suffixLabels returns the last n labels of the normalized domain d.
func suffixLabels(d string, n int) string {
	if n <= 0 {
		return ""
	}
	cnt := 0
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] == '.' {
			cnt++
			if cnt == n {
				return d[i+1:]
			}
		}
	}
	return d
}

// isSubdomain reports whether child is a proper subdomain of parent (both
// normalized).
func isSubdomain(child, parent string) bool {
	return len(child) > len(parent) && strings.HasSuffix(child, parent) && child[len(child)-len(parent)-1] == '.'
}

// shareSuffix reports whether a and b end in the same top-level label; two
// domains whose organizational domains are equal must.
func shareSuffix(a, b string) bool {
	return suffixLabels(a, 1) == suffixLabels(b, 1)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
