package srs

import "strings"

// lastAt returns the index of the last '@' in s, or -1. Addresses are split
// at the last '@' (as Mail::SRS does), so a local part may not contain one.
func lastAt(s string) int { return strings.LastIndexByte(s, '@') }

// hasControl reports whether s contains an ASCII control character (CR, LF,
// NUL, DEL ...), which no envelope address may carry.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// validHost accepts what may stand on the right of '@' in an SRS address.
// Mail::SRS and libsrs2 take anything after the last '@', so, to stay
// byte-compatible with them, so does this package, with three exceptions:
// '=' would make the rewritten address split differently when reversed
// (and so never verify), '@' cannot occur after the last '@', and spaces
// and control characters have no place in an envelope domain. Domain
// names in A- or U-labels and address literals ("[192.0.2.1]",
// "[IPv6:2001:db8::1]") pass, as do malformed names, which are the
// sender's business: the rewritten address reverses to exactly the
// sender given.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c <= ' ', c == 0x7f, c == '=', c == '@':
			return false
		}
	}
	return true
}

// isSeparator reports whether c may follow the SRS0/SRS1 tag.
func isSeparator(c byte) bool { return c == '=' || c == '+' || c == '-' }

// srsTag returns '0' or '1' when local starts with "SRS0" or "SRS1" (in any
// case) followed by a separator, and 0 otherwise.
func srsTag(local string) byte {
	if len(local) < 5 || !isSeparator(local[4]) {
		return 0
	}
	if lower(local[0]) != 's' || lower(local[1]) != 'r' || lower(local[2]) != 's' {
		return 0
	}
	if c := local[3]; c == '0' || c == '1' {
		return c
	}
	return 0
}

// IsSRS reports whether address (or a bare local part) is tagged as an SRS
// address, i.e. starts with SRS0 or SRS1 in any case followed by '=', '+'
// or '-'. It checks the form only; Reverse checks hash and timestamp.
func IsSRS(address string) bool { return srsTag(address) != 0 }

// lower folds ASCII upper case only, as Mail::SRS (on byte strings),
// libsrs2 and postsrsd do.
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII compares a and b ignoring ASCII case.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}
