package authres

import (
	"strconv"
	"strings"
)

// Parse parses the value of an Authentication-Results header field, what
// follows "Authentication-Results:" (RFC 8601 §2.2), as it stands in a
// message: folded with CRLF (a bare LF is tolerated), with or without a
// final line break, comments wherever CFWS may stand.
//
// Besides the grammar of §2.2, Parse accepts a few shapes that large
// providers write, each of which cannot be read in another way:
//   - a value that is empty or only white space and comments: a Header
//     with no authserv-id and no results;
//   - results with no authserv-id in front ("spf=pass ...; dkim=none ..."
//     as Microsoft 365 writes): AuthServID is empty;
//   - a property without a ptype ("action=none", "x-bits=2048"): its
//     Type is empty;
//   - an empty property value before a ";" or the end
//     ("smtp.mailfrom=;");
//   - reason= after properties, a ";" at the end, and property values
//     that hold "/", ":", "=", "@" or non-ASCII (UTF-8) characters
//     unquoted ("header.b=ab/c+d", an IPv6 address);
//   - a result that is not a keyword but such an unquoted value
//     ("envelope-from=x@example.org", as Amazon SES writes);
//   - a resinfo that is only a domain name ("...; contoso.com; dkim=..."
//     as older Office 365 fields have), which is skipped.
//
// Method, result, ptype and property names come back in lower case (they
// are case-insensitive, §2.2); values as written, quoted-strings unquoted.
// The error, on failure, is a *ParseError with the byte offset where the
// value went wrong and what was expected there; it wraps ErrSyntax, or
// ErrLimit beyond MaxValueLen, MaxResults, MaxProps or MaxCommentDepth.
func Parse(value string) (*Header, error) {
	p := parser{s: value}
	h, err := p.header()
	if err != nil {
		return nil, err
	}
	return h, nil
}

// parser reads one field value. steps counts the bytes and constructs it
// examined, so tests can bound the work of a parse.
type parser struct {
	s     string
	pos   int
	steps int
}

func (p *parser) header() (*Header, error) {
	if len(p.s) > MaxValueLen {
		return nil, p.limit(MaxValueLen, "value longer than "+strconv.Itoa(MaxValueLen)+" bytes")
	}
	h := &Header{}
	if err := p.cfws(); err != nil {
		return nil, err
	}
	if p.eof() {
		return h, nil
	}
	idStart, quoted := p.pos, p.peek() == '"'
	if quoted {
		id, err := p.quoted()
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, &ParseError{Offset: idStart, Msg: "empty authserv-id", Err: ErrSyntax}
		}
		h.AuthServID = id
	} else {
		h.AuthServID = p.word(true)
		if h.AuthServID == "" {
			return nil, p.syntax("expected an authserv-id")
		}
	}
	idEnd := p.pos
	if err := p.cfws(); err != nil {
		return nil, err
	}
	if c := p.peek(); (c == '=' || c == '/') && !quoted && isKeyword(h.AuthServID) {
		// No authserv-id: the first word was a method (Microsoft 365).
		h.AuthServID = ""
		p.pos = idStart
		return h, p.results(h, idStart)
	}
	if p.pos > idEnd && isDigit(p.peek()) {
		v, err := p.version("authres-version")
		if err != nil {
			return nil, err
		}
		h.Version = v
	}
	if p.peek() != ';' {
		return nil, p.syntax(`expected ";" after the authserv-id, found ` + p.found())
	}
	p.pos++
	start, err := p.textStart()
	if err != nil {
		return nil, err
	}
	if p.eof() {
		return nil, p.syntax(`expected "none" or a result after ";"`)
	}
	if ok, err := p.none(); ok || err != nil {
		return h, err
	}
	return h, p.results(h, start)
}

// none reads the no-result of §2.2 when it stands at pos: "none",
// followed by nothing but CFWS and one optional final ";". It says
// whether it did; when not, pos is where it was.
func (p *parser) none() (bool, error) {
	if len(p.s)-p.pos < 4 || !strings.EqualFold(p.s[p.pos:p.pos+4], "none") {
		return false, nil
	}
	q := *p
	q.pos += 4
	err := q.cfws()
	p.steps = q.steps
	if err != nil || !q.eof() && q.peek() != ';' {
		return false, nil // not "none" alone: read as a method
	}
	*p = q
	if p.peek() == ';' {
		p.pos++
		if err := p.cfws(); err != nil {
			return true, err
		}
	}
	if !p.eof() {
		return true, p.syntax(`expected the end of the value after "none", found ` + p.found())
	}
	return true, nil
}

