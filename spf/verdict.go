package spf

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// Identity names the identity an evaluation checked (RFC 7208 §2.3, §2.4),
// as the Received-SPF "identity" key spells it.
type Identity string

// The identities.
const (
	IdentityMailFrom Identity = "mailfrom"
	IdentityHELO     Identity = "helo"
)

// Verdict is the outcome of Check or CheckHELO.
type Verdict struct {
	Result      Result
	Domain      string // the domain whose policy decided (after redirects)
	Explanation string // the expanded exp= text on Fail, else ""
	Mechanism   string // the mechanism that matched as written, e.g. "ip4:192.0.2.0/24"; "" when none did
	Lookups     int    // DNS-querying terms evaluated (RFC 7208 §4.6.4); never more than the limit
	VoidLookups int    // terms whose lookup found no records, the one that broke the limit included

	Identity Identity   // which identity was checked
	Sender   string     // <sender>: the MAIL FROM address, or postmaster@<helo>
	HELO     string     // the HELO/EHLO name given
	ClientIP netip.Addr // the client address evaluated (IPv4-mapped addresses unmapped)
	Receiver string     // the Checker's Receiver

	// Err says why the Result is TempError or PermError, nil otherwise:
	// the same error that Check and CheckHELO return. It wraps
	// ErrTemporary (and a *net.DNSError) for a temporary DNS failure.
	Err error
	// Problem is Err's text, for the Received-SPF "problem" key.
	//
	// Deprecated: use Err.
	Problem string
}

// String returns the RFC 8601 method string, as AuthResult does.
func (v Verdict) String() string { return v.AuthResult() }

// IdentityDomain returns the domain of the checked identity, the one SPF
// authorized or not: the domain of MAIL FROM, or the HELO name when MAIL
// FROM was empty or the HELO identity was checked (RFC 7208 §2.3, §2.4).
// It is what DMARC aligns with the RFC 5322 From domain (RFC 7489 §3.1.2,
// dmarc.Input.SPFDomain). An internationalized name is given as its
// A-label, without a trailing dot, as it was evaluated.
func (v Verdict) IdentityDomain() string {
	d := v.senderDomain()
	if a, ok := identityDomain(d); ok {
		return a
	}
	return d
}

// senderDomain returns the domain part of the checked identity.
func (v Verdict) senderDomain() string {
	if v.Identity == IdentityHELO {
		return v.HELO
	}
	if i := strings.LastIndexByte(v.Sender, '@'); i >= 0 {
		return v.Sender[i+1:]
	}
	return v.Sender
}

// AuthResult returns the result as an RFC 8601
// Authentication-Results method, e.g. "spf=pass smtp.mailfrom=example.org"
// or "spf=none smtp.helo=mail.example.org". The property carries the
// domain of the checked identity (for a null reverse-path, the HELO name
// of postmaster@<helo>), as RFC 8601's examples do and as DMARC needs it:
// SPF authorizes a domain, and the local-part, which it evaluates only
// through macros, is left out. An internationalized name is given as its
// A-label. Values that are not plain tokens are quoted.
func (v Verdict) AuthResult() string {
	var b strings.Builder
	b.WriteString("spf=")
	b.WriteString(string(v.Result))
	if v.Identity == IdentityHELO {
		b.WriteString(" smtp.helo=")
	} else {
		b.WriteString(" smtp.mailfrom=")
	}
	writeValue(&b, v.IdentityDomain(), maxValueLen)
	return b.String()
}

// Limits on the text a header field carries from the sender.
const (
	maxValueLen   = 320
	maxProblemLen = 200
	foldWidth     = 78
)

