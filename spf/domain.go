package spf

import (
	"strings"

	"golang.org/x/net/idna"
)

// Limits on domain names (RFC 1035 §2.3.4, RFC 7208 §4.3 and §7.3).
const (
	maxDomainLen = 253 // longest name, in presentation form without the final dot
	maxLabelLen  = 63
)

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

// isTopLabel reports whether s matches the toplabel rule of RFC 7208 §7.1:
// alphanumerics with at least one letter, or alphanumerics and hyphens that
// neither start nor end with a hyphen.
func isTopLabel(s string) bool {
	if s == "" {
		return false
	}
	letter, hyphen := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c):
			letter = true
		case isDigit(c):
		case c == '-':
			hyphen = true
		default:
			return false
		}
	}
	if hyphen {
		return s[0] != '-' && s[len(s)-1] != '-'
	}
	return letter
}

// validName reports whether name (no final dot) can be sent as a DNS query:
// labels of 1 to 63 octets, at most 253 octets in all.
func validName(name string) bool {
	if name == "" || len(name) > maxDomainLen {
		return false
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			if n := i - start; n == 0 || n > maxLabelLen {
				return false
			}
			start = i + 1
		}
	}
	return true
}

// identityDomain validates the domain of an identity as RFC 7208 §4.3
// requires before check_host() starts: a fully qualified, multi-label name
// with no empty or over-long label, not an address literal, whose last
// label is a toplabel (§7.1: not all-numeric, so a bare IPv4 address given
// as HELO is not looked up). A final dot is dropped and internationalized
// names are converted to A-labels. ok is false when check_host() must
// return "none".
func identityDomain(d string) (string, bool) {
	d = strings.TrimSuffix(d, ".")
	ascii := true
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c >= 0x80 {
			ascii = false
		} else if c <= ' ' || c == 0x7f || c == '@' || c == '[' || c == ']' {
			return "", false
		}
	}
	if !ascii {
		a, err := idna.Lookup.ToASCII(d)
		if err != nil {
			return "", false
		}
		d = a
	}
	dot := strings.LastIndexByte(d, '.')
	if !validName(d) || dot < 0 || !isTopLabel(d[dot+1:]) {
		return "", false
	}
	return d, true
}

// trimDot removes one final dot.
func trimDot(s string) string { return strings.TrimSuffix(s, ".") }

// truncateName drops leading labels until name fits in 253 octets
// (RFC 7208 §7.3).
func truncateName(name string) string {
	for len(name) > maxDomainLen {
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return ""
		}
		name = name[i+1:]
	}
	return name
}

// hasSuffixFold reports whether name equals suffix or ends in "."+suffix,
// ignoring ASCII case.
func hasSuffixFold(name, suffix string) bool {
	if len(name) < len(suffix) {
		return false
	}
	if !strings.EqualFold(name[len(name)-len(suffix):], suffix) {
		return false
	}
	return len(name) == len(suffix) || name[len(name)-len(suffix)-1] == '.'
}
