package receiver

import (
	"fmt"
	"io"
	"time"

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
		data, _ = authcheck.StripForged(data, s.b.Hostname)
		m.Checks = c.Check(ctx, authcheck.Input{IP: m.RemoteIP, HELO: m.HELO, MailFrom: m.From, Message: data})
		action = m.Checks.Action()
		trace = append(trace, m.Checks.AuthenticationResults(s.b.Hostname), m.Checks.ReceivedSPF(s.b.Hostname))
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
	if _, ok := s.conn.TLS(); ok {
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
