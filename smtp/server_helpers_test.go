package smtp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/testpeer"
)

// stMessage is one message a test backend received.
type stMessage struct {
	From string
	Opts MailOptions
	To   []string
	Data []byte
	Err  error // what reading Data returned, if not EOF
	Auth string
	Helo string
	TLS  bool
}

// stBackend is a configurable in-memory backend for server tests.
type stBackend struct {
	mu         sync.Mutex
	msgs       []stMessage
	mails      []string // every MAIL the Session accepted
	rcpts      []string // every RCPT the Session accepted
	authed     []string // "identity/user" of every accepted AUTH
	resets     int
	logouts    int
	sessions   int
	rejectRcpt map[string]error
	rcptCheck  func(to string) error // non-nil: refuses the recipients it returns an error for
	mailErr    error
	dataErr    error
	newErr     error
	readLimit  int               // >0: Data reads only this much and returns dataErr
	users      map[string]string // non-nil: sessions implement AuthSession
	dataHook   func(c *Conn)
	conns      []*Conn
}

func (b *stBackend) NewSession(c *Conn) (Session, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.newErr != nil {
		return nil, b.newErr
	}
	b.sessions++
	b.conns = append(b.conns, c)
	s := &stSession{b: b, c: c}
	if b.users != nil {
		return &stAuthSession{s}, nil
	}
	return s, nil
}

func (b *stBackend) messages() []stMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]stMessage(nil), b.msgs...)
}

// snapshot returns the accepted MAILs and RCPTs and the messages so far.
func (b *stBackend) snapshot() (mails, rcpts []string, msgs []stMessage) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.mails...), append([]string(nil), b.rcpts...), append([]stMessage(nil), b.msgs...)
}

type stSession struct {
	b   *stBackend
	c   *Conn
	cur *stMessage
}

func (s *stSession) Mail(from string, opts *MailOptions) error {
	if s.b.mailErr != nil {
		return s.b.mailErr
	}
	s.cur = &stMessage{From: from, Opts: *opts, Auth: s.c.AuthIdentity(), Helo: s.c.Helo()}
	_, s.cur.TLS = s.c.TLSConnectionState()
	s.b.mu.Lock()
	s.b.mails = append(s.b.mails, from)
	s.b.mu.Unlock()
	return nil
}

func (s *stSession) Rcpt(to string, opts *RcptOptions) error {
	if err := s.b.rejectRcpt[to]; err != nil {
		return err
	}
	if s.b.rcptCheck != nil {
		if err := s.b.rcptCheck(to); err != nil {
			return err
		}
	}
	s.cur.To = append(s.cur.To, to)
	s.b.mu.Lock()
	s.b.rcpts = append(s.b.rcpts, to)
	s.b.mu.Unlock()
	return nil
}

func (s *stSession) Data(r io.Reader) error {
	if s.b.dataHook != nil {
		s.b.dataHook(s.c)
	}
	var buf bytes.Buffer
	var err error
	if s.b.readLimit > 0 {
		_, err = io.CopyN(&buf, r, int64(s.b.readLimit))
	} else {
		_, err = io.Copy(&buf, r)
	}
	m := *s.cur
	m.Data = buf.Bytes()
	m.Err = err
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, m)
	s.b.mu.Unlock()
	if err != nil {
		return err
	}
	return s.b.dataErr
}

func (s *stSession) Reset() {
	s.b.mu.Lock()
	s.b.resets++
	s.b.mu.Unlock()
	s.cur = nil
}

func (s *stSession) Logout() error {
	s.b.mu.Lock()
	s.b.logouts++
	s.b.mu.Unlock()
	return nil
}

type stAuthSession struct{ *stSession }

func (s *stAuthSession) AuthPlain(identity, user, pass string) error {
	if want, ok := s.b.users[user]; ok && want == pass {
		s.b.mu.Lock()
		s.b.authed = append(s.b.authed, identity+"/"+user)
		s.b.mu.Unlock()
		return nil
	}
	if user == "broken" {
		return errors.New("database on fire at 10.0.0.7")
	}
	return ErrAuthFailed
}

// stNopSession accepts every command and discards the messages; test
// sessions embed it and define what they watch.
type stNopSession struct{}

func (stNopSession) Mail(string, *MailOptions) error { return nil }
func (stNopSession) Rcpt(string, *RcptOptions) error { return nil }
func (stNopSession) Reset()                          {}
func (stNopSession) Logout() error                   { return nil }
func (stNopSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

// stCountingBackend accepts everything and counts messages and octets.
type stCountingBackend struct {
	msgs, octets atomic.Int64
}

func (b *stCountingBackend) NewSession(*Conn) (Session, error) { return stCountingSession{b: b}, nil }

type stCountingSession struct {
	stNopSession
	b *stCountingBackend
}

func (s stCountingSession) Data(r io.Reader) error {
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return err
	}
	s.b.msgs.Add(1)
	s.b.octets.Add(n)
	return nil
}

// stStart serves s on a loopback port chosen at run time until the test
// ends and returns its address.
func stStart(t testing.TB, s *Server) string {
	addr, _ := stListen(t, s, false)
	return addr
}

// stStartTLS serves implicit TLS.
func stStartTLS(t testing.TB, s *Server) string {
	addr, _ := stListen(t, s, true)
	return addr
}

