package smtp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clientFake is one connection of a scripted fake SMTP server used to test
// the Client: the script sends replies and checks the commands it reads.
type clientFake struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
}

// clientFakeServe starts a loopback listener whose first connection runs
// script, and returns its address. The test waits for the script at
// cleanup; the script reports mismatches with t.Errorf.
func clientFakeServe(t *testing.T, script func(f *clientFake)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := l.Accept()
		l.Close()
		if err != nil {
			t.Errorf("fake server: accept: %v", err)
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		script(&clientFake{t: t, conn: conn, br: bufio.NewReader(conn)})
	}()
	t.Cleanup(func() {
		l.Close()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("fake server script did not finish")
		}
	})
	return l.Addr().String()
}

// clientDialFake starts a fake server and dials it.
func clientDialFake(t *testing.T, script func(f *clientFake)) *Client {
	t.Helper()
	addr := clientFakeServe(t, script)
	c, err := Dial(t.Context(), addr)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// send writes each line with CRLF, all in one write.
func (f *clientFake) send(lines ...string) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	if _, err := f.conn.Write([]byte(b.String())); err != nil {
		f.t.Errorf("fake server: write: %v", err)
	}
}

// line reads one command line without its CRLF; "" with an error at EOF.
func (f *clientFake) line() (string, error) {
	l, err := f.br.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(l, "\r\n") {
		f.t.Errorf("fake server: command line %q does not end in CRLF", l)
	}
	return strings.TrimSuffix(l, "\r\n"), nil
}

// expect reads one command line and checks it equals want.
func (f *clientFake) expect(want string) bool {
	got, err := f.line()
	if err != nil {
		f.t.Errorf("fake server: want %q, read error %v", want, err)
		return false
	}
	if got != want {
		f.t.Errorf("fake server: got command %q, want %q", got, want)
		return false
	}
	return true
}

// expectAll reads one command line for each of want, in order, as a
// pipelined group arrives; it stops at the first mismatch.
func (f *clientFake) expectAll(want ...string) bool {
	for _, w := range want {
		if !f.expect(w) {
			return false
		}
	}
	return true
}

// steps plays a dialogue given as pairs of a command line to read and
// the reply line to send to it; it stops at the first command that does
// not match.
func (f *clientFake) steps(cmdThenReply ...string) bool {
	for i := 0; i+1 < len(cmdThenReply); i += 2 {
		if !f.expect(cmdThenReply[i]) {
			return false
		}
		f.send(cmdThenReply[i+1])
	}
	return true
}

// data reads raw message data up to and including the terminating
// CRLF.CRLF and returns it without the final ".\r\n".
func (f *clientFake) data() string {
	var b strings.Builder
	for {
		l, err := f.br.ReadString('\n')
		if err != nil {
			f.t.Errorf("fake server: reading data: %v (so far %q)", err, b.String())
			return b.String()
		}
		if l == ".\r\n" {
			return b.String()
		}
		b.WriteString(l)
	}
}

// greetEHLO sends the greeting, reads EHLO and answers with the extensions.
func (f *clientFake) greetEHLO(ext ...string) bool {
	f.send("220 fake.test ESMTP")
	if !f.expect("EHLO localhost") {
		return false
	}
	lines := append([]string{"fake.test"}, ext...)
	var out []string
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		out = append(out, "250"+sep+l)
	}
	f.send(out...)
	return true
}

// quiet reports whether the client sends nothing within a short while;
// used to check that the client waits for a reply before going on.
func (f *clientFake) quiet() bool {
	f.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	defer f.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := f.br.Peek(1)
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// startTLS upgrades the fake's connection as the server side.
func (f *clientFake) startTLS(cfg *tls.Config) bool {
	tc := tls.Server(f.conn, cfg)
	if err := tc.Handshake(); err != nil {
		f.t.Errorf("fake server: TLS handshake: %v", err)
		return false
	}
	f.conn = tc
	f.br = bufio.NewReader(tc)
	return true
}

// startTLSQuietly runs a server handshake that the client is expected
// to abort.
func (f *clientFake) startTLSQuietly(cfg *tls.Config) {
	_ = tls.Server(f.conn, cfg).Handshake()
}

// rcptReplies returns the reply each recipient's error from Send
// carries, as replyOf gives it, and "" for an accepted recipient. An error
// with no reply fails the test.
func rcptReplies(t *testing.T, errs []error) []string {
	t.Helper()
	out := make([]string, len(errs))
	for i, err := range errs {
		if err == nil {
			continue
		}
		if out[i] = replyOf(err); out[i] == "" {
			t.Fatalf("recipient %d: %v carries no reply", i, err)
		}
	}
	return out
}

// replyOf returns the reply of the first *Error in err's chain as "550
// 5.1.1" (the code, then the enhanced code when there is one), or "".
func replyOf(err error) string {
	var se *Error
	if !errors.As(err, &se) {
		return ""
	}
	if se.EnhancedCode == [3]int{} {
		return strconv.Itoa(se.Code)
	}
	return fmt.Sprintf("%d %d.%d.%d", se.Code, se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
}

// clientCtx returns a context with a generous deadline for one test step.
func clientCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
