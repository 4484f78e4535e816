package smtp

import (
	"bytes"
	"context"
	"fmt"
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

// The reliability suite: hostile and unlucky clients against a server
// with short configured timeouts. Every test ends on its own within a
// few seconds; none asserts a speed, only bounds on what is held.

// rlReadReply reads one reply from a raw connection without buffering
// past it (so that a test can hold many connections with no client-side
// buffers). It returns the final line.
func rlReadReply(nc net.Conn) (string, error) {
	var line []byte
	var b [1]byte
	for {
		if _, err := nc.Read(b[:]); err != nil {
			return string(line), err
		}
		line = append(line, b[0])
		if b[0] != '\n' {
			continue
		}
		if len(line) >= 4 && line[3] == ' ' {
			return string(line), nil
		}
		line = line[:0]
	}
}

// TestReliabilityIdleConnections holds 1000 idle connections (greeted,
// EHLO answered) and measures what each costs the process: heap and
// goroutine stacks, the client's socket objects included. It asserts a
// generous bound; the figure is logged (go test -v -run IdleConnections).
// With the default MaxConnections (1000) the next connection is refused.
func TestReliabilityIdleConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 1000 connections")
	}
	const n = DefaultMaxConnections
	const bound = 32 << 10 // bytes per idle connection
	s := &Server{Backend: &stBackend{}, MaxConnectionsPerIP: -1}
	addr := stStart(t, s)
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, nc := range conns {
			nc.Close()
		}
	}()
	open := func() (net.Conn, string) {
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		require.NoError(t, err)
		nc.SetDeadline(time.Now().Add(20 * time.Second))
		greet, err := rlReadReply(nc)
		require.NoError(t, err)
		return nc, greet
	}
	// Warm up: pools, the listener, the first goroutines.
	warm, _ := open()
	warm.Close()
	require.Eventually(t, func() bool { return s.Stats().Active == 0 }, 5*time.Second, 5*time.Millisecond)
	heap0, stack0 := rlMem()
	g0 := runtime.NumGoroutine()
	for i := 0; i < n; i++ {
		nc, greet := open()
		require.True(t, strings.HasPrefix(greet, "220 "), "connection %d: %q", i, greet)
		_, err := io.WriteString(nc, "EHLO idle.example\r\n")
		require.NoError(t, err)
		r, err := rlReadReply(nc)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(r, "250 "), "%q", r)
		conns = append(conns, nc)
	}
	require.Eventually(t, func() bool { return s.Stats().Active == n }, 5*time.Second, 5*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // let every connection reach its idle read
	heap1, stack1 := rlMem()
	g1 := runtime.NumGoroutine()
	per := float64(heap1+stack1-heap0-stack0) / n
	t.Logf("%d idle connections: %.0f bytes each (heap %.0f, goroutine stacks %.0f; client sockets included), %.2f goroutines each",
		n, per, float64(heap1-heap0)/n, float64(stack1-stack0)/n, float64(g1-g0)/n)
	assert.Less(t, per, float64(bound))
	assert.LessOrEqual(t, g1-g0, n+10, "one goroutine per idle connection")

	// The default limit: one more is refused, and counted.
	nc, greet := open()
	nc.Close()
	assert.True(t, strings.HasPrefix(greet, "421 4.3.2 "), "%q", greet)
	assert.Equal(t, uint64(1), s.Stats().Refused)

	for _, nc := range conns {
		nc.Close()
	}
	conns = nil
	require.Eventually(t, func() bool { return s.Stats().Active == 0 }, 10*time.Second, 10*time.Millisecond)
}

// rlMem returns the live heap and the goroutine stacks in use, after
// collecting garbage.
func rlMem() (heap, stacks int64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc), int64(ms.StackInuse)
}

// rlSlowloris is one kind of slow client: what it sends first (and the
// replies it waits for), then what it trickles one byte at a time.
type rlSlowloris struct {
	name    string
	setup   string
	replies int
	drip    string // sent one octet at a time, over and over
	want    string // the code the server finally answers with
}

