package authres

import (
	"strconv"
	"strings"
)

// FieldName is the header field name (RFC 8601 §2.2).
const FieldName = "Authentication-Results"

// LineWidth is the line length String folds for (RFC 5322 §2.1.1), counted
// with the field name in front and a tab as 8 columns.
const LineWidth = 78

// Field returns the whole header field, "Authentication-Results: " and
// String, ending in CRLF.
func (h *Header) Field() string {
	return FieldName + ": " + h.String() + "\r\n"
}

// String returns the field value, folded for lines of LineWidth columns
// with "Authentication-Results: " in front (RFC 5322 §2.2.3). A header
// that fits on one line is written on one line; otherwise each result
// starts a line of its own, indented by a tab, and a result longer than
// the line is folded at its white space (never inside a quoted-string).
// No result: "authserv-id; none".
//
// A result is written as its Text when Text still parses to the same
// method, result, reason and properties (so comments survive), and from
// its fields otherwise: values that cannot stand unquoted are written as
// quoted-strings; control characters, which a field may not carry, are
// dropped, as are characters that may not stand in a method, result,
// ptype or property name. The output never ends the field early.
func (h *Header) String() string {
	return h.Folded(len(FieldName) + 2)
}

// Folded is String for a field value that starts after prefix columns:
// an ARC sealer writes "ARC-Authentication-Results: i=1; " in front
// (RFC 8617 §4.1.1), 33 columns where String counts the 24 of
// "Authentication-Results: ".
func (h *Header) Folded(prefix int) string {
	id := h.authServID()
	if h.Version != 0 && id != "" {
		id += " " + strconv.Itoa(h.Version)
	}
	if len(h.Results) == 0 {
		if id == "" {
			return ""
		}
		return id + "; none"
	}
	texts := make([]string, len(h.Results))
	n := width(id)
	for i := range h.Results {
		texts[i] = h.Results[i].text()
		n += 2 + width(texts[i])
	}
	if prefix+n <= LineWidth {
		if id == "" {
			return strings.Join(texts, "; ")
		}
		return id + "; " + strings.Join(texts, "; ")
	}
	var b strings.Builder
	b.Grow(n + 8*len(texts))
	b.WriteString(id)
	for i, t := range texts {
		col := 8
		if i == 0 && id == "" {
			col = prefix // results without an authserv-id start on the first line
		} else {
			b.WriteString(";\r\n\t")
		}
		tail := 0
		if i < len(texts)-1 {
			tail = 1 // the ";" after it
		}
		fold(&b, t, col, tail)
	}
	return b.String()
}

// authServID is AuthServID as it may be written: as is when it can stand
// unquoted, else as a quoted-string.
func (h *Header) authServID() string {
	id := h.AuthServID
	if id == "" {
		return ""
	}
	if strings.IndexByte(id, '=') < 0 && canStandUnquoted(id) {
		return id
	}
	return quote(id)
}

// fold writes t starting at column col, breaking lines before white
// space that stands outside quoted-strings when the next piece would not
// fit; tail columns must stay free after the last piece.
func fold(b *strings.Builder, t string, col, tail int) {
	depth, inQuote, lineHasText := 0, false, false
	start := 0
	flush := func(end int) {
		piece := t[start:end]
		w := width(piece)
		if end == len(t) {
			w += tail
		}
		if lineHasText && col+w > LineWidth {
			b.WriteString("\r\n")
			col = 0
		}
		b.WriteString(piece)
		col += width(piece)
		lineHasText = true
		start = end
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case c == '\\':
			i++
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == '"' && depth == 0:
			inQuote = true
		case (c == ' ' || c == '\t') && i > start:
			flush(i)
		}
	}
	flush(len(t))
}

// width is the number of columns s takes, a tab counted as 8.
func width(s string) int {
	return len(s) + 7*strings.Count(s, "\t")
}

// text is the result as String writes it.
func (r *Result) text() string {
	if r.textMatches() {
		return r.Text
	}
	var b strings.Builder
	b.WriteString(keywordOnly(r.Method))
	if r.MethodVersion > 0 {
		b.WriteString("/" + strconv.Itoa(r.MethodVersion))
	}
	b.WriteString("=" + resultOnly(r.Value))
	if r.Reason != "" {
		b.WriteString(" reason=" + formatValue(r.Reason))
	}
	for _, p := range r.Props {
		b.WriteByte(' ')
		if p.Type != "" {
			b.WriteString(keywordOnly(p.Type) + ".")
		}
		b.WriteString(keywordOnly(p.Name) + "=" + formatValue(p.Value))
	}
	return b.String()
}

// textMatches says whether Text is one resinfo that parses to the fields
// of r, so that String may write it.
func (r *Result) textMatches() bool {
	if r.Text == "" || len(r.Text) > MaxValueLen || strings.ContainsAny(r.Text, "\r\n") {
		return false
	}
	p := parser{s: r.Text}
	if p.cfws() != nil {
		return false
	}
	got, err := p.resinfo(0)
	if err != nil || !p.eof() {
		return false
	}
	return sameResult(&got, r)
}

// sameResult compares everything but Text.
func sameResult(a, b *Result) bool {
	if a.Method != b.Method || a.MethodVersion != b.MethodVersion || a.Value != b.Value ||
		a.Reason != b.Reason || len(a.Props) != len(b.Props) {
		return false
	}
	for i := range a.Props {
		if a.Props[i] != b.Props[i] {
			return false
		}
	}
	return true
}

// formatValue writes a reason or a pvalue so that Parse gives it back.
func formatValue(v string) string {
	if canStandUnquoted(v) {
		return v
	}
	return quote(v)
}

// canStandUnquoted: Parse reads v back unchanged when written as is.
func canStandUnquoted(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isWordChar(v[i]) {
			return false
		}
	}
	return true
}

// quote writes v as a quoted-string (RFC 5322 §3.2.4), dropping control
// characters, which it cannot carry.
func quote(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case isCtl(c):
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// resultOnly keeps the characters that may stand in a result (a keyword,
// or the unquoted value Parse tolerates there).
func resultOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0x80 || isWordChar(byte(r)) && r != '=' {
			return r
		}
		return -1
	}, s)
}

// keywordOnly keeps the characters that may stand in a keyword.
func keywordOnly(s string) string {
	if isKeyword(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x80 && isKeyChar(byte(r)) {
			return r
		}
		return -1
	}, s)
}
