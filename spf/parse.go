package spf

import (
	"net/netip"
	"strings"
)

// versionTag opens every SPF record (RFC 7208 §4.5).
const versionTag = "v=spf1"

// isSPF reports whether a TXT string is an SPF version 1 record: "v=spf1"
// (any case) followed by a space or the end (RFC 7208 §4.5).
func isSPF(txt string) bool {
	return len(txt) >= len(versionTag) && strings.EqualFold(txt[:len(versionTag)], versionTag) &&
		(len(txt) == len(versionTag) || txt[len(versionTag)] == ' ')
}

// Parse parses an SPF record: the version, then every term with its
// qualifier, arguments and CIDR lengths, and every macro-string (RFC 7208
// §4.6, §5, §6, §7.1). Unknown modifiers are kept. The error, a
// *SyntaxError wrapping ErrSyntax, names the offending term. The Record
// keeps what the terms mean, not how they were spelled (the case of names,
// runs of spaces), so Parse(r.String()) returns a Record equal to r.
func Parse(record string) (*Record, error) {
	if !isSPF(record) {
		return nil, syntaxErr("", `does not start with "v=spf1"`)
	}
	body := record[len(versionTag):]
	if err := checkASCII(body); err != nil {
		return nil, err
	}
	count := 0
	for i := 0; ; count++ {
		var tok string
		if tok, i = nextToken(body, i); tok == "" {
			break
		}
	}
	rec := &Record{Terms: make([]Term, 0, count)}
	var seenRedirect, seenExp bool
	for i := 0; ; {
		var tok string
		tok, i = nextToken(body, i)
		if tok == "" {
			break
		}
		t, err := parseTerm(tok, true)
		if err != nil {
			return nil, err
		}
		if err := checkDuplicate(t.Kind, tok, &seenRedirect, &seenExp); err != nil {
			return nil, err
		}
		// A Record holds the meaning of its terms, not their spelling, so
		// that Parse(r.String()) equals r even for "V=SPF1 +All".
		t.text = ""
		rec.Terms = append(rec.Terms, t)
	}
	return rec, nil
}

// checkASCII rejects records with bytes outside 7-bit ASCII (RFC 7208 §3.1),
// naming the term that holds one.
func checkASCII(body string) error {
	i := 0
	// Eight bytes at a time while they are all ASCII: a record is checked
	// on every evaluation.
	for ; i+8 <= len(body); i += 8 {
		if (body[i]|body[i+1]|body[i+2]|body[i+3]|body[i+4]|body[i+5]|body[i+6]|body[i+7])&0x80 != 0 {
			break
		}
	}
	for ; i < len(body); i++ {
		if body[i] >= 0x80 {
			start := strings.LastIndexByte(body[:i], ' ') + 1
			end := strings.IndexByte(body[i:], ' ')
			if end < 0 {
				end = len(body)
			} else {
				end += i
			}
			return syntaxErr(body[start:end], "non-ASCII character")
		}
	}
	return nil
}

// checkDuplicate enforces that redirect and exp appear at most once
// (RFC 7208 §6).
func checkDuplicate(k Kind, tok string, seenRedirect, seenExp *bool) error {
	switch k {
	case KindRedirect:
		if *seenRedirect {
			return syntaxErr(tok, "redirect appears more than once")
		}
		*seenRedirect = true
	case KindExp:
		if *seenExp {
			return syntaxErr(tok, "exp appears more than once")
		}
		*seenExp = true
	}
	return nil
}

// nextToken returns the term starting at or after i (terms are separated by
// one or more spaces, RFC 7208 §4.6.1) and the index after it. It returns ""
// at the end of the record.
func nextToken(s string, i int) (string, int) {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	start := i
	for i < len(s) && s[i] != ' ' {
		i++
	}
	return s[start:i], i
}

// isNameChar reports whether c may appear in a modifier name (RFC 7208
// §4.6.1: ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )).
func isNameChar(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }

