package smtp

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of RFC 5321 §4.5.3.1 on the parts of an address.
const (
	srvMaxLocalPart = 64  // §4.5.3.1.1
	srvMaxDomain    = 255 // §4.5.3.1.2
	srvMaxPath      = 256 // §4.5.3.1.3, brackets included
	srvMaxParams    = 16  // ESMTP parameters on one MAIL or RCPT
)

// splitCommand splits a command line into its verb, upper-cased, and
// the argument after the first space. Trailing spaces are dropped. The
// verb is returned as a fixed-size array so no allocation happens.
func splitCommand(line []byte) (verb string, arg []byte) {
	for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
		line = line[:len(line)-1]
	}
	i := 0
	for i < len(line) && line[i] != ' ' {
		i++
	}
	v := line[:i]
	if i < len(line) {
		arg = line[i+1:]
	}
	if len(v) > 8 {
		return "?", arg
	}
	var up [8]byte
	for j, c := range v {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[j] = c
	}
	return commandVerb(up[:len(v)]), arg
}

// commandVerb maps a verb to a constant string without allocating.
func commandVerb(v []byte) string {
	switch string(v) {
	case "EHLO":
		return "EHLO"
	case "HELO":
		return "HELO"
	case "MAIL":
		return "MAIL"
	case "RCPT":
		return "RCPT"
	case "DATA":
		return "DATA"
	case "BDAT":
		return "BDAT"
	case "RSET":
		return "RSET"
	case "NOOP":
		return "NOOP"
	case "QUIT":
		return "QUIT"
	case "VRFY":
		return "VRFY"
	case "EXPN":
		return "EXPN"
	case "HELP":
		return "HELP"
	case "STARTTLS":
		return "STARTTLS"
	case "AUTH":
		return "AUTH"
	}
	return "?"
}

