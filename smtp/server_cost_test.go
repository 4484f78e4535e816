package smtp

import (
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The work the server does per message: allocations, system calls and
// deadline updates, counted (never timed).

// stCostMessage is a 1 KiB message with its end-of-data line.
var stCostMessage = []byte(stBenchMessage(1<<10) + ".\r\n")

// stLockstep delivers n messages over c the way Postfix's smtp-source
// does: each command after the previous reply.
func stLockstep(t testing.TB, c *stBenchClient, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := c.send(stCostMessage, false); err != nil {
			t.Fatal(err)
		}
	}
}

// TestServerAllocsPerMessage: a message costs the server the two path
// strings and the MailOptions the Session is handed, nothing more. It
// was 6 (pipelined) and 8 (lockstep): releasing the read buffer
// allocated a new pointer for the pool every time, even for the small
// array, and checking a path's domain copied it.
func TestServerAllocsPerMessage(t *testing.T) {
	for _, pipelined := range []bool{true, false} {
		name := "lockstep"
		if pipelined {
			name = "pipelined"
		}
		t.Run(name, func(t *testing.T) {
			be := &stCountingBackend{}
			c := stBenchDial(t, stStart(t, &Server{Backend: be}))
			send := func() {
				if err := c.send(stCostMessage, pipelined); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i < 20; i++ {
				send() // warm up the pool and the connection
			}
			allocs := testing.AllocsPerRun(200, send)
			t.Logf("%.2f allocations per message", allocs)
			assert.LessOrEqual(t, allocs, 3.5)
			assert.Equal(t, int64(221), be.msgs.Load())
		})
	}
}

// TestServerSyscallsPerMessage: over plain TCP on Linux, a lockstep
// transaction costs four writes (one per reply) and at most eight reads
// (four that return data, four that find nothing yet); a pipelined one,
// two writes and four reads. The RFC 2920 rule that a batch is answered
// in one write is what the pipelined figure checks.
func TestServerSyscallsPerMessage(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("raw socket I/O, and its counts, are Linux only")
	}
	const n = 100
	for _, tc := range []struct {
		name                string
		pipelined           bool
		maxReads, maxWrites int
	}{
		{"pipelined", true, 4 * n, 2 * n},
		{"lockstep", false, 8 * n, 4 * n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{Backend: &stCountingBackend{}}
			c := stBenchDial(t, stStart(t, s))
			r0, w0 := s.stats.sysReads.Load(), s.stats.sysWrites.Load()
			for i := 0; i < n; i++ {
				if err := c.send(stCostMessage, tc.pipelined); err != nil {
					t.Fatal(err)
				}
			}
			io.WriteString(c.nc, "QUIT\r\n")
			require.NoError(t, c.expect(1, "221"))
			stWaitIdle(t, s)
			// Greeting, EHLO and QUIT add 3 writes and a few reads.
			reads := int(s.stats.sysReads.Load() - r0)
			writes := int(s.stats.sysWrites.Load() - w0)
			t.Logf("%d messages: %d reads, %d writes", n, reads, writes)
			assert.LessOrEqual(t, writes, tc.maxWrites+3)
			assert.GreaterOrEqual(t, writes, tc.maxWrites)
			// A wakeup for input already read costs one more read
			// now and then.
			assert.LessOrEqual(t, reads, tc.maxReads+n/5+8)
		})
	}
}

// stWaitIdle waits until the server has no connection left.
func stWaitIdle(t testing.TB, s *Server) {
	t.Helper()
	for i := 0; s.Stats().Active > 0; i++ {
		if i == 500 {
			t.Fatal("connections still open after 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stDeadlineListener counts the read deadlines set on its connections
// (which are then no *net.TCPConn: the portable I/O path).
type stDeadlineListener struct {
	net.Listener
	reads *atomic.Int64
}

func (l stDeadlineListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return stDeadlineConn{nc, l.reads}, nil
}

type stDeadlineConn struct {
	net.Conn
	reads *atomic.Int64
}

func (c stDeadlineConn) SetReadDeadline(t time.Time) error {
	c.reads.Add(1)
	return c.Conn.SetReadDeadline(t)
}

// TestServerReadDeadlineKept: the read deadline is not reset for every
// command and every block of data, only when it would end too early or
// too late: with one timeout for both, a session of 50 messages sets it
// a handful of times. It was set before every read, 200 times here.
func TestServerReadDeadlineKept(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var reads atomic.Int64
	s := &Server{Backend: &stCountingBackend{}, ReadTimeout: time.Minute, DataTimeout: time.Minute}
	stServe(t, s, stDeadlineListener{l, &reads}, false)
	c := stBenchDial(t, l.Addr().String())
	stLockstep(t, c, 50)
	t.Logf("read deadline set %d times for 50 messages", reads.Load())
	assert.LessOrEqual(t, reads.Load(), int64(10))
}

// stFakeDeadlines records the read deadline of a connection that is
// never read.
type stFakeDeadlines struct {
	net.Conn
	n  int
	dl time.Time
}

func (f *stFakeDeadlines) SetReadDeadline(t time.Time) error {
	f.n++
	f.dl = t
	return nil
}

// TestServerArmRead: a kept deadline never ends before d from now and at
// most d/16 after it; a shorter timeout, or the DataDeadline, moves it
// earlier at once.
func TestServerArmRead(t *testing.T) {
	f := &stFakeDeadlines{}
	c := &Conn{raw: f}
	check := func(d time.Duration, sets int) {
		t.Helper()
		before := time.Now()
		c.armRead(d)
		after := time.Now()
		assert.Equal(t, sets, f.n, "deadline updates")
		assert.False(t, f.dl.Before(before.Add(d)), "deadline %v ends before %v from now", f.dl, d)
		assert.False(t, f.dl.After(after.Add(d+d/16)), "deadline %v ends more than d/16 after %v", f.dl, d)
	}
	check(time.Minute, 1)
	check(time.Minute, 1) // kept
	check(time.Minute, 1)
	check(30*time.Second, 2) // shorter: moved
	check(time.Minute, 3)    // longer again: moved
	c.dataUntil = time.Now().Add(10 * time.Second)
	c.armRead(time.Minute)
	assert.Equal(t, 4, f.n)
	assert.Equal(t, c.dataUntil, f.dl, "the DataDeadline is never overrun")
	c.armRead(time.Minute)
	assert.Equal(t, 4, f.n, "kept")
	c.setReadDeadline(time.Unix(1, 0)) // as Shutdown and the watch do
	c.dataUntil = time.Time{}
	check(time.Minute, 6)
}

// TestServerWriteTimeoutWhenSocketFull: a write gets its deadline only
// when it has to wait, and then it does get it: a client that pipelines
// commands without ever reading the replies is dropped once the socket
// is full and WriteTimeout has passed.
func TestServerWriteTimeoutWhenSocketFull(t *testing.T) {
	s := &Server{Backend: &stCountingBackend{}, WriteTimeout: 200 * time.Millisecond}
	addr := stStart(t, s)
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	nc.(*net.TCPConn).SetReadBuffer(4096)
	batch := []byte(strings.Repeat("NOOP\r\n", 1000))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		nc.SetWriteDeadline(time.Now().Add(20 * time.Second))
		for {
			if _, err := nc.Write(batch); err != nil {
				return // the server has given up on us
			}
		}
	}()
	require.Eventually(t, func() bool { return s.Stats().Active == 0 && s.Stats().Accepted == 1 },
		15*time.Second, 20*time.Millisecond, "the server still waits on a client that never reads")
	nc.Close()
	wg.Wait()
}