// stListen serves s, in implicit TLS when implicitTLS, on a loopback port
// chosen at run time and returns its address and what Serve returns.
func stListen(t testing.TB, s *Server, implicitTLS bool) (string, <-chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l.Addr().String(), stServe(t, s, l, implicitTLS)
}

// stSetup starts a Server over an stBackend, each first adjusted by its
// function when not nil, and dials it; the greeting is still to be read.
func stSetup(t testing.TB, adjustBackend func(*stBackend), adjustServer func(*Server)) (*stBackend, *stConn) {
	t.Helper()
	be := &stBackend{}
	if adjustBackend != nil {
		adjustBackend(be)
	}
	s := &Server{Backend: be}
	if adjustServer != nil {
		adjustServer(s)
	}
	return be, stDial(t, stStart(t, s))
}

// stServe serves s on l until the test ends, when it closes s and waits
// for Serve to return; the channel gets what Serve returned.
func stServe(t testing.TB, s *Server, l net.Listener, implicitTLS bool) <-chan error {
	if s.Hostname == "" {
		s.Hostname = "mx.test.example"
	}
	served := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if implicitTLS {
			served <- s.ServeTLS(l)
		} else {
			served <- s.Serve(l)
		}
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	return served
}

// b64 encodes s in base64, as SASL exchanges carry it (RFC 4954 §4).
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// stReply is one reply read by the raw test client.
type stReply struct {
	Code  int
	Lines []string // text of each line, after "code-" / "code "
}

func (r stReply) String() string {
	return strconv.Itoa(r.Code) + " " + strings.Join(r.Lines, " | ")
}

// stConn is a raw client: it writes exact bytes and reads replies.
type stConn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func stDial(t testing.TB, addr string) *stConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return stWrap(t, nc)
}

// stGreeted dials addr and reads the server's 220 greeting.
func stGreeted(t testing.TB, addr string) *stConn {
	t.Helper()
	c := stDial(t, addr)
	c.expect("", 220)
	return c
}

// stGreetedTLS dials addr with implicit TLS, the certificate not
// checked, and reads the 220 greeting.
func stGreetedTLS(t testing.TB, addr string) *stConn {
	t.Helper()
	nc, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := stWrap(t, nc)
	c.expect("", 220)
	return c
}

// startTLS makes the client's TLS handshake on c, the certificate not
// checked, after the server's 220 to STARTTLS.
func (c *stConn) startTLS() {
	c.t.Helper()
	tc := tls.Client(c.nc, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("TLS handshake: %v", err)
	}
	c.nc, c.br = tc, bufio.NewReader(tc)
}

func stWrap(t testing.TB, nc net.Conn) *stConn {
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	return &stConn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *stConn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("write %q: %v", s, err)
	}
}

// read reads one reply; it fails the test on a malformed one.
func (c *stConn) read() stReply {
	c.t.Helper()
	r, err := c.tryRead()
	if err != nil {
		c.t.Fatalf("reading reply: %v", err)
	}
	return r
}

func (c *stConn) tryRead() (stReply, error) {
	var r stReply
	for {
		line, err := c.br.ReadString('\n')
		if err != nil {
			return r, err
		}
		if !strings.HasSuffix(line, "\r\n") || len(line) < 5 {
			return r, errors.New("malformed reply line " + strconv.Quote(line))
		}
		line = line[:len(line)-2]
		code, err := strconv.Atoi(line[:3])
		if err != nil || (r.Code != 0 && code != r.Code) {
			return r, errors.New("bad reply code in " + strconv.Quote(line))
		}
		r.Code = code
		r.Lines = append(r.Lines, line[4:])
		if line[3] == ' ' {
			return r, nil
		}
		if line[3] != '-' {
			return r, errors.New("bad separator in " + strconv.Quote(line))
		}
	}
}

// readN reads n replies, whatever they say.
func (c *stConn) readN(n int) {
	c.t.Helper()
	for range n {
		c.read()
	}
}

// expect sends a command (unless empty) and checks the reply code.
func (c *stConn) expect(cmd string, code int) stReply {
	c.t.Helper()
	if cmd != "" {
		c.send(cmd + "\r\n")
	}
	r := c.read()
	if r.Code != code {
		c.t.Fatalf("%q: got %v, want %d", cmd, r, code)
	}
	return r
}

// closed reports whether the server closed the connection, with nothing
// more to read.
func (c *stConn) closed() bool {
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := c.br.ReadByte()
	if err == nil {
		c.t.Logf("unexpected octet %q after the last reply", b)
		return false
	}
	return err == io.EOF || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "reset")
}

// postfixTool finds one of Postfix's test programs (smtp-source,
// smtp-sink), which Debian installs in /usr/sbin, a folder not every PATH
// holds; it skips or fails as testpeer.Program does.
func postfixTool(t testing.TB, name string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return testpeer.Program(t, name, "Debian postfix")
	}
	return testpeer.Program(t, "/usr/sbin/"+name, "Debian postfix")
}

// stShutdown calls Shutdown with a deadline.
func stShutdown(t testing.TB, s *Server, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.Shutdown(ctx)
}

// stSyncBuffer is a bytes.Buffer safe for concurrent use (log output).
type stSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *stSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *stSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