// hasPrefixFold reports whether s starts with prefix, ASCII
// case-insensitively.
func hasPrefixFold(s []byte, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// srvPath is a parsed reverse-path or forward-path.
type srvPath struct {
	Addr     string // mailbox as sent, without brackets and source route; "" for <>
	NonASCII bool   // holds UTF-8 beyond ASCII (needs SMTPUTF8, RFC 6531)
}

// parsePath parses "<...>" at the start of s per RFC 5321 §4.1.2 and
// returns the rest of s. The null path "<>" is allowed when allowNull;
// "<postmaster>" without a domain when allowPostmaster (§4.1.1.3).
func parsePath(s []byte, allowNull, allowPostmaster bool) (srvPath, []byte, error) {
	var p srvPath
	if len(s) == 0 || s[0] != '<' {
		return p, nil, errPathSyntax
	}
	end := -1
	inQuote := false
	for i := 1; i < len(s); i++ {
		c := s[i]
		if inQuote {
			if c == '\\' {
				i++
				continue
			}
			if c == '"' {
				inQuote = false
			}
			continue
		}
		if c == '"' {
			inQuote = true
		} else if c == '>' {
			end = i
			break
		}
	}
	if end < 0 {
		return p, nil, errPathSyntax
	}
	if end+1 > srvMaxPath {
		return p, nil, errPathTooLong
	}
	inner := s[1:end]
	rest := s[end+1:]
	if len(inner) == 0 {
		if !allowNull {
			return p, nil, errPathSyntax
		}
		return p, rest, nil
	}
	// A-d-l (source route): accepted and ignored, RFC 5321 §4.1.1.3 and
	// Appendix C.
	if inner[0] == '@' {
		colon := -1
		for i, c := range inner {
			if c == ':' {
				colon = i
				break
			}
		}
		if colon < 0 {
			return p, nil, errPathSyntax
		}
		for _, hop := range strings.Split(string(inner[:colon]), ",") {
			if len(hop) < 2 || hop[0] != '@' || !validDomain(hop[1:], false) {
				return p, nil, errPathSyntax
			}
		}
		inner = inner[colon+1:]
	}
	if allowPostmaster && strings.EqualFold(string(inner), "postmaster") {
		p.Addr = string(inner)
		return p, rest, nil
	}
	at, nonASCII, err := scanLocalPart(inner)
	if err != nil {
		return p, nil, err
	}
	if at >= len(inner) || inner[at] != '@' {
		return p, nil, errPathSyntax
	}
	if len(inner)-at-1 == 0 || len(inner)-at-1 > srvMaxDomain {
		return p, nil, errPathSyntax
	}
	// The one string the path needs; the domain is checked as a part of
	// it, so that checking costs no copy of its own.
	addr := string(inner)
	dom := addr[at+1:]
	if dom[0] == '[' {
		if !validAddressLiteral(dom) {
			return p, nil, errPathSyntax
		}
	} else {
		if !validDomain(dom, true) {
			return p, nil, errPathSyntax
		}
		for i := 0; i < len(dom); i++ {
			if dom[i] >= 0x80 {
				nonASCII = true
				break
			}
		}
	}
	p.Addr = addr
	p.NonASCII = nonASCII
	return p, rest, nil
}

// isAtext reports whether c is atext of RFC 5322 §3.2.3 (ASCII part).
func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// scanLocalPart checks the Local-part at the start of s (Dot-string or
// Quoted-string, RFC 5321 §4.1.2, with the UTF-8 of RFC 6531 §3.3) and
// returns the index just after it.
func scanLocalPart(s []byte) (end int, nonASCII bool, err error) {
	if len(s) == 0 {
		return 0, false, errPathSyntax
	}
	i := 0
	if s[0] == '"' {
		i = 1
		for {
			if i >= len(s) {
				return 0, false, errPathSyntax
			}
			c := s[i]
			switch {
			case c == '"':
				i++
				goto done
			case c == '\\':
				if i+1 >= len(s) || s[i+1] < 32 || s[i+1] > 126 {
					return 0, false, errPathSyntax
				}
				i += 2
			case c >= 32 && c <= 126, c >= 0x80: // UTF-8 checked at done
				i++
			default:
				return 0, false, errPathSyntax
			}
		}
	}
	{
		atomStart := true
		for i < len(s) && s[i] != '@' {
			c := s[i]
			switch {
			case c == '.':
				if atomStart {
					return 0, false, errPathSyntax
				}
				atomStart = true
				i++
				continue
			case isAtext(c), c >= 0x80: // UTF-8 checked at done
				i++
			default:
				return 0, false, errPathSyntax
			}
			atomStart = false
		}
		if atomStart {
			return 0, false, errPathSyntax
		}
	}
done:
	nonASCII, ok := checkUTF8(s[:i])
	if !ok {
		return 0, false, errPathSyntax
	}
	if i > srvMaxLocalPart {
		return 0, false, errPathTooLong
	}
	return i, nonASCII, nil
}

// checkUTF8 reports whether s holds non-ASCII octets, and whether they
// are UTF-8 (RFC 3629) with no U+FFFD, the character that invalid input
// decodes to.
func checkUTF8(s []byte) (nonASCII, ok bool) {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError {
			return true, false
		}
		nonASCII = true
		i += n
	}
	return nonASCII, true
}

// validDomain checks Domain of RFC 5321 §4.1.2: dot-separated labels
// of letters, digits and inner hyphens, each at most 63 octets. With
// utf8 set, labels may hold UTF-8 (U-labels, RFC 6531 §3.3). A trailing
// dot is refused.
func validDomain(d string, utf8ok bool) bool {
	if len(d) == 0 || len(d) > srvMaxDomain {
		return false
	}
	if utf8ok && !utf8.ValidString(d) {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if len(label) == 0 || len(label) > 63 {
			return false
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
			case c >= 0x80 && utf8ok:
			default:
				return false
			}
		}
	}
	return true
}

