package dkim

import "fmt"

// Canonicalization names a canonicalization algorithm (RFC 6376 §3.4).
type Canonicalization string

// Canonicalization algorithms.
const (
	// Simple tolerates almost no modification (RFC 6376 §3.4.1, §3.4.3).
	Simple Canonicalization = "simple"
	// Relaxed tolerates whitespace changes and header re-folding
	// (RFC 6376 §3.4.2, §3.4.4). It is the default for signing here.
	Relaxed Canonicalization = "relaxed"
)

func parseCanonicalization(s string) (Canonicalization, error) {
	switch Canonicalization(lower(s)) {
	case Simple:
		return Simple, nil
	case Relaxed:
		return Relaxed, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnsupportedCanonicalization, clip(s))
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// appendSimpleHeader appends a header field unchanged (RFC 6376 §3.4.1),
// except that a bare LF line ending becomes CRLF and a field cut off at the
// end of the input is completed with CRLF.
func appendSimpleHeader(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			dst = append(dst, '\r')
		}
		dst = append(dst, c)
	}
	if len(raw) == 0 || raw[len(raw)-1] != '\n' {
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// appendRelaxedHeader appends the relaxed form of a header field
// (RFC 6376 §3.4.2): name lower-cased, whitespace around the colon removed,
// continuation lines unfolded, runs of WSP reduced to one SP, WSP at the
// start and end of the value removed, ending in CRLF.
func appendRelaxedHeader(dst, raw []byte) []byte {
	colon := -1
	for i, c := range raw {
		if c == ':' {
			colon = i
			break
		}
	}
	name, value := raw, []byte(nil)
	if colon >= 0 {
		name, value = raw[:colon], raw[colon+1:]
	}
	// Field names cannot contain WSP; drop any before the colon ("B :").
	for _, c := range name {
		if isWSP(c) || c == '\r' || c == '\n' {
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	dst = append(dst, ':')
	space, started := false, false
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c == '\n' || c == '\r' && i+1 < len(value) && value[i+1] == '\n':
			// line breaks of folded lines vanish (unfolding)
		case isWSP(c):
			space = true
		default:
			if space && started {
				dst = append(dst, ' ')
			}
			space, started = false, true
			dst = append(dst, c)
		}
	}
	return append(dst, '\r', '\n')
}

// appendHeader appends the canonical form of a header field.
func appendHeader(dst, raw []byte, c Canonicalization) []byte {
	if c == Relaxed {
		return appendRelaxedHeader(dst, raw)
	}
	return appendSimpleHeader(dst, raw)
}

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
