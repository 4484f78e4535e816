package spf

import (
	"strconv"
	"strings"
)

// maxMacroParts caps the DIGIT transformer; no name has more labels.
const maxMacroParts = 128

// macroDelimiters are the delimiters of RFC 7208 §7.1.
const macroDelimiters = ".-+,/_="

// checkMacroString validates a macro-string (RFC 7208 §7.1). In an
// explanation (exp true) spaces and the letters c, r and t are allowed too
// (§6.2, §7.2). It reports whether the string ends in a macro-expand, and
// returns a non-empty reason when the string is invalid.
func checkMacroString(s string, exp bool) (endsInMacro bool, reason string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			if (c < 0x21 || c > 0x7e) && !(exp && c == ' ') {
				return false, "invalid character " + strconv.QuoteRune(rune(c))
			}
			endsInMacro = false
			i++
			continue
		}
		if i+1 >= len(s) {
			return false, `"%" at the end`
		}
		switch s[i+1] {
		case '%', '_', '-':
			i += 2
			endsInMacro = true
			continue
		case '{':
		default:
			return false, `"%" must be followed by "{", "%", "_" or "-"`
		}
		m, n, ok := scanMacro(s[i:])
		if !ok {
			return false, "malformed macro " + strconv.Quote(truncateForError(s[i:]))
		}
		switch m.letter | 0x20 {
		case 's', 'l', 'o', 'd', 'i', 'p', 'h', 'v':
		case 'c', 'r', 't':
			if !exp {
				return false, "macro %{" + string(m.letter) + "} is allowed only in explanations"
			}
		default:
			return false, "unknown macro letter " + strconv.QuoteRune(rune(m.letter))
		}
		i += n
		endsInMacro = true
	}
	return endsInMacro, ""
}

func truncateForError(s string) string {
	if len(s) > 16 {
		return s[:16] + "..."
	}
	return s
}

// macro is a parsed "%{...}" expression.
type macro struct {
	letter  byte   // as written; upper case asks for URL escaping
	parts   int    // rightmost parts to keep; 0: all
	reverse bool   // the "r" transformer
	delims  string // delimiters; "" means "."
}

// scanMacro parses "%{" letter *DIGIT ["r"] *delimiter "}" at the start of
// s and returns it with its length. A DIGIT transformer must be non-zero
// (RFC 7208 §7.3).
func scanMacro(s string) (m macro, n int, ok bool) {
	if len(s) < 4 || s[0] != '%' || s[1] != '{' || !isAlpha(s[2]) {
		return m, 0, false
	}
	m.letter = s[2]
	i := 3
	digits := false
	for i < len(s) && isDigit(s[i]) {
		digits = true
		if m.parts <= maxMacroParts {
			m.parts = m.parts*10 + int(s[i]-'0')
		}
		i++
	}
	if digits && m.parts == 0 {
		return m, 0, false
	}
	if m.parts > maxMacroParts {
		m.parts = maxMacroParts
	}
	if i < len(s) && s[i]|0x20 == 'r' {
		m.reverse = true
		i++
	}
	start := i
	for i < len(s) && strings.IndexByte(macroDelimiters, s[i]) >= 0 {
		i++
	}
	m.delims = s[start:i]
	if i >= len(s) || s[i] != '}' {
		return m, 0, false
	}
	return m, i + 1, true
}

// appendTransformed appends value split on m's delimiters, reversed and cut
// to the rightmost parts as m asks, joined with "." (RFC 7208 §7.3), URL
// escaped when the macro letter is upper case (§7.3, RFC 3986 unreserved).
func appendTransformed(dst []byte, value string, m macro) []byte {
	escape := m.letter >= 'A' && m.letter <= 'Z'
	if m.parts == 0 && !m.reverse && (m.delims == "" || m.delims == ".") {
		return appendEscaped(dst, value, escape)
	}
	delims := m.delims
	if delims == "" {
		delims = "."
	}
	isDelim := func(c byte) bool { return strings.IndexByte(delims, c) >= 0 }
	total := 1
	for i := 0; i < len(value); i++ {
		if isDelim(value[i]) {
			total++
		}
	}
	keep := total
	if m.parts > 0 && m.parts < total {
		keep = m.parts
	}
	if !m.reverse {
		// Skip the leftmost total-keep parts, then copy the rest with
		// every delimiter written as ".".
		start := 0
		for skip := total - keep; skip > 0; start++ {
			if isDelim(value[start]) {
				skip--
			}
		}
		for i := start; i < len(value); i++ {
			c := value[i]
			if isDelim(c) {
				c = '.'
			}
			dst = appendEscapedByte(dst, c, escape)
		}
		return dst
	}
	// Reversed: the rightmost keep parts of the reversed list are the
	// leftmost keep parts of the original, written last to first.
	end := len(value)
	if keep < total {
		seen := 0
		for i := 0; i < len(value); i++ {
			if isDelim(value[i]) {
				seen++
				if seen == keep {
					end = i
					break
				}
			}
		}
	}
	for j := end; ; {
		i := j - 1
		for i >= 0 && !isDelim(value[i]) {
			i--
		}
		dst = appendEscaped(dst, value[i+1:j], escape)
		if i < 0 {
			return dst
		}
		dst = append(dst, '.')
		j = i
	}
}

func appendEscaped(dst []byte, s string, escape bool) []byte {
	if !escape {
		return append(dst, s...)
	}
	for i := 0; i < len(s); i++ {
		dst = appendEscapedByte(dst, s[i], true)
	}
	return dst
}

const upperHex = "0123456789ABCDEF"

func appendEscapedByte(dst []byte, c byte, escape bool) []byte {
	if !escape || isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' {
		return append(dst, c)
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}

// usesLocalPart reports whether the macro-string s has an "s" or "l"
// macro, in either case: the macros that carry the local-part of
// <sender>.
func usesLocalPart(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if s[i+1] == '{' {
			if c := s[i+2] | 0x20; c == 's' || c == 'l' {
				return true
			}
		}
		i++ // skip the character after '%' ("%%" is a literal percent)
	}
	return false
}
