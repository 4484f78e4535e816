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

// Clients that hold connections open: many idle ones, and slowloris ones
// that keep every read within the timeouts, against a server with short
// configured timeouts. Every test ends on its own within a few seconds;
// none asserts a speed, only bounds on what is held.

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
