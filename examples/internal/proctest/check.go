package proctest

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Timeout bounds each check of this file: a run of the program to its end,
// or a start and stop.
const Timeout = 20 * time.Second

// Exit is a run of the program that ends by itself: its arguments, the
// exit status it must end with, and texts its output must contain.
type Exit struct {
	Args   []string
	Code   int
	Output []string
}

// CheckExits runs the program once for each exit and checks its status
// and output (for example: a usage error exits 2, -help exits 0 and
// prints the usage).
func CheckExits(t *testing.T, exits []Exit) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), Timeout)
	defer cancel()
	for _, e := range exits {
		code, out := Run(t, ctx, e.Args...)
		if code != e.Code {
			t.Errorf("%q: exit status %d, want %d\n%s", e.Args, code, e.Code, out)
		}
		for _, want := range e.Output {
			if !strings.Contains(out, want) {
				t.Errorf("%q: output lacks %q\n%s", e.Args, want, out)
			}
		}
	}
}

// listening matches the line a program logs once it accepts connections.
var listening = regexp.MustCompile(`msg=listening`)

// MaxIdleStop bounds how long a server with no client connected may take
// from SIGTERM to its exit. It stops at once (a few milliseconds here);
// the bound leaves room for a loaded machine. The 1.3-2 s reported in
// issue 12 were the race detector's sleep at exit, which Command turns
// off.
const MaxIdleStop = time.Second

// CheckCleanStop starts the program as a server with args, waits for it
// to listen, and sends SIGTERM: it must log "shutting down" and exit with
// status 0 within MaxIdleStop.
func CheckCleanStop(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), Timeout)
	defer cancel()
	p := Start(t, ctx, listening, args...)
	took := p.Stop()
	t.Logf("SIGTERM to exit, no client connected: %v", took)
	if !strings.Contains(p.Log(), "shutting down") {
		t.Errorf("no \"shutting down\" in the log\n%s", p.Log())
	}
	if took > MaxIdleStop {
		t.Errorf("shutdown with no client took %v, more than %v", took, MaxIdleStop)
	}
}