// results reads resinfos from pos, the first starting at start, until
// the end of the value.
func (p *parser) results(h *Header, start int) error {
	for {
		if !p.bareDomain() {
			if len(h.Results) == MaxResults {
				return p.limit(p.pos, "more than "+strconv.Itoa(MaxResults)+" results")
			}
			r, err := p.resinfo(start)
			if err != nil {
				return err
			}
			h.Results = append(h.Results, r)
		}
		if p.eof() {
			return nil
		}
		p.pos++ // the ";" that ended the resinfo
		var err error
		if start, err = p.textStart(); err != nil {
			return err
		}
		if p.eof() {
			return nil // a final ";"
		}
	}
}

// bareDomain skips a resinfo that is only a domain name, "; contoso.com;",
// which Office 365 has written between its results, and says whether it
// did.
func (p *parser) bareDomain() bool {
	q := *p
	w := q.word(true)
	ok := strings.IndexByte(w, '.') >= 0 && q.cfws() == nil && (q.eof() || q.peek() == ';')
	if !ok {
		p.steps = q.steps // the look-ahead counts as work too
		return false
	}
	*p = q
	return true
}

// textStart skips white space and folding (not comments, which belong to
// the result's text) and returns where the text of a resinfo starts.
func (p *parser) textStart() (int, error) {
	for !p.eof() {
		p.steps++
		if n := p.fws(); n > 0 {
			p.pos += n
			continue
		}
		break
	}
	start := p.pos
	return start, p.cfws()
}

// resinfo reads one methodspec with its reason and properties, CFWS
// already skipped, and stops at a ";" or the end of the value.
func (p *parser) resinfo(start int) (Result, error) {
	var r Result
	method := p.keyword()
	if method == "" {
		return r, p.syntax("expected a method name, found " + p.found())
	}
	r.Method = strings.ToLower(method)
	if err := p.cfws(); err != nil {
		return r, err
	}
	if p.peek() == '/' {
		p.pos++
		if err := p.cfws(); err != nil {
			return r, err
		}
		if !isDigit(p.peek()) {
			return r, p.syntax("expected a method-version after " + strconv.Quote(method+"/") + ", found " + p.found())
		}
		v, err := p.version("method-version")
		r.MethodVersion = v
		if err != nil {
			return r, err
		}
	}
	if p.peek() != '=' {
		return r, p.syntax(`expected "=" after the method ` + strconv.Quote(method) + ", found " + p.found())
	}
	p.pos++
	if err := p.cfws(); err != nil {
		return r, err
	}
	value := p.word(true)
	if value == "" {
		return r, p.syntax("expected a result keyword after " + strconv.Quote(method+"=") + ", found " + p.found())
	}
	r.Value = strings.ToLower(value)
	haveReason := false
	for {
		if err := p.cfws(); err != nil {
			return r, err
		}
		if p.eof() || p.peek() == ';' {
			break
		}
		at := p.pos
		name := p.keyword()
		if name == "" {
			return r, p.syntax(`expected a property (ptype.property=value), "reason=" or ";", found ` + p.found())
		}
		if err := p.cfws(); err != nil {
			return r, err
		}
		var prop Property
		switch p.peek() {
		case '.':
			p.pos++
			if err := p.cfws(); err != nil {
				return r, err
			}
			prop.Type = strings.ToLower(name)
			if name = p.keyword(); name == "" {
				return r, p.syntax("expected a property name after " + strconv.Quote(prop.Type+".") + ", found " + p.found())
			}
			if err := p.cfws(); err != nil {
				return r, err
			}
			if p.peek() != '=' {
				return r, p.syntax(`expected "=" after the property ` + strconv.Quote(prop.Type+"."+name) + ", found " + p.found())
			}
		case '=':
			if strings.EqualFold(name, "reason") {
				if haveReason {
					return r, &ParseError{Offset: at, Msg: "a second reason= in one result", Err: ErrSyntax}
				}
				p.pos++
				v, err := p.value(false)
				if err != nil {
					return r, err
				}
				r.Reason, haveReason = v, true
				continue
			}
		default:
			return r, p.syntax(`expected "." or "=" after ` + strconv.Quote(name) + ", found " + p.found())
		}
		p.pos++ // "="
		v, err := p.value(true)
		if err != nil {
			return r, err
		}
		if len(r.Props) == MaxProps {
			return r, p.limit(at, "more than "+strconv.Itoa(MaxProps)+" properties in one result")
		}
		prop.Name, prop.Value = strings.ToLower(name), v
		r.Props = append(r.Props, prop)
	}
	r.Text = unfold(strings.TrimRight(p.s[start:p.pos], " \t\r\n"))
	return r, nil
}

