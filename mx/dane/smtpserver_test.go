package dane_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/smtp"
)

// mailbox is an smtp backend keeping what it received.
type mailbox struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	from string
	to   []string
	data []byte
	tls  bool
	sni  string // the Server Name Indication the client sent
}

func (m *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &mailSession{box: m, conn: c}, nil
}

func (m *mailbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.msgs)
}

func (m *mailbox) last() received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.msgs[len(m.msgs)-1]
}

type mailSession struct {
	box  *mailbox
	conn *smtp.Conn
	cur  received
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	var cs tls.ConnectionState
	cs, s.cur.tls = s.conn.TLSConnectionState()
	s.cur.sni = cs.ServerName
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	s.cur = received{}
	return nil
}
func (s *mailSession) Reset()        { s.cur = received{} }
func (s *mailSession) Logout() error { return nil }

// startSMTP runs an smtp.Server offering STARTTLS with cert on 127.0.0.1
// until the test ends.
func startSMTP(t *testing.T, cert tls.Certificate) (string, *mailbox) {
	t.Helper()
	box := &mailbox{}
	srv := &smtp.Server{
		Hostname:  "mx.example.org",
		Backend:   box,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return l.Addr().String(), box
}
