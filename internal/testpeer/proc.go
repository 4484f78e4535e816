package testpeer

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Proc is a peer program kept running for a whole test, which answers
// each JSON request line on its standard input with one JSON line on its
// standard output (Call), or writes JSON lines of its own (Receive).
type Proc struct {
	name   string
	in     io.WriteCloser
	out    *bufio.Reader
	stderr strings.Builder
}

// Start starts program with args and its environment plus env. When the
// test ends its standard input is closed and it gets 10 s to exit before
// it is killed; its standard error is logged if the test failed.
func Start(t testing.TB, env []string, program string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(program, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &Proc{name: program}
	cmd.Stderr = &p.stderr
	in, err := cmd.StdinPipe()
	var out io.ReadCloser
	if err == nil {
		out, err = cmd.StdoutPipe()
	}
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		t.Fatalf("testpeer: starting %s: %v", program, err)
	}
	p.in, p.out = in, bufio.NewReaderSize(out, 1<<20)
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() && p.stderr.Len() > 0 {
			t.Logf("testpeer: standard error of %s:\n%s", program, p.stderr.String())
		}
	})
	return p
}

// Call writes req as one JSON line to the peer and decodes the line it
// answers into resp. A failure ends the test: the peer is running, so a
// broken answer is a test failure, not a skip.
func (p *Proc) Call(t testing.TB, req, resp any) {
	t.Helper()
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatalf("testpeer: encoding a request to %s: %v", p.name, err)
	}
	_, err = p.in.Write(append(data, '\n'))
	var line []byte
	if err == nil {
		line, err = p.out.ReadBytes('\n')
	}
	p.decode(t, line, err, resp)
}

// Receive decodes the next JSON line the peer writes into resp without
// sending anything: for peers that report on their own, such as a server
// printing its port and then each message it accepted. A broken line, or
// none within wait, ends the test.
func (p *Proc) Receive(t testing.TB, wait time.Duration, resp any) {
	t.Helper()
	type read struct {
		line []byte
		err  error
	}
	done := make(chan read, 1)
	go func() {
		line, err := p.out.ReadBytes('\n')
		done <- read{line, err}
	}()
	select {
	case r := <-done:
		p.decode(t, r.line, r.err, resp)
	case <-time.After(wait):
		t.Fatalf("testpeer: %s wrote nothing in %v", p.name, wait)
	}
}

// decode decodes line, the peer's answer read with error err, into resp.
func (p *Proc) decode(t testing.TB, line []byte, err error, resp any) {
	t.Helper()
	if err != nil {
		t.Fatalf("testpeer: no answer from %s: %v", p.name, err)
	}
	if err := json.Unmarshal(line, resp); err != nil {
		t.Fatalf("testpeer: decoding the answer of %s: %v\n%s", p.name, err, line)
	}
}
