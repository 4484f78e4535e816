package compare

import (
	"bytes"
	"encoding/base64"
)

// benchMessage builds a CRLF message of exactly size octets (for sizes
// of 1 KiB and up): a typical header block, a text part and, past 2 KiB,
// a base64 attachment in 76-column lines. No line starts with a dot.
func benchMessage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\n" +
		"Subject: quarterly figures\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n" +
		"Message-ID: <bench.1@example.org>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	words := []string{"the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "while", "seven", "zebras", "amble", "past"}
	w := 0
	for b.Len() < min(size, 2048)-80 {
		line := 0
		for line < 66 {
			s := words[w%len(words)] + " "
			b.WriteString(s)
			line += len(s)
			w++
		}
		b.WriteString("\r\n")
	}
	if size > 2048 {
		b.WriteString("--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		raw := make([]byte, 57)
		for b.Len() < size-100 {
			for i := range raw {
				raw[i] = byte(b.Len()*7 + i*13)
			}
			b.WriteString(base64.StdEncoding.EncodeToString(raw) + "\r\n")
		}
	}
	b.WriteString("--b1--\r\n")
	for b.Len() < size-2 {
		b.WriteByte('x')
	}
	b.WriteString("\r\n")
	return b.Bytes()
}
