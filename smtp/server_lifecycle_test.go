package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerShutdown(t *testing.T) {
	be := &stBackend{}
	inData := make(chan struct{})
	var once sync.Once
	be.dataHook = func(*Conn) { once.Do(func() { close(inData) }) }
	s := &Server{Backend: be}
	addr := stStart(t, s)

	idle := stDial(t, addr)
	idle.read()
	idle.expect("EHLO idle.example", 250)
	idle.expect("MAIL FROM:<a@b.example>", 250) // in a transaction, but waiting for a command

	busy := stDial(t, addr)
	busy.read()
	stRun(t, busy, []stStep{{"EHLO busy.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	busy.send("first half\r\n")
	<-inData

	done := make(chan error, 1)
	go func() { done <- stShutdown(t, s, 10*time.Second) }()

	r := idle.read()
	assert.Equal(t, 421, r.Code, "idle session gets 421: %v", r)
	assert.True(t, strings.HasPrefix(r.Lines[0], "4.3.2 mx.test.example "), "%v", r)
	assert.True(t, idle.closed())

	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v while DATA was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	// New connections are refused.
	if nc, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		nc.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _ := nc.Read(make([]byte, 10))
		assert.Zero(t, n, "no greeting after Shutdown")
		nc.Close()
	}
	busy.send("second half\r\n.\r\n")
	busy.expect("", 250)
	busy.expect("", 421)
	assert.True(t, busy.closed())
	require.NoError(t, <-done)
	msgs := be.messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "first half\r\nsecond half\r\n", string(msgs[0].Data))
	require.Eventually(t, func() bool {
		be.mu.Lock()
		defer be.mu.Unlock()
		return be.logouts == 2
	}, 5*time.Second, 10*time.Millisecond)
}

func TestServerShutdownDeadline(t *testing.T) {
	be := &stBackend{}
	block := make(chan struct{})
	be.dataHook = func(*Conn) { <-block }
	s := &Server{Backend: be}
	c := stGreeted(t, stStart(t, s))
	stRun(t, c, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	c.send("x\r\n.\r\n")
	time.Sleep(20 * time.Millisecond)
	err := stShutdown(t, s, 50*time.Millisecond)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	// The deadline passed with the message still in the Session: the
	// connection is dropped without an answer.
	close(block)
	assert.True(t, c.closed())
}

func TestServerServeAfterClose(t *testing.T) {
	s := &Server{Backend: &stBackend{}}
	require.NoError(t, s.Close())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	assert.ErrorIs(t, s.Serve(l), ErrServerClosed)
}

func TestServerServeReturnsErrServerClosed(t *testing.T) {
	s := &Server{Backend: &stBackend{}}
	addr, served := stListen(t, s, false)
	c := stGreeted(t, addr)
	require.NoError(t, s.Close())
	assert.ErrorIs(t, <-served, ErrServerClosed)
	assert.True(t, c.closed())
}

func TestServerTimeout(t *testing.T) {
	s := &Server{Backend: &stBackend{}, ReadTimeout: 100 * time.Millisecond, DataTimeout: 100 * time.Millisecond}
	addr := stStart(t, s)
	c := stGreeted(t, addr)
	r := c.read()
	assert.Equal(t, 421, r.Code)
	assert.Contains(t, r.Lines[0], "4.4.2")
	assert.True(t, c.closed())

	c = stGreeted(t, addr)
	stRun(t, c, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	c.send("partial")
	c.expect("", 421)
	assert.True(t, c.closed())
}

func TestServerMaxConnections(t *testing.T) {
	s := &Server{Backend: &stBackend{}, MaxConnections: 1}
	addr := stStart(t, s)
	c1 := stDial(t, addr)
	c1.expect("", 220)
	c2 := stDial(t, addr)
	r := c2.expect("", 421)
	assert.Contains(t, r.Lines[0], "4.3.2 mx.test.example")
	assert.True(t, c2.closed())
	c1.expect("QUIT", 221)
	c1.closed()
	// The slot is free again.
	require.Eventually(t, func() bool {
		c3 := stDial(t, addr)
		return c3.read().Code == 220
	}, 5*time.Second, 20*time.Millisecond)
}

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
	addr := stStart(t, &Server{Backend: be, Logger: discardLogger()})
	c := stGreeted(t, addr)
	stRun(t, c, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n", []int{250, 250}}})
	c.send("RCPT TO:<c@d.example>\r\n")
	_, err := c.tryRead()
	assert.Error(t, err)
	// The server still serves others.
	c2 := stDial(t, addr)
	c2.expect("", 220)
}

func discardLogger() *slogLogger { return newDiscardLogger() }

func TestServerClientDisconnectMidData(t *testing.T) {
	be := &stBackend{}
	s := &Server{Backend: be}
	c := stGreeted(t, stStart(t, s))
	stRun(t, c, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	c.send("half a message")
	c.nc.Close()
	require.Eventually(t, func() bool {
		be.mu.Lock()
		defer be.mu.Unlock()
		return be.logouts == 1
	}, 5*time.Second, 10*time.Millisecond)
	msgs := be.messages()
	require.Len(t, msgs, 1)
	assert.ErrorIs(t, msgs[0].Err, io.ErrUnexpectedEOF)
}

func TestServerShutdownTLSIdle(t *testing.T) {
	s := &Server{Backend: &stBackend{}, TLSConfig: tlsServer(t)}
	addr := stStartTLS(t, s)
	nc, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	c := stWrap(t, nc)
	c.expect("", 220)
	c.expect("EHLO c.example", 250)
	require.NoError(t, stShutdown(t, s, 10*time.Second))
	r := c.expect("", 421)
	assert.Contains(t, r.Lines[0], "4.3.2")
}

// stSlowSession sleeps in Rcpt and waits for its context in Data.
type stSlowSession struct {
	stSession
	cancelled chan struct{}
}

func (s *stSlowSession) Rcpt(to string, opts *RcptOptions) error {
	time.Sleep(300 * time.Millisecond)
	return s.stSession.Rcpt(to, opts)
}

func (s *stSlowSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	select {
	case <-s.c.Context().Done():
		close(s.cancelled)
		return s.c.Context().Err()
	case <-time.After(10 * time.Second):
		return nil
	}
}

// TestServerContextCancelledWhileSessionBusy: the session's context ends
// as soon as the connection fails (here the client resets it), even
// while the Session is working; input that arrives meanwhile is kept.
// A plain close is only end of input, which a half-closing client also
// sends: see TestReliabilityHalfClose.
func TestServerContextCancelledWhileSessionBusy(t *testing.T) {
	cancelled := make(chan struct{})
	be := BackendFunc(func(c *Conn) (Session, error) {
		return &stSlowSession{stSession: stSession{b: &stBackend{}, c: c}, cancelled: cancelled}, nil
	})
	c := stGreeted(t, stStart(t, &Server{Backend: be}))
	stRun(t, c, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n", []int{250, 250}}})
	c.send("RCPT TO:<c@d.example>\r\n")
	time.Sleep(150 * time.Millisecond) // Rcpt is busy; the watch is reading
	c.send("NOOP\r\n")
	stRun(t, c, []stStep{{"", []int{250, 250}}})
	c.send("DATA\r\n")
	c.expect("", 354)
	c.send("body\r\n.\r\n")
	time.Sleep(150 * time.Millisecond)
	require.NoError(t, c.nc.(*net.TCPConn).SetLinger(0))
	c.nc.Close()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("context not cancelled while the session was busy")
	}
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

func TestServerShutdownDuringAuth(t *testing.T) {
	s := &Server{Backend: &stBackend{users: map[string]string{"u": "p"}}, AllowInsecureAuth: true}
	c := stGreeted(t, stStart(t, s))
	c.expect("EHLO c.example", 250)
	c.expect("AUTH LOGIN", 334)
	done := make(chan error, 1)
	go func() { done <- stShutdown(t, s, 10*time.Second) }()
	r := c.expect("", 421)
	assert.Contains(t, r.Lines[0], "4.3.2")
	require.NoError(t, <-done)
}
