package proctest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// StartTimeout bounds how long Start waits for the listening line.
const StartTimeout = 20 * time.Second

// Command returns the test binary run as the program with args, ended
// when ctx is.
func Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = env()
	return cmd
}

// env is the environment of the program run as a process: main instead of
// the tests, and, when the test binary is built with -race, no race
// detector sleep at exit. That sleep (GORACE atexit_sleep_ms, 1000 ms by
// default) made a race-built server seem to take 1.3-2 s to shut down with
// no client connected (issue 12); the server itself stops in milliseconds.
func env() []string {
	race := "atexit_sleep_ms=0"
	if old := os.Getenv("GORACE"); old != "" {
		race = old + " " + race
	}
	return append(os.Environ(), mainEnv+"=1", "GORACE="+race)
}

// Run runs the program with args to its end and returns its exit status
// and what it wrote to stdout and stderr. A program that could not be
// started or was killed fails the test.
func Run(t testing.TB, ctx context.Context, args ...string) (code int, out string) {
	t.Helper()
	b, err := Command(ctx, args...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(b)
	case errors.As(err, &exit) && exit.Exited():
		return exit.ExitCode(), string(b)
	}
	t.Fatalf("%v: %v\n%s", args, err, b)
	return -1, ""
}

// Process is a program started by Start.
type Process struct {
	// Addr is the first group of the listening pattern in the line that
	// matched it, or the whole match when the pattern has no group.
	Addr string
	cmd  *exec.Cmd
	log  *logWatch
	t    testing.TB
}

// Start runs the program with args and waits, at most StartTimeout, for a
// line of its stderr that matches listening. The process is killed at the
// end of the test if it is still running.
func Start(t testing.TB, ctx context.Context, listening *regexp.Regexp, args ...string) *Process {
	t.Helper()
	p := &Process{cmd: Command(ctx, args...), log: newLogWatch(listening), t: t}
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", args, err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.Kill()
		}
	})
	select {
	case p.Addr = <-p.log.found:
		return p
	case <-time.After(StartTimeout):
	case <-ctx.Done():
	}
	p.Kill()
	t.Fatalf("the program did not log a line matching %q\n%s", listening, p.log)
	return nil
}

// Stop sends SIGTERM and waits for the process to end: a non-zero exit
// status fails the test. It returns the time from the signal to the end.
func (p *Process) Stop() time.Duration {
	p.t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatalf("SIGTERM: %v", err)
	}
	err := p.cmd.Wait()
	took := time.Since(start)
	if err != nil {
		p.t.Fatalf("after SIGTERM: %v\n%s", err, p.log)
	}
	return took
}

// Kill ends the process with SIGKILL and waits for it.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

// Log returns what the process wrote to stderr so far (all of it once
// Stop or Kill returned), in whole lines.
func (p *Process) Log() string { return p.log.String() }
