package receiver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/smtp"
)

type session struct {
	b    *Backend
	conn *smtp.Conn
	from string
	to   []string
}

// Mail starts a transaction (smtp.Session).
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.Reset()
	s.from = from
	return nil
}

// Rcpt asks the Handler whether the recipient exists.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.b.Handler.Recipient(s.conn.Context(), to); err != nil {
		s.b.log().Info("recipient refused", "from", s.from, "to", to, "ip", s.conn.RemoteAddr().Addr(), "err", err)
		return err
	}
	s.to = append(s.to, to)
	return nil
}

// Data reads the message, checks it, enforces DMARC, adds the trace
// fields and hands it to the Handler.
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err // the server refuses the message itself
	}
	ctx := s.conn.Context()
	m := &Message{
		From:     s.from,
		To:       append([]string(nil), s.to...),
		RemoteIP: s.conn.RemoteAddr().Addr().Unmap(),
		HELO:     s.conn.Helo(),
	}
	var trace []string
	action := authcheck.Accept
	if c := s.b.Checker; c != nil {
		// RFC 8601 §5: only this MX may have written fields with its
		// authserv-id; whatever the sender put there goes.
		var clean bytes.Buffer
		strip := &authres.Stripper{AuthServID: s.b.Hostname}
		removed, err := strip.Strip(&clean, bytes.NewReader(data))
		if err != nil {
			s.b.log().Warn("message refused: cannot remove forged Authentication-Results", "from", m.From, "ip", m.RemoteIP, "err", err)
			return stripRefusal(err)
		}
		if removed > 0 {
			s.b.log().Info("removed forged Authentication-Results", "from", m.From, "ip", m.RemoteIP, "count", removed)
		}
		data = clean.Bytes()
		m.Checks = c.Check(ctx, authcheck.Input{IP: m.RemoteIP, HELO: m.HELO, MailFrom: m.From, Message: data})
		action = m.Checks.Action()
		h, err := m.Checks.Header(s.b.Hostname)
		if err != nil {
			s.b.log().Error("Authentication-Results", "err", err)
		}
		if h != nil {
			trace = append(trace, h.Field())
		}
		trace = append(trace, m.Checks.ReceivedSPF(s.b.Hostname))
	}
	trace = append(trace, s.received(m))
	m.Data = mailmsg.Prepend(data, trace...)
	m.Junk = action == authcheck.Quarantine

	var refusal error
	if action == authcheck.Reject {
		refusal = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: m.Checks.RejectText()}
	}
	if s.b.Observe != nil {
		s.b.Observe(Event{Message: m, Action: action, Err: refusal})
	}
	if refusal == nil {
		refusal = s.b.Handler.Deliver(ctx, m)
	}
	s.b.log().Info("message", "from", m.From, "to", m.To, "ip", m.RemoteIP, "helo", m.HELO,
		"checks", summary(m), "err", refusal)
	return refusal
}

// stripRefusal is the reply to a message whose forged
// Authentication-Results fields could not be removed: a header beyond the
// Stripper's limits is refused for good, anything else is temporary.
func stripRefusal(err error) error {
	if errors.Is(err, authres.ErrLimit) {
		return &smtp.Error{Code: 552, EnhancedCode: [3]int{5, 3, 4}, Message: "message header too big"}
	}
	return err // 451 4.3.0
}

func summary(m *Message) string {
	if m.Checks == nil {
		return "not checked"
	}
	return m.Checks.Summary()
}

// received returns the Received field of RFC 5321 §4.4 for this hop.
func (s *session) received(m *Message) string {
	proto := "SMTP"
	if s.conn.ESMTP() {
		proto = "ESMTP"
	}
	if _, ok := s.conn.TLSConnectionState(); ok {
		proto += "S"
	}
	from := m.HELO
	if m.Checks != nil && len(m.Checks.IPRev.Names) > 0 {
		from += " (" + m.Checks.IPRev.Names[0] + " [" + m.RemoteIP.String() + "])"
	} else {
		from += " ([" + m.RemoteIP.String() + "])"
	}
	return fmt.Sprintf("Received: from %s\r\n\tby %s with %s; %s",
		from, s.b.Hostname, proto, mailmsg.DateHeader(time.Now()))
}

// Reset forgets the transaction.
func (s *session) Reset() {
	s.from, s.to = "", nil
}

// Logout has nothing to release.
func (s *session) Logout() error { return nil }
