package dkim

import "strings"

// interopMessage is an awkward message for the interop matrix.
type interopMessage struct {
	name string
	msg  []byte
}

const interopCommon = "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <interop@example.org>\r\n"

// interopMessages returns the awkward messages of the interop matrix, all
// with CRLF line ends.
func interopMessages() []interopMessage {
	long := strings.Repeat("0123456789 abcdefghij ", 455) // ~10000 octets, one line
	return []interopMessage{
		{"plain", []byte("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: plain\r\n" +
			interopCommon + "\r\nHello Bob.\r\n")},
		{"folded-headers", []byte("From: Alice\r\n <alice@example.org>\r\nTo: one@example.net,\r\n\ttwo@example.net,\r\n   three@example.net\r\n" +
			"Subject:\r\n folded right after the colon\r\n\tand again\r\nList-Unsubscribe:\r\n <mailto:u@example.org>\r\n" +
			interopCommon + "\r\nBody.\r\n")},
		{"trailing-whitespace", []byte("From: alice@example.org \r\nTo: bob@example.net\t\r\nSubject: trailing   \r\n" + interopCommon +
			"\r\nline with spaces   \r\n\ttabbed\t\r\n  \r\nin  the \t middle\r\nend \t \r\n \r\n\t\r\n\r\n\r\n")},
		{"empty-body", []byte("From: alice@example.org\r\nTo: bob@example.net\r\nSubject: nothing\r\n" + interopCommon + "\r\n")},
		{"no-final-crlf", []byte("From: alice@example.org\r\nTo: bob@example.net\r\nSubject: cut\r\n" + interopCommon +
			"\r\nfirst line\r\nlast line without CRLF")},
		{"8bit", []byte("From: =?utf-8?q?J=C3=BCrgen?= <j@example.org>\r\nTo: bob@example.net\r\nSubject: caf\xc3\xa9 \xe2\x98\x95 8bit\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n" + interopCommon +
			"\r\nGr\xc3\xbc\xc3\x9fe, na\xc3\xafve fa\xc3\xa7ade \xe2\x98\x95\r\n\xff\xfe raw high octets\r\n")},
		{"long-lines", []byte("From: alice@example.org\r\nTo: bob@example.net\r\nSubject: " + strings.Repeat("long ", 180) + "end\r\n" +
			interopCommon + "\r\n" + long + "\r\nshort\r\n" + long + "\r\n")},
		{"duplicate-headers", []byte("Received: from a by b; Tue, 01 Dec 2026 10:00:00 +0000\r\nReceived: from c by d; Tue, 01 Dec 2026 09:59:00 +0000\r\n" +
			"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: first subject\r\nTo: carol@example.net\r\nSubject: second subject\r\n" +
			interopCommon + "\r\nTwo subjects, two To fields.\r\n")},
		{"blank-lines", []byte("From: alice@example.org\r\nTo: bob@example.net\r\nSubject: blank lines\r\n" + interopCommon +
			"\r\n\r\n\r\nstarts after blank lines\r\n\r\n\r\nmiddle\r\n.\r\n..dot\r\n\r\n\r\n\r\n")},
	}
}

// oddColonSpacing reports whether some header field's colon is not
// followed by exactly one SP and then text (OpenDKIM 2.11's simple header
// canonicalization rewrites that spacing when it signs).
func oddColonSpacing(msg []byte) bool {
	m, err := readHeader(strings.NewReader(string(msg)), 0)
	if err != nil {
		return false
	}
	for _, f := range m.fields {
		raw := string(f.raw)
		i := strings.IndexByte(raw, ':')
		if i < 0 || i+2 >= len(raw) || raw[i+1] != ' ' || raw[i+2] == ' ' || raw[i+2] == '\t' || raw[i+2] == '\r' {
			return true
		}
	}
	return false
}
