package mx

import (
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// Limits on names (RFC 1035 §2.3.4 and §3.1: 63 octets per label, 255 octets
// on the wire, which leaves 253 characters in text form without the final
// dot). maxInputLen bounds the work spent on an over-long input before it is
// rejected.
const (
	maxLabelLen = 63
	maxNameLen  = 253
	maxInputLen = 1024
)

// NormalizeDomain returns domain as Lookup queries it: lower-case A-labels
// without a trailing dot, so that names compare equal whatever form a user
// wrote them in (for Host.Name, a cache key, a policy or report domain).
// Non-ASCII names are converted with the IDNA "lookup" profile (UTS #46,
// RFC 5891 §5; the ideographic full stops separate labels too). Labels that
// contain "_" never go through IDNA, whose STD3 rules would reject them.
//
// The result is a host name (RFC 1123 §2.1, RFC 5321 §4.1.2): labels of 1 to
// 63 letters, digits, hyphens and underscores, not starting or ending with
// a hyphen, at most 253 characters, and a top-level label that is not all
// digits. Anything else, and an address literal ("[192.0.2.1]"), is an
// error that wraps ErrInvalidDomain and says what is wrong.
func NormalizeDomain(domain string) (string, error) {
	in := domain
	if len(in) > maxInputLen {
		return "", fmt.Errorf("%w: %d characters long", ErrInvalidDomain, len(in))
	}
	if strings.HasPrefix(in, "[") {
		return "", fmt.Errorf("%w: %q is an address literal; deliver to the address itself (RFC 5321 §5.1)", ErrInvalidDomain, in)
	}
	ascii := isASCII(in)
	if !ascii {
		// The ideographic full stops separate labels too (RFC 3490 §3.1).
		in = strings.NewReplacer("\u3002", ".", "\uff0e", ".", "\uff61", ".").Replace(in)
	}
	in = strings.TrimSuffix(in, ".")
	if in == "" {
		return "", fmt.Errorf("%w: empty name", ErrInvalidDomain)
	}
	var name string
	if ascii {
		name = strings.ToLower(in)
	} else {
		var err error
		name, err = toASCII(in)
		if err != nil {
			return "", fmt.Errorf("%w: %q: %v", ErrInvalidDomain, domain, err)
		}
	}
	if why := checkHostname(name); why != "" {
		return "", fmt.Errorf("%w: %q: %s", ErrInvalidDomain, domain, why)
	}
	return name, nil
}

// toASCII converts a name with non-ASCII characters to A-labels. A name
// without "_" goes through IDNA whole; otherwise only its non-ASCII labels
// do, one at a time.
func toASCII(name string) (string, error) {
	if !strings.Contains(name, "_") {
		return idna.Lookup.ToASCII(name)
	}
	labels := strings.Split(name, ".")
	for i, l := range labels {
		if isASCII(l) {
			labels[i] = strings.ToLower(l)
			continue
		}
		a, err := idna.Lookup.ToASCII(l)
		if err != nil {
			return "", err
		}
		labels[i] = a
	}
	return strings.Join(labels, "."), nil
}

// classifyTarget checks an MX exchange name as returned by the resolver
// ("mx1.example.org."). It returns the host name in lower case without the
// trailing dot, or the reason the record cannot be used: ErrNullTarget for
// ".", ErrIPLiteral for an address, ErrInvalidTarget for anything else that
// is not a host name.
func classifyTarget(target string) (string, error) {
	t := strings.TrimSuffix(target, ".")
	if t == "" {
		return "", ErrNullTarget
	}
	if len(t) > maxInputLen {
		return "", ErrInvalidTarget
	}
	if _, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(t, "["), "]")); err == nil {
		return "", ErrIPLiteral
	}
	name := toLowerASCII(t)
	if !isASCII(t) {
		// DNS data is ASCII, but a custom Resolver may hand back decoded
		// U-labels; take them as their A-labels.
		a, err := toASCII(t)
		if err != nil {
			return "", ErrInvalidTarget
		}
		name = a
	}
	if checkHostname(name) != "" {
		return "", ErrInvalidTarget
	}
	return name, nil
}

// checkHostname checks a lower-case ASCII name without a trailing dot and
// returns what is wrong with it, or "" when it is a valid host name: labels
// of 1 to 63 letters, digits, hyphens and underscores, not starting or
// ending with a hyphen (RFC 1123 §2.1, RFC 5321 §4.1.2 Ldh-str; "_" is
// accepted because DNS serves such names), at most 253 characters, and a
// top-level label that is not all digits (RFC 3696 §2), so that no dotted
// number passes for a name.
func checkHostname(name string) string {
	if len(name) > maxNameLen {
		return fmt.Sprintf("%d characters long, more than %d", len(name), maxNameLen)
	}
	start := 0
	numeric := true
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			c := name[i]
			switch {
			case 'a' <= c && c <= 'z', c == '_', c == '-':
				numeric = false
			case '0' <= c && c <= '9':
			default:
				return fmt.Sprintf("character %q not allowed in a host name", c)
			}
			continue
		}
		label := name[start:i]
		switch {
		case label == "":
			return "empty label"
		case len(label) > maxLabelLen:
			return fmt.Sprintf("label of %d characters, more than %d", len(label), maxLabelLen)
		case label[0] == '-' || label[len(label)-1] == '-':
			return fmt.Sprintf("label %q starts or ends with a hyphen", label)
		}
		if i == len(name) && numeric {
			return "top-level label is all digits"
		}
		start = i + 1
		numeric = true
	}
	return ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// toLowerASCII lower-cases an ASCII string, without allocating when it is
// already in lower case.
func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
