package smtp

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServerSmuggling sends messages whose data hides a second
// transaction behind a non-standard end-of-data marker. Only CRLF.CRLF
// may end the data; the hidden commands must stay data and the message
// must be refused (or, in lenient mode, delivered whole).
func TestServerSmuggling(t *testing.T) {
	hidden := "MAIL FROM:<admin@victim.example>\r\nRCPT TO:<x@d.example>\r\nDATA\r\nSmuggled\r\n"
	markers := []struct{ name, marker string }{
		{"LF.LF", "\n.\n"},
		{"LF.CRLF", "\n.\r\n"},
		{"CRLF.LF", "\r\n.\n"},
		{"CR.CR", "\r.\r"},
		{"CR.CRLF", "\r.\r\n"},
		{"CRLF.CR", "\r\n.\r"},
		{"LF.CR", "\n.\r"},
		{"CRLF.CRCRLF", "\r\n.\r\r\n"},
		{"CRLF.NUL", "\r\n.\x00\r\n"},
	}
	for _, lenient := range []bool{false, true} {
		for _, m := range markers {
			t.Run(m.name+map[bool]string{false: "/strict", true: "/lenient"}[lenient], func(t *testing.T) {
				be := &stBackend{}
				c := stGreeted(t, stStart(t, &Server{Backend: be, AllowBareLineEndings: lenient}))
				body := "Subject: s\r\n\r\nbody" + m.marker + hidden
				replies := stRun(t, c, []stStep{
					{"EHLO c.example\r\n", []int{250}},
					{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 354}},
					{body + ".\r\n", nil},
				})
				_ = replies
				r := c.read()
				msgs := be.messages()
				require.Len(t, msgs, 1, "exactly one message may exist")
				if lenient || m.name == "CRLF.NUL" {
					require.Equal(t, 250, r.Code, "reply %v", r)
					want := "Subject: s\r\n\r\nbody" + m.marker + hidden
					if strings.HasPrefix(m.marker, "\r\n.") {
						// the dot at the start of a line is transparency
						want = "Subject: s\r\n\r\nbody\r\n" + m.marker[3:] + hidden
					}
					assert.Equal(t, want, string(msgs[0].Data))
				} else {
					require.Equal(t, 554, r.Code, "reply %v", r)
					assert.ErrorIs(t, msgs[0].Err, ErrBareLineEnding)
				}
				// In step: the next command gets its own reply.
				c.expect("NOOP", 250)
				assert.Len(t, be.messages(), 1)
			})
		}
	}
}

func TestServerDataLimits(t *testing.T) {
	tests := []struct {
		name string
		srv  func(*Server)
		data string
		code int
		want string
	}{
		{"line of exactly 1000 octets", nil, strings.Repeat("a", 998) + "\r\n.\r\n", 250, strings.Repeat("a", 998) + "\r\n"},
		{"stuffed dot does not count", nil, "." + strings.Repeat(".", 998) + "\r\n.\r\n", 250, strings.Repeat(".", 998) + "\r\n"},
		{"line of 1001 octets", nil, strings.Repeat("a", 999) + "\r\n.\r\n", 500, ""},
		{"configured line limit", func(s *Server) { s.MaxTextLineLength = 10 }, "0123456789\r\n.\r\n", 500, ""},
		{"no line limit", func(s *Server) { s.MaxTextLineLength = -1 }, strings.Repeat("a", 5000) + "\r\n.\r\n", 250, strings.Repeat("a", 5000) + "\r\n"},
		{"empty message", nil, ".\r\n", 250, ""},
		{"no final CRLF is impossible", nil, "abc\r\n.\r\n", 250, "abc\r\n"},
		{"bare CR refused", nil, "a\rb\r\n.\r\n", 554, ""},
		{"bare LF refused", nil, "a\nb\r\n.\r\n", 554, ""},
		{"bare LF lenient", func(s *Server) { s.AllowBareLineEndings = true }, "a\nb\r\n.\r\n", 250, "a\nb\r\n"},
		{"8bit and NUL pass through", nil, "\x00\xff\xfe\r\n.\r\n", 250, "\x00\xff\xfe\r\n"},
		{"size exactly at limit", func(s *Server) { s.MaxMessageBytes = 6 }, "abcd\r\n.\r\n", 250, "abcd\r\n"},
		{"size one over", func(s *Server) { s.MaxMessageBytes = 6 }, "abcde\r\n.\r\n", 552, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be, c := stSetup(t, nil, tc.srv)
			c.expect("", 220)
			stRun(t, c, []stStep{
				{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}},
				{tc.data, []int{tc.code}},
				{"RSET\r\n", []int{250}},
			})
			if tc.code == 250 {
				require.Len(t, be.messages(), 1)
				assert.Equal(t, tc.want, string(be.messages()[0].Data))
			}
		})
	}
}

// stCountingListener counts the writes on each accepted connection.
type stCountingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *stCountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &stCountingConn{Conn: c, n: &l.writes}, nil
}

type stCountingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *stCountingConn) Write(p []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(p)
}