// value reads a reason or a pvalue (§2.2): a quoted-string, unquoted; a
// mailbox with a quoted local-part, as written; or a run of characters
// that may stand unquoted. With emptyOK, nothing before a ";" or the end
// is an empty value (tolerated, as python3-authres does, for a pvalue).
func (p *parser) value(emptyOK bool) (string, error) {
	if err := p.cfws(); err != nil {
		return "", err
	}
	if emptyOK && (p.eof() || p.peek() == ';') {
		return "", nil
	}
	if p.peek() == '"' {
		start := p.pos
		v, err := p.quoted()
		if err != nil {
			return "", err
		}
		if p.peek() != '@' {
			return v, nil
		}
		p.pos++
		if p.word(false) == "" {
			return "", p.syntax(`expected a domain after "@", found ` + p.found())
		}
		return unfold(p.s[start:p.pos]), nil
	}
	v := p.word(false)
	if v == "" {
		return "", p.syntax("expected a value, found " + p.found())
	}
	return v, nil
}

// cfws skips white space, folding and comments.
func (p *parser) cfws() error {
	for !p.eof() {
		p.steps++
		if n := p.fws(); n > 0 {
			p.pos += n
			continue
		}
		if p.s[p.pos] != '(' {
			return nil
		}
		if err := p.comment(); err != nil {
			return err
		}
	}
	return nil
}

// fws is the length of the white space or folding at pos: a space or a
// tab, a line break followed by one (CRLF, or a bare LF), or a line break
// that ends the value; 0 when there is none.
func (p *parser) fws() int {
	s := p.s[p.pos:]
	switch {
	case s[0] == ' ' || s[0] == '\t':
		return 1
	case strings.HasPrefix(s, "\r\n"):
		if len(s) == 2 || s[2] == ' ' || s[2] == '\t' {
			return 2
		}
	case s[0] == '\n':
		if len(s) == 1 || s[1] == ' ' || s[1] == '\t' {
			return 1
		}
	}
	return 0
}

// comment skips a comment, nested ones included (RFC 5322 §3.2.2).
func (p *parser) comment() error {
	start, depth := p.pos, 0
	for !p.eof() {
		p.steps++
		c := p.s[p.pos]
		switch {
		case c == '(':
			if depth == MaxCommentDepth {
				return p.limit(p.pos, "comments nested deeper than "+strconv.Itoa(MaxCommentDepth))
			}
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				p.pos++
				return nil
			}
		case c == '\\':
			if p.pos+1 == len(p.s) || !isQuotable(p.s[p.pos+1]) {
				return p.syntax("expected a character after a backslash in a comment")
			}
			p.pos++
		case c == '\r' || c == '\n':
			n := p.fws()
			if n == 0 || p.pos+n == len(p.s) {
				return p.syntax("line break without white space after it in a comment")
			}
			p.pos += n
			continue
		case isCtl(c):
			return p.syntax("control character " + strconv.QuoteRune(rune(c)) + " in a comment")
		}
		p.pos++
	}
	return &ParseError{Offset: start, Msg: "comment not closed", Err: ErrSyntax}
}

