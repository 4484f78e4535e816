package smtp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stBenchMessage builds a message of about size octets in 78-octet lines.
func stBenchMessage(size int) string {
	var b strings.Builder
	b.WriteString("From: a@b.example\r\nTo: c@d.example\r\nSubject: bench\r\n\r\n")
	line := strings.Repeat("x", 76) + "\r\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.String()
}

func stCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkServerThroughput delivers messages over 10 loopback
// connections to a discarding backend, as MAIL+RCPT+DATA pipelined in
// one write (RFC 2920) or in lockstep, one command per round trip, as
// Postfix's smtp-source sends them. It reports messages per second, CPU
// time per message (the whole process's, so the load-generating clients
// are in it), the allocations per message (b.ReportAllocs: the clients
// allocate nothing) and, on Linux, the server's read(2) and write(2)
// calls per message (EAGAIN included; the greeting, EHLO and QUIT of
// the 10 sessions are spread over the messages).
func BenchmarkServerThroughput(b *testing.B) {
	for _, mode := range []string{"pipelined", "lockstep"} {
		for _, size := range []int{1 << 10, 100 << 10} {
			b.Run(fmt.Sprintf("%s/%dKiB", mode, size>>10), func(b *testing.B) {
				stBenchThroughput(b, size, mode == "pipelined")
			})
		}
	}
}

func stBenchThroughput(b *testing.B, size int, pipelined bool) {
	be := &stCountingBackend{}
	s := &Server{Backend: be}
	addr := stStart(b, s)
	msg := []byte(stBenchMessage(size) + ".\r\n")
	const conns = 10
	clients := make([]*stBenchClient, conns)
	for i := range clients {
		clients[i] = stBenchDial(b, addr)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	start, cpu0 := time.Now(), stCPUTime()
	var wg sync.WaitGroup
	for i, c := range clients {
		n := b.N / conns
		if i < b.N%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < n; j++ {
				if err := c.send(msg, pipelined); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), stCPUTime()-cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
	if got := be.msgs.Load(); got != int64(b.N) {
		b.Fatalf("delivered %d of %d", got, b.N)
	}
	// The server adds up a connection's system calls when it ends.
	for _, c := range clients {
		io.WriteString(c.nc, "QUIT\r\n")
		if err := c.expect(1, "221"); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; s.Stats().Active > 0 && i < 500; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if r, w := s.stats.sysReads.Load(), s.stats.sysWrites.Load(); r+w > 0 {
		b.ReportMetric(float64(r)/float64(b.N), "reads/msg")
		b.ReportMetric(float64(w)/float64(b.N), "writes/msg")
	}
}

type stBenchClient struct {
	nc net.Conn
	br *bufio.Reader
}

func stBenchDial(b testing.TB, addr string) *stBenchClient {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { nc.Close() })
	c := &stBenchClient{nc: nc, br: bufio.NewReader(nc)}
	if err := c.expect(1, "220"); err != nil {
		b.Fatal(err)
	}
	io.WriteString(nc, "EHLO bench.example\r\n")
	if err := c.expect(1, "250"); err != nil {
		b.Fatal(err)
	}
	return c
}

// expect reads n replies and checks their code.
func (c *stBenchClient) expect(n int, code string) error {
	for n > 0 {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) < 4 || string(line[:len(code)]) != code {
			return fmt.Errorf("got %q, want %s", line, code)
		}
		if line[3] == ' ' {
			n--
		}
	}
	return nil
}

var (
	stBenchEnvelope = []byte("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n")
	stBenchMail     = stBenchEnvelope[:len("MAIL FROM:<a@b.example>\r\n")]
	stBenchRcpt     = stBenchEnvelope[len(stBenchMail) : len(stBenchEnvelope)-len("DATA\r\n")]
	stBenchData     = stBenchEnvelope[len(stBenchEnvelope)-len("DATA\r\n"):]
)

// send delivers one message: the envelope in one write, or one command
// per round trip.
func (c *stBenchClient) send(msg []byte, pipelined bool) error {
	if pipelined {
		if err := c.round(stBenchEnvelope, 2, "250"); err != nil {
			return err
		}
		if err := c.expect(1, "354"); err != nil {
			return err
		}
	} else {
		if err := c.round(stBenchMail, 1, "250"); err != nil {
			return err
		}
		if err := c.round(stBenchRcpt, 1, "250"); err != nil {
			return err
		}
		if err := c.round(stBenchData, 1, "354"); err != nil {
			return err
		}
	}
	return c.round(msg, 1, "250")
}

// round writes b and reads n replies, each of which must start with want.
func (c *stBenchClient) round(b []byte, n int, want string) error {
	if _, err := c.nc.Write(b); err != nil {
		return err
	}
	return c.expect(n, want)
}

// BenchmarkServerIdleConnMemory opens many connections that greet and
// then sit idle, and reports the memory (heap and goroutine stacks) each
// one costs, client socket included.
func BenchmarkServerIdleConnMemory(b *testing.B) {
	const n = 500
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		be := &stCountingBackend{}
		s := &Server{Backend: be, Hostname: "mx.test.example", MaxConnections: -1, MaxConnectionsPerIP: -1}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go s.Serve(l)
		// Warm up once so pools and the listener are in place.
		warm := stBenchDial(b, l.Addr().String())
		warm.nc.Close()
		before := stHeapAndStacks()
		conns := make([]net.Conn, 0, n)
		for j := 0; j < n; j++ {
			nc, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			br := bufio.NewReaderSize(nc, 512)
			io.WriteString(nc, "EHLO idle.example\r\n")
			c := &stBenchClient{nc: nc, br: br}
			if err := c.expect(2, "2"); err != nil {
				b.Fatal(err)
			}
			conns = append(conns, nc)
		}
		time.Sleep(100 * time.Millisecond)
		after := stHeapAndStacks()
		b.ReportMetric(float64(after-before)/n, "B/idle-conn")
		for _, nc := range conns {
			nc.Close()
		}
		s.Close()
	}
}

func stHeapAndStacks() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc + ms.StackInuse)
}