// ReceivedSPF returns a complete Received-SPF header field (RFC 7208 §9.1),
// folded and ending in CRLF. receiver names this host (the "receiver" key);
// when empty, the Checker's Receiver is used, and when that is empty too
// the key is left out. "envelope-from" is given for the MAIL FROM identity
// only, "mechanism" is "default" when a record matched nothing, and
// "problem" says why on TempError and PermError. Every value that came
// from the sender is emitted as a dot-atom or a quoted-string and the
// comment is escaped, so no input can end the field early or add another
// one.
func (v Verdict) ReceivedSPF(receiver string) string {
	if receiver == "" {
		receiver = v.Receiver
	}
	var b strings.Builder
	b.WriteString("Received-SPF: ")
	b.WriteString(string(v.Result))
	b.WriteString(" (")
	if receiver != "" {
		writeComment(&b, truncate(receiver, maxValueLen))
		b.WriteString(": ")
	}
	writeComment(&b, v.commentText())
	b.WriteByte(')')
	line := b.Len()

	pairs := [...]struct{ key, value string }{
		{"client-ip", addrString(v.ClientIP)},
		{"envelope-from", v.Sender},
		{"helo", v.HELO},
		{"receiver", receiver},
		{"identity", string(v.Identity)},
		{"mechanism", v.mechanismKey()},
		{"problem", truncate(v.Problem, maxProblemLen)},
	}
	for _, p := range pairs {
		if p.value == "" && p.key != "envelope-from" && p.key != "helo" {
			continue
		}
		if p.key == "envelope-from" && v.Identity == IdentityHELO {
			// §9.1: "envelope-from" when the "MAIL FROM" identity was
			// checked; postmaster@<helo> is not an envelope sender.
			continue
		}
		var kv strings.Builder
		kv.WriteString(p.key)
		kv.WriteByte('=')
		writeValue(&kv, p.value, maxValueLen)
		kv.WriteByte(';')
		if line+1+kv.Len() > foldWidth {
			b.WriteString("\r\n\t")
			line = 1
		} else {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(kv.String())
		line += kv.Len()
	}
	b.WriteString("\r\n")
	return b.String()
}

// mechanismKey is the value of the "mechanism" key: the mechanism that
// matched, or "default" when a record was evaluated and none did (RFC
// 7208 §9.1); empty (the key left out) when there was no record or the
// evaluation ended in an error.
func (v Verdict) mechanismKey() string {
	if v.Mechanism == "" && v.Result == Neutral {
		return "default"
	}
	return v.Mechanism
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// commentText is the human-readable phrase of RFC 7208 §9.1's examples.
func (v Verdict) commentText() string {
	who := "domain of " + truncate(v.Sender, maxValueLen)
	ip := addrString(v.ClientIP)
	switch v.Result {
	case Pass:
		return who + " designates " + ip + " as permitted sender"
	case Fail:
		return who + " does not designate " + ip + " as permitted sender"
	case SoftFail:
		return "transitioning " + who + " does not designate " + ip + " as permitted sender"
	case Neutral:
		return ip + " is neither permitted nor denied by " + who
	case None:
		return who + " does not designate permitted sender hosts"
	case TempError:
		return "temporary error in processing during lookup of " + truncate(v.Sender, maxValueLen)
	case PermError:
		return "permanent error in processing " + who
	}
	return "unknown result"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	return isAlnum(c) || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// isDotAtom reports whether s is an RFC 5322 dot-atom-text.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if s[i-1] == '.' {
				return false
			}
			continue
		}
		if !isAtext(c) {
			return false
		}
	}
	return true
}

// writeValue writes s as a dot-atom when it is one, else as a
// quoted-string in which '"' and '\' are escaped and control characters
// and malformed UTF-8 are replaced by '?'.
func writeValue(b *strings.Builder, s string, max int) {
	s = truncate(s, max)
	if isDotAtom(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	writeSafe(b, s, `"\`)
	b.WriteByte('"')
}

// writeComment writes s as comment text: '(', ')' and '\' are escaped.
func writeComment(b *strings.Builder, s string) { writeSafe(b, s, `()\`) }

func writeSafe(b *strings.Builder, s, escape string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError {
				b.WriteByte('?')
			} else {
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		}
		switch {
		case c < 0x20 || c == 0x7f:
			b.WriteByte('?')
		case strings.IndexByte(escape, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		i++
	}
}
