// Package txtfields reads the field syntax that the MTA-STS TXT record
// (RFC 8461 §3.1) and the TLSRPT TXT record (RFC 8460 §3) share, so that
// mx/mtasts and mx/tlsrpt accept and refuse the same things:
//
//	record = version 1*(delim field) [delim]
//	delim  = *WSP ";" *WSP
//	field  = name "=" value
//	name   = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//	value  = 1*(%x21-3A / %x3C / %x3E-7E)
//
// The version and the names are case-sensitive. What the fields mean is
// each package's business.
package txtfields

import (
	"fmt"
	"strings"
)

// Syntax describes one record type.
type Syntax struct {
	// Version is the text the record must start with, such as "v=STSv1".
	Version string
	// ListField names a field whose value runs to the next ";" (or the
	// end), white space and all, instead of being one run of value
	// characters: TLSRPT's "rua", a ","-separated list. Its value may be
	// empty; the caller checks it.
	ListField string
	// TrailingWSP accepts white space after the last field when no ";"
	// follows, which the grammar does not.
	TrailingWSP bool
}

// Walk checks that txt is a record of syntax s and calls field for each
// field, in order. It stops at the first syntax error or the first error
// field returns, and returns that error. Its own errors say what is wrong
// and where, without naming a package; the caller wraps them.
func (s Syntax) Walk(txt string, field func(name, value string) error) error {
	if !strings.HasPrefix(txt, s.Version) {
		return fmt.Errorf("does not start with %q", s.Version)
	}
	rest := txt[len(s.Version):]
	for rest != "" {
		r := trimWSP(rest)
		if r == "" && s.TrailingWSP {
			return nil
		}
		if r == "" || r[0] != ';' {
			return fmt.Errorf("expected \";\" at %q", Cut(rest))
		}
		rest = trimWSP(r[1:])
		if rest == "" {
			return nil // the optional trailing delimiter
		}
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			return fmt.Errorf("field %q has no \"=\"", Cut(rest))
		}
		name := rest[:eq]
		if !IsName(name) {
			return fmt.Errorf("invalid field name %q", Cut(name))
		}
		rest = rest[eq+1:]
		n := 0
		if name == s.ListField {
			n = strings.IndexByte(rest, ';')
			if n < 0 {
				n = len(rest)
			}
		} else {
			for n < len(rest) && isValueChar(rest[n]) {
				n++
			}
			if n == 0 {
				return fmt.Errorf("field %q has an empty value", name)
			}
		}
		if err := field(name, rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	return nil
}

// WriteField appends "; name=value" to b, a field as String methods of
// the records write it.
func WriteField(b *strings.Builder, name, value string) {
	b.WriteString("; ")
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(value)
}

// IsName reports whether s is a field name: a letter or digit, then up to
// 31 letters, digits, "_", "-" and ".". MTA-STS policy files (RFC 8461
// §3.2, sts-policy-ext-name) use the same rule for their keys.
func IsName(s string) bool {
	if len(s) == 0 || len(s) > 32 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// Cut shortens s to 80 octets for an error message.
func Cut(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isValueChar: visible ASCII except "=" and ";".
func isValueChar(c byte) bool {
	return c >= 0x21 && c <= 0x7e && c != '=' && c != ';'
}

func trimWSP(s string) string {
	return strings.TrimLeft(s, " \t")
}
