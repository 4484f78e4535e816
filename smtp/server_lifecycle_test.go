package smtp

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerGreetingRefused421(t *testing.T) {
	be := &stBackend{newErr: &Error{Code: 421, EnhancedCode: [3]int{4, 7, 0}, Message: "mx.test.example busy"}}
	c := stDial(t, stStart(t, &Server{Backend: be}))
	r := c.expect("", 421)
	assert.Equal(t, "4.7.0 mx.test.example busy", r.Lines[0])
	assert.True(t, c.closed())

	be2 := &stBackend{newErr: errors.New("internal")}
	c = stDial(t, stStart(t, &Server{Backend: be2}))
	r = c.expect("", 421)
	assert.NotContains(t, r.Lines[0], "internal")
	assert.True(t, c.closed())
}

func TestServerConnFacts(t *testing.T) {
	conns := make(chan *Conn, 1)
	facts := make(chan [3]string, 1)
	be := &stBackend{}
	be.dataHook = func(c *Conn) {
		_, tlsOn := c.TLSConnectionState()
		facts <- [3]string{c.Helo(), c.RemoteAddr().Addr().String(), map[bool]string{true: "tls", false: "plain"}[tlsOn]}
		conns <- c
	}
	addr := stStart(t, &Server{Backend: be})
	c := stGreeted(t, addr)
	stRun(t, c, []stStep{{"EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	c.expect("x\r\n.", 250)
	f := <-facts
	assert.Equal(t, [3]string{"client.example", "127.0.0.1", "plain"}, f)
	conn := <-conns
	assert.Equal(t, c.nc.LocalAddr().(*net.TCPAddr).AddrPort().Port(), conn.RemoteAddr().Port())
	assert.Equal(t, netip.MustParseAddr("127.0.0.1"), conn.LocalAddr().Addr())
	assert.True(t, conn.ESMTP())
	assert.Empty(t, conn.AuthIdentity())
	assert.NoError(t, conn.Context().Err())
	c.nc.Close()
	select {
	case <-conn.Context().Done():
	case <-time.After(5 * time.Second):
		t.Fatal("session context not cancelled after disconnect")
	}
}

// stPanicSession panics in Rcpt.
type stPanicSession struct{ stSession }

func (s *stPanicSession) Rcpt(string, *RcptOptions) error { panic("boom") }

func TestServerSessionPanic(t *testing.T) {
	be := BackendFunc(func(c *Conn) (Session, error) { return &stPanicSession{stSession{b: &stBackend{}, c: c}}, nil })
	addr := stStart(t, &Server{Backend: be, Logger: slog.New(slog.DiscardHandler)})
	c := stGreeted(t, addr)
	stRun(t, c, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n", []int{250, 250}}})
	c.send("RCPT TO:<c@d.example>\r\n")
	_, err := c.tryRead()
	assert.Error(t, err)
	// The server still serves others.
	c2 := stDial(t, addr)
	c2.expect("", 220)
}

func TestServerListenErrors(t *testing.T) {
	s := &Server{Backend: &stBackend{}, Addr: "127.0.0.1:-1"}
	assert.Error(t, s.ListenAndServe())
	assert.Error(t, s.ListenAndServeTLS(), "no TLSConfig")
	s.TLSConfig = tlsServer(t)
	assert.Error(t, s.ListenAndServeTLS())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	assert.Error(t, (&Server{Backend: &stBackend{}}).ServeTLS(l), "no TLSConfig")
	assert.Error(t, (&Server{}).Serve(l), "no Backend")
}

func TestServerListenAndServe(t *testing.T) {
	// Find a free port, then let ListenAndServe bind it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	s := &Server{Backend: &stBackend{}, Addr: addr, Hostname: "mx.test.example"}
	errc := make(chan error, 1)
	go func() { errc <- s.ListenAndServe() }()
	var nc net.Conn
	require.Eventually(t, func() bool {
		nc, err = net.Dial("tcp", addr)
		return err == nil
	}, 5*time.Second, 10*time.Millisecond)
	c := stWrap(t, nc)
	c.expect("", 220)
	assert.Equal(t, s, stConnOf(t, s))
	require.NoError(t, stShutdown(t, s, 5*time.Second))
	c.expect("", 421)
	assert.ErrorIs(t, <-errc, ErrServerClosed)
	nc.Close()
}

// stConnOf returns the server its only connection belongs to.
func stConnOf(t *testing.T, s *Server) *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		return c.Server()
	}
	t.Fatal("no connection")
	return nil
}
