package forward

import (
	"bytes"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
)

// List makes an alias behave like a mailing list that changes what it
// passes on, as most do: a tag in front of the subject and a footer under a
// plain-text body. Both break the author's DKIM signature (RFC 6376 signs
// the Subject and the body), which is what ARC (RFC 8617) is for.
type List struct {
	Tag    string // "[friends]"; "" leaves the Subject alone
	Footer string // lines added under a text/plain body; "" adds none
}

// Apply returns msg changed as the list changes it. The footer goes only
// under a body that is plain text without a transfer encoding (no
// Content-Type, or text/plain in 7bit or 8bit); the tag is not added twice.
func (l List) Apply(msg []byte) []byte {
	header, body := mailmsg.Split(msg)
	var b bytes.Buffer
	b.Grow(len(msg) + len(l.Tag) + len(l.Footer) + 16)
	plain := true
	for _, f := range mailmsg.Fields(msg) {
		switch {
		case strings.EqualFold(f.Name, "Subject") && l.Tag != "" && !strings.Contains(f.Value(), l.Tag):
			name, rest, _ := strings.Cut(f.Raw, ":")
			b.WriteString(name + ": " + l.Tag + rest)
			continue
		case strings.EqualFold(f.Name, "Content-Type"):
			plain = plain && strings.HasPrefix(strings.ToLower(strings.TrimSpace(f.Value())), "text/plain")
		case strings.EqualFold(f.Name, "Content-Transfer-Encoding"):
			cte := strings.ToLower(strings.TrimSpace(f.Value()))
			plain = plain && (cte == "7bit" || cte == "8bit")
		}
		b.WriteString(f.Raw)
	}
	sep := msg[len(header) : len(msg)-len(body)] // the blank line
	b.Write(sep)
	b.Write(body)
	if plain && l.Footer != "" && len(sep) > 0 {
		if len(body) > 0 && !bytes.HasSuffix(body, []byte("\n")) {
			b.WriteString("\r\n")
		}
		b.WriteString("-- \r\n")
		for _, line := range strings.Split(strings.TrimRight(l.Footer, "\r\n"), "\n") {
			b.WriteString(strings.TrimRight(line, "\r") + "\r\n")
		}
	}
	return b.Bytes()
}
