package runtest

import (
	"io"
	"sync"

	"github.com/mailsmith/mailsmith/smtp"
)

// Sink is an smtp.Backend for the MX hosts of a test (see ServeSMTP): it
// takes every message, throws the data away and remembers, for each
// recipient, whether the message came over TLS. It counts connections.
type Sink struct {
	mu    sync.Mutex
	conns int
	got   []Received
}

// Received is one recipient of a message a Sink took.
type Received struct {
	Rcpt string
	TLS  bool // the session was over TLS (STARTTLS or implicit)
}

// NewSession implements smtp.Backend.
func (s *Sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	s.conns++
	s.mu.Unlock()
	return &sinkSession{s: s, c: c}, nil
}

// Snapshot returns the number of connections so far and the recipients
// received, in order.
func (s *Sink) Snapshot() (conns int, got []Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns, append([]Received(nil), s.got...)
}

type sinkSession struct {
	s  *Sink
	c  *smtp.Conn
	to []string
}

func (x *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	_, isTLS := x.c.TLSConnectionState()
	x.s.mu.Lock()
	for _, to := range x.to {
		x.s.got = append(x.s.got, Received{Rcpt: to, TLS: isTLS})
	}
	x.s.mu.Unlock()
	return nil
}

func (x *sinkSession) Reset()        { x.to = nil }
func (x *sinkSession) Logout() error { return nil }
