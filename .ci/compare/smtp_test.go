package compare

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/mailsmith/mailsmith/smtp"
)

// discard is a mailsmith/smtp Session that accepts everything and
// throws the message away.
type discard struct{}

func (discard) Mail(string, *smtp.MailOptions) error { return nil }
func (discard) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (discard) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (discard) Reset()                               {}
func (discard) Logout() error                        { return nil }

// goDiscard is the same for go-smtp, and its Backend.
type goDiscard struct{}

func (goDiscard) Mail(string, *gosmtp.MailOptions) error { return nil }
func (goDiscard) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (goDiscard) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
func (goDiscard) Reset()                                 {}
func (goDiscard) Logout() error                          { return nil }

func (goDiscard) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return goDiscard{}, nil }

const smtpMaxBytes = 32 << 20

// smtpServer starts one library's server on a loopback port with a
// discarding backend and returns its address and a stop function.
type smtpServer func(tb testing.TB) (addr string, stop func())

var smtpServers = []struct {
	lib   string
	start smtpServer
}{
	{"mailsmith", func(tb testing.TB) (string, func()) {
		l := listen(tb)
		s := &smtp.Server{
			Hostname:        "bench.example",
			MaxMessageBytes: smtpMaxBytes,
			// Every benchmark client comes from 127.0.0.1: no per-address
			// limit (the default, 50, would refuse BenchmarkSMTPIdleConn's 200).
			MaxConnectionsPerIP: -1,
			Backend:             smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return discard{}, nil }),
		}
		done := make(chan error, 1)
		go func() { done <- s.Serve(l) }()
		return l.Addr().String(), func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			s.Shutdown(ctx)
			if err := <-done; err != nil && !errors.Is(err, smtp.ErrServerClosed) {
				tb.Errorf("mailsmith Serve: %v", err)
			}
		}
	}},
	{"go-smtp", func(tb testing.TB) (string, func()) {
		l := listen(tb)
		s := gosmtp.NewServer(goDiscard{})
		s.Domain = "bench.example"
		s.MaxMessageBytes = smtpMaxBytes
		done := make(chan error, 1)
		go func() { done <- s.Serve(l) }()
		return l.Addr().String(), func() {
			s.Close()
			if err := <-done; err != nil && !errors.Is(err, gosmtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
				tb.Errorf("go-smtp Serve: %v", err)
			}
		}
	}},
}

func listen(tb testing.TB) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// rawClient is the same minimal client for both servers: one command,
// wait for its reply, next command (no pipelining).
type rawClient struct {
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

func dialRaw(addr string) (*rawClient, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &rawClient{conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriterSize(conn, 32<<10)}
	if err := c.expect(220); err != nil {
		conn.Close()
		return nil, err
	}
	if err := c.cmd(250, "EHLO client.example"); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// expect reads one (possibly multi-line) reply and checks its code.
func (c *rawClient) expect(code int) error {
	want := fmt.Sprint(code)
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return err
		}
		if len(line) < 4 || line[:3] != want {
			return fmt.Errorf("reply %q, want %d", strings.TrimSpace(line), code)
		}
		if line[3] == ' ' {
			return nil
		}
	}
}

func (c *rawClient) cmd(code int, line string) error {
	c.w.WriteString(line + "\r\n")
	if err := c.w.Flush(); err != nil {
		return err
	}
	return c.expect(code)
}

// send runs one transaction; data is the message ending in CRLF.
func (c *rawClient) send(data []byte) error {
	if err := c.cmd(250, "MAIL FROM:<alice@example.org>"); err != nil {
		return err
	}
	if err := c.cmd(250, "RCPT TO:<bob@example.net>"); err != nil {
		return err
	}
	if err := c.cmd(354, "DATA"); err != nil {
		return err
	}
	c.w.Write(data)
	return c.cmd(250, ".")
}

const smtpConns = 10

// BenchmarkSMTPServer delivers b.N messages over 10 concurrent loopback
// connections (opened before the timer starts) to each library's server
// with a discarding backend. The client is the same plain Go loop for
// both and runs in the same process, so the two cores are shared by
// client and server alike. ns/op is per message; msgs/s is the total.
func BenchmarkSMTPServer(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"100KiB", 100 << 10}} {
		msg := benchMessage(size.n)
		for _, srv := range smtpServers {
			b.Run(size.name+"/lib="+srv.lib, func(b *testing.B) {
				addr, stop := srv.start(b)
				defer stop()
				clients := make([]*rawClient, smtpConns)
				for i := range clients {
					c, err := dialRaw(addr)
					if err != nil {
						b.Fatal(err)
					}
					defer c.conn.Close()
					clients[i] = c
				}
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, smtpConns)
				b.ReportAllocs()
				b.SetBytes(int64(len(msg)))
				cpu0 := cpuTime()
				b.ResetTimer()
				for _, c := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(b.N) {
							if err := c.send(msg); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/msg")
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				for _, c := range clients {
					c.cmd(221, "QUIT")
				}
			})
		}
	}
}

// cpuTime is the CPU time (user and system) this process has used so
// far. Under contention from other work on the machine, CPU time per
// message is a steadier measure than wall-clock throughput.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// idleConns is how many idle connections BenchmarkSMTPIdleConn holds.
const idleConns = 200

// BenchmarkSMTPIdleConn measures memory per idle connection: it opens
// 200 connections, each past EHLO, and reports the growth of the Go
// heap and goroutine stacks per connection (B/conn). The client's side
// of each connection is in the same process; lib=baseline (a server
// that answers the greeting and EHLO, then keeps one goroutine per
// connection blocked in a read: the floor of any goroutine-per-connection
// Go server) shows the share that is not the SMTP library's. ns/op is
// meaningless here.
func BenchmarkSMTPIdleConn(b *testing.B) {
	type entry struct {
		lib   string
		start smtpServer
	}
	entries := []entry{{"baseline", startBaseline}}
	for _, s := range smtpServers {
		entries = append(entries, entry{s.lib, s.start})
	}
	for _, e := range entries {
		b.Run("lib="+e.lib, func(b *testing.B) {
			addr, stop := e.start(b)
			defer stop()
			var total float64
			for b.Loop() {
				total += idleBytes(b, addr)
			}
			b.ReportMetric(total/float64(b.N), "B/conn")
		})
	}
}

func startBaseline(tb testing.TB) (string, func()) {
	l := listen(tb)
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				// Answer the greeting and EHLO like a server, then wait
				// in a 1-octet read until the client hangs up.
				c.Write([]byte("220 baseline\r\n"))
				buf := make([]byte, 64)
				c.Read(buf)
				c.Write([]byte("250 baseline\r\n"))
				for {
					if _, err := c.Read(buf[:1]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String(), func() {
		l.Close()
		wg.Wait()
	}
}

func memInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// idleBytes opens idleConns connections to addr, lets them go idle and
// returns the memory growth per connection. The client keeps only the
// net.Conn of each.
func idleBytes(b *testing.B, addr string) float64 {
	goroutines := runtime.NumGoroutine()
	before := memInUse()
	conns := make([]net.Conn, 0, idleConns)
	for range idleConns {
		c, err := dialRaw(addr)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c.conn)
	}
	time.Sleep(50 * time.Millisecond) // let every server goroutine block in its read
	after := memInUse()
	for _, c := range conns {
		c.Close()
	}
	// Wait for the server's connection goroutines to end, so the next
	// round starts from the same state.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return (float64(after) - float64(before)) / idleConns
}