// TestServerPipelining checks RFC 2920: replies to a batch come in one
// write, and an over-long line in the batch gets exactly one reply.
func TestServerPipelining(t *testing.T) {
	be := &stBackend{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cl := &stCountingListener{Listener: l}
	stServe(t, &Server{Backend: be}, cl, false)
	c := stGreeted(t, l.Addr().String())
	c.expect("EHLO c.example", 250)
	before := cl.writes.Load()
	long := "RCPT TO:<" + strings.Repeat("y", 2000) + "@d.example>\r\n"
	c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<1@d.example>\r\n" + long + "RCPT TO:<2@d.example>\r\nRCPT TO:<bad\r\nDATA\r\n")
	rs := stRun(t, c, []stStep{{"", []int{250, 250, 500, 250, 501, 354}}})
	assert.Equal(t, int64(1), cl.writes.Load()-before, "the batch's replies must be sent in one write")
	assert.Contains(t, rs[2].Lines[0], "too long")
	before = cl.writes.Load()
	// Message and following commands pipelined after 354.
	c.send("hello\r\n.\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<3@d.example>\r\nDATA\r\n")
	stRun(t, c, []stStep{{"", []int{250, 250, 250, 354}}})
	assert.Equal(t, int64(1), cl.writes.Load()-before)
	c.send("second\r\n.\r\nQUIT\r\n")
	stRun(t, c, []stStep{{"", []int{250, 221}}})
	msgs := be.messages()
	require.Len(t, msgs, 2)
	assert.Equal(t, []string{"1@d.example", "2@d.example"}, msgs[0].To)
	assert.Equal(t, "hello\r\n", string(msgs[0].Data))
	assert.Equal(t, "second\r\n", string(msgs[1].Data))
}

// TestServerCommandLines covers line-level rules for commands. A line
// with a bare LF ends at the next CRLF when more input is already there,
// as one refused line (a lenient reader would see two commands; this
// server runs neither); only when the input stops after a bare LF is the
// line answered there, at once (the long ReadTimeout would otherwise
// outlast the client's 5 s deadline).
func TestServerCommandLines(t *testing.T) {
	tests := []struct {
		name    string
		lenient bool
		send    string
		want    []int
	}{
		{"bare LF at the end of the input", false, "NOOP\n", []int{500}},
		{"two bare-LF lines in one write", false, "NOOP\nNOOP\n", []int{500}},
		{"bare LF does not end a command line", false, "NOOP\nNOOP\r\n", []int{500}},
		{"bare CR in command", false, "NOOP\rRSET\r\n", []int{500}},
		{"lenient bare LF", true, "NOOP\nNOOP\r\n", []int{250, 250}},
		{"lenient: a bare LF ends the line", true, "NOOP\nNOOP\n", []int{250, 250}},
		{"over-long line ending in a bare LF", false, strings.Repeat("x", 600) + "\n", []int{500}},
		{"exactly 512 octets", false, "NOOP " + strings.Repeat("a", 505) + "\r\n", []int{250}},
		{"513 octets", false, "NOOP " + strings.Repeat("a", 506) + "\r\n", []int{500}},
		{"huge line then command", false, strings.Repeat("z", 100000) + "\r\nNOOP\r\n", []int{500, 250}},
		{"NUL in verb", false, "NO\x00OP\r\n", []int{500}},
		{"CR CR LF", false, "NOOP\r\r\n", []int{500}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := stGreeted(t, stStart(t, &Server{Backend: &stBackend{}, AllowBareLineEndings: tc.lenient, ReadTimeout: time.Minute}))
			c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			stRun(t, c, []stStep{{tc.send, tc.want}, {"NOOP\r\n", []int{250}}})
		})
	}
}

// TestServerBareLFAnsweredAtOnce: a client whose command lines end
// in a bare LF, and which then waits, gets a 500 at once that says the
// line must end in CRLF; it used to get nothing until the idle timeout
// and then a misleading 421. The command is still refused.
func TestServerBareLFAnsweredAtOnce(t *testing.T) {
	be := &stBackend{}
	// A long idle timeout: a reply that only comes with it fails the
	// test through the client's own short deadline below.
	c := stGreeted(t, stStart(t, &Server{Backend: be, ReadTimeout: time.Minute}))
	steps := []struct {
		send string
		want int
	}{
		{"EHLO c.example\n", 500},
		{"EHLO c.example\r\n", 250},
		{"MAIL FROM:<a@b.example>\n", 500},
		{"NOOP\n", 500},
		{"RSET\r\n", 250},
		{"MAIL FROM:<a@b.example>\r\n", 250},
	}
	for _, st := range steps {
		c.send(st.send)
		c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		r, err := c.tryRead()
		require.NoError(t, err, "no reply to %q", st.send)
		require.Equal(t, st.want, r.Code, "reply to %q: %v", st.send, r)
		if st.want == 500 {
			assert.Contains(t, r.Lines[0], "5.5.2")
			assert.Contains(t, r.Lines[0], "CRLF")
		}
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	stRun(t, c, []stStep{{"QUIT\r\n", []int{221}}})
	assert.Empty(t, be.messages())
}

// TestServerEarlyDataAfterRefusedDATA: message data pipelined behind a
// DATA that fails must not run as commands.
func TestServerEarlyDataAfterRefusedDATA(t *testing.T) {
	be := &stBackend{rejectRcpt: map[string]error{"no@d.example": &Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no"}}}
	c := stGreeted(t, stStart(t, &Server{Backend: be}))
	c.expect("EHLO c.example", 250)
	c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<no@d.example>\r\nDATA\r\n" +
		"MAIL FROM:<ceo@b.example>\r\nRCPT TO:<x@d.example>\r\nDATA\r\nsmuggled\r\n.\r\n")
	stRun(t, c, []stStep{{"", []int{250, 550, 554, 421}}})
	assert.True(t, c.closed())
	assert.Empty(t, be.messages())
}
