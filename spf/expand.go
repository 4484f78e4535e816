package spf

import (
	"net/netip"
	"strconv"
	"strings"
)

// maxExpansion bounds the expansion of one macro-string. A record of a
// few kilobytes of "%{l}" and a long local-part would otherwise multiply
// into megabytes; no usable name or explanation comes near it.
const maxExpansion = 8192

// expand appends the expansion of the macro-string s (already validated)
// for the current <domain> (RFC 7208 §7). Invalid sequences, which Parse
// never lets through, are copied literally. Expansion stops as soon as
// more than maxExpansion bytes were appended; callers treat such a result
// as unusable.
func (e *evaluator) expand(dst []byte, s, domain string) []byte {
	limit := len(dst) + maxExpansion
	for i := 0; i < len(s); {
		if len(dst) > limit {
			return dst
		}
		j := strings.IndexByte(s[i:], '%')
		if j < 0 {
			return append(dst, s[i:]...)
		}
		dst = append(dst, s[i:i+j]...)
		i += j
		if i+1 >= len(s) {
			return append(dst, '%')
		}
		switch s[i+1] {
		case '%':
			dst = append(dst, '%')
			i += 2
			continue
		case '_':
			dst = append(dst, ' ')
			i += 2
			continue
		case '-':
			dst = append(dst, "%20"...)
			i += 2
			continue
		}
		m, n, ok := scanMacro(s[i:])
		if !ok {
			dst = append(dst, '%')
			i++
			continue
		}
		dst = appendTransformed(dst, e.macroValue(m.letter|0x20, domain), m)
		i += n
	}
	return dst
}

// macroValue returns the value of a macro letter (RFC 7208 §7.2).
func (e *evaluator) macroValue(letter byte, domain string) string {
	switch letter {
	case 's':
		return e.sender()
	case 'l':
		return e.local
	case 'o':
		return e.senderDomain
	case 'd':
		return domain
	case 'i':
		if e.inExp {
			if e.ipDottedExp == "" {
				e.ipDottedExp = dottedIP(e.ip, upperHex)
			}
			return e.ipDottedExp
		}
		if e.ipDotted == "" {
			e.ipDotted = dottedIP(e.ip, lowerHex)
		}
		return e.ipDotted
	case 'p':
		return e.validatedName(domain)
	case 'v':
		if e.ip.Is4() {
			return "in-addr"
		}
		return "ip6"
	case 'h':
		return e.helo
	case 'c':
		return e.ip.String()
	case 'r':
		if e.receiver == "" {
			return "unknown"
		}
		return e.receiver
	case 't':
		return strconv.FormatInt(e.now().Unix(), 10)
	}
	return ""
}

// sender returns <sender>, local-part@domain.
func (e *evaluator) sender() string {
	if e.senderAddr == "" {
		e.senderAddr = e.local + "@" + e.senderDomain
	}
	return e.senderAddr
}

// lowerHex holds the hex digits in lower case, for nibbles in names.
const lowerHex = "0123456789abcdef"

// dottedIP returns the address in the form of the "i" macro: dotted quad
// for IPv4, 32 dot-separated nibbles for IPv6 (RFC 7208 §7.3), written
// with the given hex digits. The case is not specified: in domain names
// the nibbles are lower case, as in RFC 7208 §7.4's example (DNS ignores
// case, but a resolver keyed on exact names might not); in explanations
// they are upper case, as the RFC 7208 test suite (v-macro-ip6) and pyspf
// have them.
func dottedIP(ip netip.Addr, hex string) string {
	if ip.Is4() {
		return ip.String()
	}
	b := ip.As16()
	var out [63]byte
	for i, x := range b {
		out[4*i] = hex[x>>4]
		out[4*i+2] = hex[x&15]
		if i > 0 {
			out[4*i-1] = '.'
		}
		out[4*i+1] = '.'
	}
	return string(out[:])
}
