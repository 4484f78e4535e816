package smtp

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Clients that go away: a half-close after a whole transaction, a close
// or reset in the middle of a message, a reset while the Session works.

// rlSlowBackend's sessions read the whole message, then take a while
// over it (a content scan, a slow disk) and record whether their
// context was still alive when they answered.
type rlSlowBackend struct {
	delay time.Duration

	mu       sync.Mutex
	accepted []string // message bodies Data accepted
	ctxDead  []bool   // per accepted message: was the context cancelled?
}

func (b *rlSlowBackend) NewSession(c *Conn) (Session, error) {
	return &rlSlowSession{b: b, c: c}, nil
}

type rlSlowSession struct {
	stNopSession
	b *rlSlowBackend
	c *Conn
}

func (s *rlSlowSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	time.Sleep(s.b.delay)
	s.b.mu.Lock()
	s.b.accepted = append(s.b.accepted, string(body))
	s.b.ctxDead = append(s.b.ctxDead, s.c.Context().Err() != nil)
	s.b.mu.Unlock()
	return nil
}

func (b *rlSlowBackend) snapshot() ([]string, []bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.accepted...), append([]bool(nil), b.ctxDead...)
}

// rlReadAllReplies reads every reply until the server closes, and
// returns their codes.
func rlReadAllReplies(t *testing.T, br *bufio.Reader) []int {
	t.Helper()
	c := &stConn{t: t, br: br}
	var codes []int
	for {
		r, err := c.tryRead()
		if err != nil {
			if err != io.EOF || r.Code != 0 {
				t.Fatalf("after replies %v: %v", codes, err)
			}
			return codes
		}
		codes = append(codes, r.Code)
	}
}

// TestReliabilityHalfClose: a client that sends its whole transaction
// and then shuts down its sending side (shutdown(SHUT_WR), as
// netcat-style senders and some proxies do) must still get every reply,
// however long the Session takes, and the Session's context must stay
// alive: end of input is not a client that has gone away.
func TestReliabilityHalfClose(t *testing.T) {
	const txn = "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nhello\r\n.\r\n"
	tests := []struct {
		name string
		send []string // written in turn, a short pause between them
		want []int
	}{
		{"whole transaction and QUIT", []string{txn + "QUIT\r\n"}, []int{250, 250, 250, 354, 250, 221}},
		{"whole transaction without QUIT", []string{txn}, []int{250, 250, 250, 354, 250}},
		{"QUIT sent while the Session works", []string{txn, "QUIT\r\n"}, []int{250, 250, 250, 354, 250, 221}},
		{"BDAT without QUIT", []string{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 7 LAST\r\nhello\r\n"},
			[]int{250, 250, 250, 250}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be := &rlSlowBackend{delay: 100 * time.Millisecond}
			addr := stStart(t, &Server{Backend: be})
			c := stDial(t, addr)
			nc, br := c.nc, c.br
			c.expect("", 220)
			for i, s := range tc.send {
				if i > 0 {
					time.Sleep(70 * time.Millisecond) // the Session is busy now
				}
				_, err := io.WriteString(nc, s)
				require.NoError(t, err)
			}
			require.NoError(t, nc.(*net.TCPConn).CloseWrite())
			codes := rlReadAllReplies(t, br)
			assert.Equal(t, tc.want, codes, "every reply, then the server closes")
			bodies, dead := be.snapshot()
			require.Len(t, bodies, 1)
			assert.Equal(t, "hello\r\n", bodies[0])
			assert.False(t, dead[0], "the Session's context was cancelled because of a half-close")
		})
	}
}

// TestReliabilityHalfCloseMidData: end of input inside a message is a
// truncated message: the Session's reader says so (never io.EOF), the
// replies already due are still sent, and the connection then closes.
func TestReliabilityHalfCloseMidData(t *testing.T) {
	be := &stBackend{}
	addr := stStart(t, &Server{Backend: be})
	c := stDial(t, addr)
	nc, br := c.nc, c.br
	io.WriteString(nc, "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n"+strings.Repeat("line\r\n", 10)+"no end")
	require.NoError(t, nc.(*net.TCPConn).CloseWrite())
	codes := rlReadAllReplies(t, br)
	assert.Equal(t, []int{220, 250, 250, 250, 354}, codes)
	msgs := be.messages()
	require.Len(t, msgs, 1)
	assert.ErrorIs(t, msgs[0].Err, io.ErrUnexpectedEOF)
}

