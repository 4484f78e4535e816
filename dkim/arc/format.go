package arc

import "strings"

// lineWidth is where a new field is folded (RFC 5322 §2.1.1).
const lineWidth = 78

// formatTags writes name, ": " and the tags "k=v" joined by "; ", in the
// standardized form of the ARC test suite (SUITE-README.md, "Signing
// Header Format Standardization"): no white space inside a value, one
// space after each ";", no final ";". A line is folded only after a ";"
// (CRLF and a space in place of that space), once it would pass 78
// columns; a long b= stays whole on its line. Unfolding gives the
// standardized form back. The result ends in CRLF.
func formatTags(name string, tags []string) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteString(":")
	col := len(name) + 1
	for i, t := range tags {
		seg := t
		if i < len(tags)-1 {
			seg += ";"
		}
		if i > 0 && col+1+len(seg) > lineWidth {
			b.WriteString("\r\n")
			col = 0
		}
		b.WriteString(" ")
		b.WriteString(seg)
		col += 1 + len(seg)
	}
	b.WriteString("\r\n")
	return b.String()
}
