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
// standard output (Call).
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
	if err != nil {
		t.Fatalf("testpeer: no answer from %s: %v", p.name, err)
	}
	if err := json.Unmarshal(line, resp); err != nil {
		t.Fatalf("testpeer: decoding the answer of %s: %v\n%s", p.name, err, line)
	}
}
