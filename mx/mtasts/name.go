package mtasts

import (
	"fmt"
	"strings"

	"github.com/mailsmith/mailsmith/mx"
)

// normalizeDomain turns a domain as a user may write it (any case, U-labels,
// a trailing dot) into lower-case A-labels without the trailing dot
// (mx.NormalizeDomain), and checks that it is a host name of RFC 5321
// §4.1.2 (Domain: no "_" labels, as the policy host is a web host).
func normalizeDomain(domain string) (string, error) {
	d, err := mx.NormalizeDomain(domain)
	if err != nil {
		// mx says what is wrong; this package's prefix goes in front instead.
		return "", fmt.Errorf("%w: %s", ErrInvalidDomain, strings.TrimPrefix(err.Error(), mx.ErrInvalidDomain.Error()+": "))
	}
	if !isHostName(d) {
		return "", fmt.Errorf("%w: %q", ErrInvalidDomain, domain)
	}
	return d, nil
}

// isHostName reports whether s is an RFC 5321 §4.1.2 Domain in A-labels:
// dot-separated labels of letters, digits and inner hyphens, each 1 to 63
// octets, at most 253 octets in all.
func isHostName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			continue
		}
		if !isLabel(s[start:i]) {
			return false
		}
		start = i + 1
	}
	return true
}

// isLabel reports whether l is an RFC 5321 sub-domain in ASCII:
// Let-dig [Ldh-str], at most 63 octets.
func isLabel(l string) bool {
	if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