// quoted reads a quoted-string and returns its content: quoted-pairs
// resolved, folding removed (RFC 5322 §3.2.4).
func (p *parser) quoted() (string, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	plain := p.pos // start of the run not yet copied to b
	for !p.eof() {
		p.steps++
		c := p.s[p.pos]
		switch {
		case c == '"':
			if plain == start+1 { // nothing to resolve: no copy
				p.pos++
				return p.s[plain : p.pos-1], nil
			}
			b.WriteString(p.s[plain:p.pos])
			p.pos++
			return b.String(), nil
		case c == '\\':
			if p.pos+1 == len(p.s) || !isQuotable(p.s[p.pos+1]) {
				return "", p.syntax("expected a character after a backslash in a quoted-string")
			}
			b.WriteString(p.s[plain:p.pos])
			plain = p.pos + 1
			p.pos += 2
		case c == '\r' || c == '\n':
			n := p.fws()
			if n == 0 || p.pos+n == len(p.s) {
				return "", p.syntax("line break without white space after it in a quoted-string")
			}
			b.WriteString(p.s[plain:p.pos])
			p.pos += n
			plain = p.pos // the line break goes, the white space after it stays
		case isCtl(c):
			return "", p.syntax("control character " + strconv.QuoteRune(rune(c)) + " in a quoted-string")
		default:
			p.pos++
		}
	}
	return "", &ParseError{Offset: start, Msg: "quoted-string not closed", Err: ErrSyntax}
}

// keyword reads letters, digits, "-" and "_" (RFC 5321 Keyword, with "_"
// tolerated).
func (p *parser) keyword() string {
	start := p.pos
	for !p.eof() && isKeyChar(p.s[p.pos]) {
		p.steps++
		p.pos++
	}
	return p.s[start:p.pos]
}

// word reads a run of characters that may stand unquoted: an RFC 2045
// token, leniently widened to every visible character but ";", "(",
// ")", "\"" and "\\", and non-ASCII bytes. With stopEq, "=" ends the run
// too (for the authserv-id).
func (p *parser) word(stopEq bool) string {
	start := p.pos
	for !p.eof() {
		c := p.s[p.pos]
		if !isWordChar(c) || (stopEq && c == '=') {
			break
		}
		p.steps++
		p.pos++
	}
	return p.s[start:p.pos]
}

// version reads 1*DIGIT [CFWS], the shape of authres-version and of the
// number in method-version (RFC 8601 §2.2).
func (p *parser) version(what string) (int, error) {
	v, err := p.number(what)
	if err != nil {
		return 0, err
	}
	return v, p.cfws()
}

// number reads up to 9 digits.
func (p *parser) number(what string) (int, error) {
	start := p.pos
	for !p.eof() && isDigit(p.s[p.pos]) {
		p.steps++
		p.pos++
	}
	if p.pos-start > 9 {
		return 0, &ParseError{Offset: start, Msg: what + " longer than 9 digits", Err: ErrLimit}
	}
	n, _ := strconv.Atoi(p.s[start:p.pos])
	return n, nil
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.pos]
}

// found names what stands at pos, for error messages.
func (p *parser) found() string {
	if p.eof() {
		return "the end of the value"
	}
	c := p.s[p.pos]
	if c == '\r' || c == '\n' {
		return "a line break without white space after it"
	}
	if c < 0x80 {
		return strconv.QuoteRune(rune(c))
	}
	return "byte " + strconv.Quote(string(c))
}

func (p *parser) syntax(msg string) error {
	return &ParseError{Offset: p.pos, Msg: msg, Err: ErrSyntax}
}

func (p *parser) limit(at int, msg string) error {
	return &ParseError{Offset: at, Msg: msg, Err: ErrLimit}
}

// unfold removes the line breaks of folding white space (RFC 5322
// §2.2.3); the parser has checked that each is followed by white space.
func unfold(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isKeyChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '-' || c == '_'
}

func isKeyword(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isKeyChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// isWordChar: what may stand in an unquoted value.
func isWordChar(c byte) bool {
	return c > ' ' && c != 0x7f && c != ';' && c != '(' && c != ')' && c != '"' && c != '\\'
}

func isCtl(c byte) bool { return c < ' ' && c != '\t' || c == 0x7f }

// isQuotable: what may follow a backslash (RFC 5322 quoted-pair: VCHAR or
// WSP; non-ASCII for RFC 6532).
func isQuotable(c byte) bool { return !isCtl(c) }