// validAddressLiteral checks "[...]" of RFC 5321 §4.1.3.
func validAddressLiteral(s string) bool {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return false
	}
	in := s[1 : len(s)-1]
	if len(in) > 5 && strings.EqualFold(in[:5], "IPv6:") {
		a, err := netip.ParseAddr(in[5:])
		return err == nil && a.Is6() && a.Zone() == ""
	}
	if colon := strings.IndexByte(in, ':'); colon >= 0 {
		// General-address-literal: Standardized-tag ":" 1*dcontent.
		tag, content := in[:colon], in[colon+1:]
		if tag == "" || content == "" || !validLdhStr(tag) {
			return false
		}
		for i := 0; i < len(content); i++ {
			c := content[i]
			if c < 33 || c > 126 || c == '[' || c == '\\' || c == ']' {
				return false
			}
		}
		return true
	}
	a, err := netip.ParseAddr(in)
	return err == nil && a.Is4()
}

func validLdhStr(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return s[len(s)-1] != '-'
}

// validHelo checks the argument of EHLO/HELO: a Domain or an
// address literal (RFC 5321 §4.1.1.1). Underscores are tolerated in
// labels because many hosts still use them in their names.
func validHelo(arg []byte) bool {
	s := string(arg)
	if len(s) == 0 {
		return false
	}
	if s[0] == '[' {
		return validAddressLiteral(s)
	}
	return validDomain(strings.ReplaceAll(s, "_", "x"), false)
}

// srvParam is one ESMTP parameter (RFC 5321 §4.1.2 esmtp-param).
type srvParam struct {
	Key   string // upper-cased keyword
	Value string // "" when the keyword has no value
	Has   bool   // "=" was present
}

// parseParams parses " key[=value]..." after a path. rest must be
// empty or start with a space.
func parseParams(rest []byte) ([]srvParam, error) {
	if len(rest) == 0 {
		return nil, nil
	}
	if rest[0] != ' ' {
		return nil, errParamSyntax
	}
	var out []srvParam
	for len(rest) > 0 {
		for len(rest) > 0 && rest[0] == ' ' {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			break
		}
		i := 0
		for i < len(rest) && rest[i] != ' ' {
			i++
		}
		tok := rest[:i]
		rest = rest[i:]
		if len(out) == srvMaxParams {
			return nil, errParamSyntax
		}
		var p srvParam
		eq := -1
		for j, c := range tok {
			if c == '=' {
				eq = j
				break
			}
		}
		kw := tok
		if eq >= 0 {
			kw = tok[:eq]
			val := tok[eq+1:]
			if len(val) == 0 {
				return nil, errParamSyntax
			}
			for _, c := range val {
				// esmtp-value: %d33-60 / %d62-126, plus UTF-8 (RFC 6531 §3.3)
				if c < 33 || c == '=' || c == 127 {
					return nil, errParamSyntax
				}
			}
			if !utf8.Valid(val) {
				return nil, errParamSyntax
			}
			p.Value = string(val)
			p.Has = true
		}
		if len(kw) == 0 || !isAlnum(kw[0]) {
			return nil, errParamSyntax
		}
		for _, c := range kw {
			if !isAlnum(c) && c != '-' {
				return nil, errParamSyntax
			}
		}
		p.Key = strings.ToUpper(string(kw))
		out = append(out, p)
	}
	return out, nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// parseSize parses a SIZE value: 1*20DIGIT (RFC 1870 §3).
func parseSize(v string) (int64, bool) {
	if len(v) == 0 || len(v) > 20 {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > 1<<62 {
		return 1 << 62, true // absurdly large: treated as too big
	}
	return int64(n), true
}

// decodeXtext decodes xtext (RFC 3461 §4), used by AUTH= (RFC 4954 §5).
func decodeXtext(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' {
			if i+2 >= len(s) {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil || s[i+1] >= 'a' || s[i+2] >= 'a' {
				return "", false
			}
			b.WriteByte(byte(v))
			i += 2
			continue
		}
		if c < 33 || c > 126 || c == '=' {
			return "", false
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// parseBDAT parses "chunk-size [SP end-marker]" (RFC 3030 §2).
func parseBDAT(arg []byte) (size int64, last bool, ok bool) {
	s := string(arg)
	num, marker, hasMarker := strings.Cut(s, " ")
	if len(num) == 0 || len(num) > 18 {
		return 0, false, false
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, false, false
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, false, false
	}
	if hasMarker {
		if !strings.EqualFold(marker, "LAST") {
			return 0, false, false
		}
		last = true
	}
	return n, last, true
}
