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
	tc, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	require.NoError(t, err)
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(tc)
	c := &stConn{t: t, nc: tc, br: br}
	c.expect("", 220)
	_, err = io.WriteString(tc, "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nhello\r\n.\r\n")
	require.NoError(t, err)
	require.NoError(t, tc.CloseWrite())
	assert.Equal(t, []int{250, 250, 250, 354, 250}, rlReadAllReplies(t, br))
	bodies, dead := be.snapshot()
	require.Len(t, bodies, 1)
	assert.False(t, dead[0], "the Session's context was cancelled because of a half-close")
}
