package mtasts_test

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
	"github.com/mailsmith/mailsmith/smtp"
)

// deKind is how a test MX server does TLS: what the end-to-end delivery
// test puts in front of the sending client.
type deKind int

const (
	// deGood offers STARTTLS with a certificate from the test CA for its
	// own name.
	deGood deKind = iota
	// deSelfSigned offers STARTTLS with a self-signed certificate for its
	// own name.
	deSelfSigned
	// deWrongName offers STARTTLS with a test CA certificate for another
	// name.
	deWrongName
	// deExpired offers STARTTLS with a test CA certificate for its own
	// name that expired yesterday.
	deExpired
	// deNoSTARTTLS does not offer STARTTLS.
	deNoSTARTTLS
	// deBrokenTLS offers STARTTLS but every handshake fails (the server
	// has no certificate to give).
	deBrokenTLS
)

// String names the kind in test output.
func (k deKind) String() string {
	return [...]string{"good", "self-signed", "wrong-name", "expired", "no-starttls", "broken-tls"}[k]
}

// result is the RFC 8460 §4.3.1 result type a delivery that checks the
// certificate (WebPKI, against the MX name) must report for a server of
// this kind; "" for a server that passes. It is the truth the test holds
// the client's classification to, decided by how the server was built.
func (k deKind) result() tlsrpt.ResultType {
	switch k {
	case deSelfSigned:
		return tlsrpt.ResultCertificateNotTrusted
	case deWrongName:
		return tlsrpt.ResultCertificateHostMismatch
	case deExpired:
		return tlsrpt.ResultCertificateExpired
	case deNoSTARTTLS:
		return tlsrpt.ResultSTARTTLSNotSupported
	case deBrokenTLS:
		return tlsrpt.ResultValidationFailure
	}
	return ""
}

// tlsWorks reports whether a client that does not check the certificate
// gets TLS from a server of this kind.
func (k deKind) tlsWorks() bool { return k != deNoSTARTTLS && k != deBrokenTLS }

// opportunisticConns is the number of connections an opportunistic
// delivery makes to a server of this kind: two when the handshake fails
// (RFC 7435 §3: one retry in plain text on a new connection), else one.
func (k deKind) opportunisticConns() int64 {
	if k == deBrokenTLS {
		return 2
	}
	return 1
}

// deMessage is one message a test MX server accepted, with what the server
// saw of the connection it came over.
type deMessage struct {
	From string
	To   []string
	Data string
	TLS  bool   // the server's side of the connection was TLS
	SNI  string // the server name the client sent in the handshake
}

// deMX is one of our smtp.Server on 127.0.0.1 at a runtime port standing in
// for an MX host: it counts the connections it accepts, records the name
// of every TLS handshake (SNI) and the messages it accepts.
type deMX struct {
	name string
	pref uint16
	kind deKind
	port int

	conns atomic.Int64
	sni   testcert.SNILog

	mu   sync.Mutex
	msgs []deMessage
}

// newDeMX starts the server for host name of the given kind and stops it
// when the test ends.
func newDeMX(t *testing.T, ca *testcert.Cert, name string, pref uint16, kind deKind) *deMX {
	t.Helper()
	m := &deMX{name: name, pref: pref, kind: kind}
	srv := &smtp.Server{
		Hostname:    name,
		Backend:     smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &deSession{mx: m, conn: c}, nil }),
		ReadTimeout: 5 * time.Second,
	}
	var cert tls.Certificate
	now := time.Now()
	switch kind {
	case deGood:
		cert = ca.Valid(t, name)
	case deSelfSigned:
		cert = testcert.SelfSigned(t, name)
	case deWrongName:
		cert = ca.Valid(t, "wrong."+name)
	case deExpired:
		cert = ca.Issue(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour), name)
	}
	if kind != deNoSTARTTLS {
		served := &cert
		if kind == deBrokenTLS {
			served = nil // every handshake fails, its name recorded
		}
		srv.TLSConfig = m.sni.Config(served)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	m.port = l.Addr().(*net.TCPAddr).Port
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(deCountingListener{Listener: l, n: &m.conns})
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return m
}

// handshakes returns the SNI names of the TLS handshakes the server has
// started so far.
func (m *deMX) handshakes() []string { return m.sni.Names() }

// received returns the messages accepted for recipients in domain.
func (m *deMX) received(domain string) []deMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	var l []deMessage
	for _, msg := range m.msgs {
		for _, to := range msg.To {
			if strings.HasSuffix(to, "@"+domain) {
				l = append(l, msg)
				break
			}
		}
	}
	return l
}

// deCountingListener counts the connections the server accepts.
type deCountingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l deCountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// deSession accepts every message and records it in its server.
type deSession struct {
	mx   *deMX
	conn *smtp.Conn
	cur  deMessage
}

func (s *deSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur = deMessage{From: from}
	return nil
}

func (s *deSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *deSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(data)
	var st tls.ConnectionState
	st, s.cur.TLS = s.conn.TLSConnectionState()
	s.cur.SNI = st.ServerName
	s.mx.mu.Lock()
	s.mx.msgs = append(s.mx.msgs, s.cur)
	s.mx.mu.Unlock()
	return nil
}

func (s *deSession) Reset()        { s.cur = deMessage{} }
func (s *deSession) Logout() error { return nil }