// TestReliabilitySlowloris: clients that keep every single read within
// the timeouts but never finish, on a command line or in message data,
// are cut off by the deadline of the whole line (ReadTimeout) or of the
// whole transfer (DataDeadline), and while they last each holds a
// bounded amount of memory. The time and memory are logged (the memory
// includes each client's socket and reading goroutine).
func TestReliabilitySlowloris(t *testing.T) {
	const (
		clients  = 50
		interval = 20 * time.Millisecond
		// What trickles in, command line or message data, waits in the
		// connection's own 512-octet array, not a 32 KiB pool buffer.
		memBound = 24 << 10 // bytes per connection
	)
	cases := []rlSlowloris{
		{"command line", "", 0, "NOOP ", "421 4.4.2"},
		{"AUTH response line", "AUTH LOGIN\r\n", 1, "dXNlcg", "421 4.4.2"},
		{"DATA", "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", 3, "slow\r\n", "421 4.4.2"},
		{"BDAT chunk", "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 1000000 LAST\r\n", 2, "slow\r\n", "421 4.4.2"},
		{"BDAT chunks", "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n", 2, "BDAT 1\r\nx", "421 4.4.2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			be := &stBackend{users: map[string]string{"u": "p"}}
			s := &Server{Backend: be, AllowInsecureAuth: true, MaxConnectionsPerIP: -1,
				ReadTimeout: time.Second, DataDeadline: 1500 * time.Millisecond}
			addr := stStart(t, s)
			heap0 := stHeapAndStacks()
			finals := make([]string, clients)
			done := make([]atomic.Bool, clients)
			conns := make([]net.Conn, clients)
			var wg sync.WaitGroup
			start := time.Now()
			for i := range conns {
				c := stGreeted(t, addr)
				nc := c.nc
				nc.SetDeadline(time.Now().Add(10 * time.Second))
				c.expect("EHLO slow.example", 250)
				c.send(tc.setup)
				c.readN(tc.replies)
				require.Zero(t, c.br.Buffered())
				conns[i] = nc
				// One reader per client, without a buffer of its own, so
				// that the figure is mostly the server's: it waits for the
				// first reply that is not a BDAT chunk's.
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					defer done[i].Store(true)
					for {
						line, err := rlReadReply(nc)
						if err != nil {
							finals[i] = "error: " + err.Error()
							return
						}
						if !strings.Contains(line, "octets received") {
							finals[i] = line
							return
						}
					}
				}(i)
			}
			// One dripper for all.
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; ; k++ {
					time.Sleep(interval)
					live := 0
					for i, nc := range conns {
						if !done[i].Load() {
							live++
							nc.Write([]byte{tc.drip[k%len(tc.drip)]})
						}
					}
					if live == 0 {
						return
					}
				}
			}()
			// Halfway to the deadline every client is held: measure.
			time.Sleep(500 * time.Millisecond)
			held := s.Stats().Active
			per := float64(stHeapAndStacks()-heap0) / clients
			wg.Wait()
			elapsed := time.Since(start)
			t.Logf("%d clients dripping a byte every %v: %.0f bytes held per connection; all cut off after %v",
				clients, interval, per, elapsed.Round(10*time.Millisecond))
			assert.Equal(t, clients, held, "every slow client was still connected halfway")
			assert.Less(t, per, float64(memBound))
			for i, f := range finals {
				assert.True(t, strings.HasPrefix(f, tc.want), "client %d got %q", i, f)
			}
			require.Eventually(t, func() bool { return s.Stats().Active == 0 }, 5*time.Second, 10*time.Millisecond)
			for _, m := range be.messages() {
				assert.Error(t, m.Err, "a cut-off message reached the Session as complete")
			}
		})
	}
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

// rlTracker records, per message ID, what the backend accepted and what
// the clients were told.
type rlTracker struct {
	mu       sync.Mutex
	accepted map[string]bool // Data returned nil
	seen     map[string]bool // any octet of the message reached Data
	told250  map[string]bool
	toldErr  map[string]bool
}

func newRLTracker() *rlTracker {
	return &rlTracker{accepted: map[string]bool{}, seen: map[string]bool{}, told250: map[string]bool{}, toldErr: map[string]bool{}}
}

func (tr *rlTracker) mark(m map[string]bool, id string) {
	tr.mu.Lock()
	m[id] = true
	tr.mu.Unlock()
}

// rlTrackBackend's sessions read the message (each starts "id-N\r\n"),
// take delay over it, and accept it whatever their context says: the
// worst case for a server that must not lose the 250 of an accepted
// message.
type rlTrackBackend struct {
	tr    *rlTracker
	delay time.Duration
}

func (b *rlTrackBackend) NewSession(c *Conn) (Session, error) { return &rlTrackSession{b: b}, nil }

type rlTrackSession struct {
	stNopSession
	b *rlTrackBackend
}

func (s *rlTrackSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	id, _, _ := bytes.Cut(body, []byte("\r\n"))
	if len(id) > 0 {
		s.b.tr.mark(s.b.tr.seen, string(id))
	}
	if err != nil {
		return err
	}
	time.Sleep(s.b.delay)
	s.b.tr.mark(s.b.tr.accepted, string(id))
	return nil
}

// check compares what was accepted with what the clients were told.
func (tr *rlTracker) check(t *testing.T) {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for id := range tr.accepted {
		assert.True(t, tr.told250[id], "%s was accepted but its 250 was lost", id)
	}
	for id := range tr.told250 {
		assert.True(t, tr.accepted[id], "%s got a 250 but was not accepted", id)
	}
	for id := range tr.toldErr {
		assert.False(t, tr.seen[id], "%s reached the backend after an error reply", id)
	}
}

// rlTxnClient runs transactions in a given way and records the outcome.
type rlTxnClient struct {
	t  *testing.T
	tr *rlTracker
	c  *stConn
}

func (k *rlTxnClient) outcome(id string) {
	r, err := k.c.tryRead()
	switch {
	case err != nil:
	case r.Code == 250:
		k.tr.mark(k.tr.told250, id)
	default:
		k.tr.mark(k.tr.toldErr, id)
	}
}