// mechanismKind maps a mechanism name, in any case, to its Kind; 0 if the
// name is not a mechanism.
func mechanismKind(name string) Kind {
	switch len(name) {
	case 1:
		if name[0]|0x20 == 'a' {
			return KindA
		}
	case 2:
		if name[0]|0x20 == 'm' && name[1]|0x20 == 'x' {
			return KindMX
		}
	case 3:
		a, b, c := name[0]|0x20, name[1]|0x20, name[2]|0x20
		switch {
		case a == 'a' && b == 'l' && c == 'l':
			return KindAll
		case a == 'p' && b == 't' && c == 'r':
			return KindPTR
		case a == 'i' && b == 'p' && c == '4':
			return KindIP4
		case a == 'i' && b == 'p' && c == '6':
			return KindIP6
		}
	case 6:
		if strings.EqualFold(name, "exists") {
			return KindExists
		}
	case 7:
		if strings.EqualFold(name, "include") {
			return KindInclude
		}
	}
	return 0
}

// parseTerm parses one directive or modifier (RFC 7208 §4.6.1). With
// validate false it skips the checks of domain-specs and macro-strings, for
// terms already validated.
func parseTerm(tok string, validate bool) (Term, error) {
	var t Term
	err := parseTermInto(&t, tok, validate)
	return t, err
}

// parseTermInto is parseTerm writing into *t, which it overwrites.
func parseTermInto(t *Term, tok string, validate bool) error {
	*t = Term{text: tok, CIDR4: NoCIDR, CIDR6: NoCIDR}
	s := tok
	switch s[0] {
	case '+', '-', '~', '?':
		t.Qualifier = Qualifier(s[0])
		s = s[1:]
	}
	n := 0
	for n < len(s) && isNameChar(s[n]) {
		n++
	}
	if n < len(s) && s[n] == '=' {
		return parseModifier(t, tok, s[:n], s[n+1:], validate)
	}
	t.Kind = mechanismKind(s[:n])
	if t.Kind == 0 {
		if n == 0 {
			return syntaxErr(tok, "missing mechanism or modifier name")
		}
		return syntaxErr(tok, "unknown mechanism "+s[:n])
	}
	rest := s[n:]
	switch t.Kind {
	case KindAll:
		if rest != "" {
			return syntaxErr(tok, `"all" takes no argument`)
		}
	case KindInclude, KindExists:
		if len(rest) < 2 || rest[0] != ':' {
			return syntaxErr(tok, t.Kind.String()+" requires \":domain-spec\"")
		}
		t.Value = rest[1:]
		if validate {
			if reason := checkDomainSpec(t.Value); reason != "" {
				return syntaxErr(tok, reason)
			}
		}
	case KindPTR:
		if rest == "" {
			break
		}
		if rest[0] != ':' {
			return syntaxErr(tok, `"ptr" takes only ":domain-spec"`)
		}
		t.Value = rest[1:]
		if validate {
			if reason := checkDomainSpec(t.Value); reason != "" {
				return syntaxErr(tok, reason)
			}
		}
	case KindA, KindMX:
		arg := rest
		if rest != "" && rest[0] == ':' {
			arg = rest[1:]
		}
		spec, c4, c6, reason := splitDualCIDR(arg)
		if reason != "" {
			return syntaxErr(tok, reason)
		}
		t.CIDR4, t.CIDR6 = c4, c6
		if rest != "" && rest[0] == ':' {
			if validate {
				if reason := checkDomainSpec(spec); reason != "" {
					return syntaxErr(tok, reason)
				}
			}
			t.Value = spec
		} else if spec != "" {
			return syntaxErr(tok, "unexpected text after "+t.Kind.String())
		}
	case KindIP4, KindIP6:
		if len(rest) < 2 || rest[0] != ':' {
			return syntaxErr(tok, t.Kind.String()+" requires \":network\"")
		}
		addrText, bits := rest[1:], -1
		if i := strings.IndexByte(addrText, '/'); i >= 0 {
			max := 32
			if t.Kind == KindIP6 {
				max = 128
			}
			var ok bool
			if bits, ok = cidrLength(addrText[i+1:], max); !ok {
				return syntaxErr(tok, "invalid prefix length")
			}
			addrText = addrText[:i]
		}
		var addr netip.Addr
		ok := false
		if t.Kind == KindIP4 {
			addr, ok = parseIPv4(addrText)
		} else if a, err := netip.ParseAddr(addrText); err == nil && a.Is6() && a.Zone() == "" {
			addr, ok = a, true
		}
		if !ok {
			return syntaxErr(tok, "invalid "+t.Kind.String()+" network")
		}
		if t.Kind == KindIP4 {
			t.CIDR4 = bits
			if bits < 0 {
				bits = 32
			}
		} else {
			t.CIDR6 = bits
			if bits < 0 {
				bits = 128
			}
		}
		t.Prefix = netip.PrefixFrom(addr, bits)
	}
	return nil
}

