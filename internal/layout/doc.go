// Package layout holds no code: its test checks the suite's import rules
// (the README's opening): the library packages never import each other, except
// that a subpackage may import its own parent (dmarc/report imports dmarc)
// and the internal packages of its family (mx/mtasts imports
// mx/internal/txtfields), and dkim/arc may import authres. Nothing outside
// internal/ and examples/ imports the top-level internal/ or examples/, and
// no library package imports anything beyond the standard library,
// github.com/miekg/dns and golang.org/x/net.
package layout