// TestReliabilityShutdownInFlight: Shutdown while clients are in every
// stage of a transaction. Every message the backend accepted gets its
// 250 before the connection closes, no message is handed to the backend
// after an error reply, and clients waiting for a command get 421.
func TestReliabilityShutdownInFlight(t *testing.T) {
	tr := newRLTracker()
	s := &Server{Backend: &rlTrackBackend{tr: tr, delay: 150 * time.Millisecond}, MaxConnectionsPerIP: -1}
	addr := stStart(t, s)
	type stage struct {
		name   string
		before string // sent before Shutdown (after EHLO); its replies read
		wants  int
		after  func(id string) string // sent after Shutdown started
	}
	env := "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n"
	stages := []stage{
		{"idle", "", 0, func(id string) string { return env + "DATA\r\n" + id + "\r\n.\r\n" }},
		{"envelope sent", env, 2, func(id string) string { return "DATA\r\n" + id + "\r\n.\r\n" }},
		{"mid-DATA", env + "DATA\r\n", 3, func(id string) string { return id + "\r\nrest\r\n.\r\n" }},
		{"Session busy in Data", env + "DATA\r\n", 3, nil}, // message sent before Shutdown
		{"mid-BDAT", env + "BDAT 0\r\n", 3, func(id string) string { return fmt.Sprintf("BDAT %d LAST\r\n%s\r\n", len(id)+2, id) }},
		{"pipelined past the message", env + "DATA\r\n", 3, func(id string) string { return id + "\r\n.\r\n" + env + "DATA\r\n" + id + "-2\r\n.\r\n" }},
	}
	const per = 4
	var wg sync.WaitGroup
	var clients []*rlTxnClient
	var ids []string
	for i, st := range stages {
		for j := 0; j < per; j++ {
			id := fmt.Sprintf("id-%d-%d", i, j)
			c := stGreeted(t, addr)
			c.expect("EHLO c.example", 250)
			c.send(st.before)
			c.readN(st.wants)
			if st.after == nil {
				c.send(id + "\r\n.\r\n")
			}
			clients = append(clients, &rlTxnClient{t: t, tr: tr, c: c})
			ids = append(ids, id)
		}
	}
	time.Sleep(20 * time.Millisecond)
	shut := make(chan error, 1)
	go func() { shut <- stShutdown(t, s, 10*time.Second) }()
	time.Sleep(20 * time.Millisecond)
	for n, k := range clients {
		st := stages[n/per]
		wg.Add(1)
		go func(k *rlTxnClient, id string) {
			defer wg.Done()
			if st.after != nil {
				// The server may have closed already: a failed write
				// is one of the outcomes.
				io.WriteString(k.c.nc, st.after(id))
			}
			switch st.name {
			case "idle":
				k.outcome(id) // 421 before the transaction
				k.tr.mark(k.tr.toldErr, id)
			case "envelope sent":
				k.outcome(id) // 421 for DATA
				k.tr.mark(k.tr.toldErr, id)
			case "pipelined past the message":
				k.outcome(id)
				k.tr.mark(k.tr.toldErr, id+"-2") // 421 before its MAIL
			default:
				k.outcome(id)
			}
			k.c.closed()
		}(k, ids[n])
	}
	wg.Wait()
	require.NoError(t, <-shut)
	tr.check(t)
	tr.mu.Lock()
	n250 := len(tr.told250)
	tr.mu.Unlock()
	// mid-DATA, busy, mid-BDAT and the first message of the pipelined
	// clients finish; the rest are refused.
	assert.Equal(t, 4*per, n250)
}

// TestReliabilityShutdownExpiredKeepsAcceptedReply: when Shutdown's
// context ends while a Session is still working on a message it has
// read in full, and that Session accepts it anyway (it may be committed
// to disk already), the client still gets its 250. A Session still
// reading is cut off at once, and its message is not accepted.
func TestReliabilityShutdownExpiredKeepsAcceptedReply(t *testing.T) {
	tr := newRLTracker()
	s := &Server{Backend: &rlTrackBackend{tr: tr, delay: 300 * time.Millisecond}}
	addr := stStart(t, s)
	busy := stDial(t, addr)
	busy.read()
	stRun(t, busy, []stStep{{"EHLO c.example\r\n" + "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	busy.send("id-busy\r\n.\r\n")
	slow := stDial(t, addr)
	slow.read()
	stRun(t, slow, []stStep{{"EHLO c.example\r\n" + "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	slow.send("id-slow\r\nhalf of it")
	require.Eventually(t, func() bool { // the busy Session has the whole message
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return tr.seen["id-busy"]
	}, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s.Shutdown(ctx), context.DeadlineExceeded)
	// The slow sender is cut off at once.
	assert.True(t, slow.closed())
	// The busy Session accepts after Shutdown returned: its 250 arrives.
	(&rlTxnClient{t: t, tr: tr, c: busy}).outcome("id-busy")
	busy.expect("", 421)
	assert.True(t, busy.closed())
	tr.check(t)
	tr.mu.Lock()
	assert.True(t, tr.told250["id-busy"])
	assert.False(t, tr.accepted["id-slow"])
	tr.mu.Unlock()
}