// parseModifier parses name=value (RFC 7208 §6 and §4.6.1).
func parseModifier(t *Term, tok, name, value string, validate bool) error {
	if t.Qualifier != 0 {
		return syntaxErr(tok, "a modifier takes no qualifier")
	}
	if name == "" || !isAlpha(name[0]) {
		return syntaxErr(tok, "a modifier name must start with a letter")
	}
	t.Value = value
	switch {
	case strings.EqualFold(name, "redirect"):
		t.Kind = KindRedirect
	case strings.EqualFold(name, "exp"):
		t.Kind = KindExp
	default:
		t.Kind = KindModifier
		t.Name = name
		if _, reason := checkMacroString(value, false); validate && reason != "" {
			return syntaxErr(tok, reason)
		}
		return nil
	}
	if reason := checkDomainSpec(value); validate && reason != "" {
		return syntaxErr(tok, reason)
	}
	return nil
}

// splitDualCIDR splits "domain-spec/24//64" into its parts (RFC 7208 §5.3:
// dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]). Lengths
// not written are NoCIDR.
func splitDualCIDR(s string) (spec string, c4, c6 int, reason string) {
	c4, c6 = NoCIDR, NoCIDR
	if i := strings.LastIndex(s, "//"); i >= 0 && allDigits(s[i+2:]) {
		var ok bool
		if c6, ok = cidrLength(s[i+2:], 128); !ok {
			return "", 0, 0, "invalid IPv6 prefix length"
		}
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 && allDigits(s[i+1:]) {
		var ok bool
		if c4, ok = cidrLength(s[i+1:], 32); !ok {
			return "", 0, 0, "invalid IPv4 prefix length"
		}
		s = s[:i]
	}
	return s, c4, c6, ""
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// cidrLength parses a prefix length without leading zeros, at most max
// (RFC 7208 §5.6: "0" / %x31-39 0*1DIGIT, and 0*2DIGIT for IPv6).
func cidrLength(s string, max int) (int, bool) {
	if s == "" || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= max
}

// checkDomainSpec validates a domain-spec (RFC 7208 §7.1): a macro-string
// without c, r or t that ends in a macro or in "." toplabel with an optional
// final dot. It returns "" when valid, else the reason.
func checkDomainSpec(s string) string {
	if s == "" {
		return "empty domain-spec"
	}
	endsInMacro, reason := checkMacroString(s, false)
	if reason != "" {
		return reason
	}
	if endsInMacro {
		return ""
	}
	d := trimDot(s)
	i := strings.LastIndexByte(d, '.')
	if i < 0 {
		return "domain-spec is not a fully qualified name"
	}
	if !isTopLabel(d[i+1:]) {
		return "domain-spec does not end in a valid top-level label"
	}
	return ""
}

// parseIPv4 parses a dotted quad without leading zeros (RFC 7208 §5.6
// ip4-network: qnum "." qnum "." qnum "." qnum).
func parseIPv4(s string) (netip.Addr, bool) {
	var b [4]byte
	part, digits, val := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || part > 3 {
				return netip.Addr{}, false
			}
			b[part] = byte(val)
			part++
			digits, val = 0, 0
			continue
		}
		c := s[i]
		if !isDigit(c) || (digits > 0 && val == 0) {
			return netip.Addr{}, false
		}
		val = val*10 + int(c-'0')
		digits++
		if val > 255 {
			return netip.Addr{}, false
		}
	}
	if part != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(b), true
}
