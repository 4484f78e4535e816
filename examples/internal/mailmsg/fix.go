package mailmsg

import (
	"crypto/rand"
	"encoding/hex"
	"net/mail"
	"time"
)

// EnsureDate adds a Date field (RFC 5322 §3.6.1) when the message has none,
// and reports whether it did.
func EnsureDate(msg []byte, now time.Time) ([]byte, bool) {
	if Has(msg, "Date") {
		return msg, false
	}
	return Prepend(msg, "Date: "+now.Format(time.RFC1123Z)), true
}

// EnsureMessageID adds a Message-ID field (RFC 5322 §3.6.4) with a random
// left part and the given domain when the message has none, and reports
// whether it did.
func EnsureMessageID(msg []byte, domain string) ([]byte, bool) {
	if Has(msg, "Message-ID") {
		return msg, false
	}
	return Prepend(msg, "Message-ID: "+NewMessageID(domain)), true
}

// NewMessageID returns a new "<random@domain>" message identifier.
func NewMessageID(domain string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">"
}

// DateHeader formats t as an RFC 5322 date-time.
func DateHeader(t time.Time) string {
	return t.Format(time.RFC1123Z)
}

// FormatAddress formats a display name and address for a header field.
func FormatAddress(name, addr string) string {
	return (&mail.Address{Name: name, Address: addr}).String()
}