// TestReliabilityHalfCloseTLS: the same over implicit TLS, where the
// client ends its side with a close_notify alert.
func TestReliabilityHalfCloseTLS(t *testing.T) {
	be := &rlSlowBackend{delay: 100 * time.Millisecond}
	addr := stStartTLS(t, &Server{Backend: be, TLSConfig: tlsServer(t)})
	c := stGreetedTLS(t, addr)
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	c.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nhello\r\n.\r\n")
	require.NoError(t, c.nc.(*tls.Conn).CloseWrite())
	assert.Equal(t, []int{250, 250, 250, 354, 250}, rlReadAllReplies(t, c.br))
	bodies, dead := be.snapshot()
	require.Len(t, bodies, 1)
	assert.False(t, dead[0], "the Session's context was cancelled because of a half-close")
}

// rlAbort is how a client goes away.
type rlAbort int

const (
	rlClose     rlAbort = iota // close(): FIN
	rlReset                    // SO_LINGER 0: RST
	rlHalfClose                // shutdown(SHUT_WR), then read every reply
)

func (a rlAbort) String() string { return [...]string{"close", "reset", "half-close"}[a] }

// TestReliabilityAborts: a client that goes away in the middle of a DATA
// or BDAT transfer never leaves a Session with a partial message it
// took for complete (its reader fails, never says io.EOF), and never
// gets a 250 for it.
func TestReliabilityAborts(t *testing.T) {
	const env = "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n"
	cuts := []struct{ name, send string }{
		{"DATA: inside a line", env + "DATA\r\nhello wor"},
		{"DATA: after a CRLF", env + "DATA\r\nhello\r\n"},
		{"DATA: after CRLF dot", env + "DATA\r\nhello\r\n."},
		{"DATA: after CRLF dot CR", env + "DATA\r\nhello\r\n.\r"},
		{"DATA: right after 354", env + "DATA\r\n"},
		{"BDAT: inside the last chunk", env + "BDAT 10 LAST\r\nhello"},
		{"BDAT: between chunks", env + "BDAT 5\r\nhello"},
		{"BDAT: inside the next BDAT command", env + "BDAT 5\r\nhelloBDAT 5 L"},
		{"BDAT: after the next BDAT command", env + "BDAT 5\r\nhelloBDAT 5 LAST\r\n"},
		{"BDAT: inside a chunk after NOOP", env + "BDAT 5\r\nhelloNOOP\r\nBDAT 3 LAST\r\nab"},
	}
	for _, cut := range cuts {
		for _, how := range []rlAbort{rlClose, rlReset, rlHalfClose} {
			t.Run(cut.name+"/"+how.String(), func(t *testing.T) {
				be := &stBackend{}
				s := &Server{Backend: be}
				addr := stStart(t, s)
				c := stDial(t, addr)
				nc, br := c.nc, c.br
				_, err := io.WriteString(nc, cut.send)
				require.NoError(t, err)
				var replies []int
				switch how {
				case rlClose:
					// Read the replies, so that the close is a FIN and
					// not a reset for unread input.
					go io.Copy(io.Discard, br)
					time.Sleep(20 * time.Millisecond)
					nc.Close()
				case rlReset:
					time.Sleep(20 * time.Millisecond)
					nc.(*net.TCPConn).SetLinger(0)
					nc.Close()
				case rlHalfClose:
					require.NoError(t, nc.(*net.TCPConn).CloseWrite())
					replies = rlReadAllReplies(t, br)
				}
				require.Eventually(t, func() bool { return s.Stats().Active == 0 }, 5*time.Second, 5*time.Millisecond)
				for _, m := range be.messages() {
					assert.Error(t, m.Err, "the Session read a cut message to its end")
				}
				if how == rlHalfClose {
					// 220, EHLO, MAIL, RCPT, then 354 or chunk replies,
					// never a 250 for the message.
					require.GreaterOrEqual(t, len(replies), 4, "%v", replies)
					assert.Equal(t, []int{220, 250, 250, 250}, replies[:4])
					assert.LessOrEqual(t, len(replies), 6, "%v", replies)
				}
			})
		}
	}
}

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
