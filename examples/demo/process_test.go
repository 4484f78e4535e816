package main

import (
	"testing"

	"github.com/mailsmith/mailsmith/examples/internal/proctest"
)

// TestMain runs main instead of the tests in a process that proctest
// started (see TestProcess).
func TestMain(m *testing.M) { proctest.Main(m, main, nil) }

// TestProcess runs the demo as a process, as "go run ./examples/demo"
// does: offline, every step as expected, exit status 0; -help exits 0,
// an argument 2.
func TestProcess(t *testing.T) {
	proctest.CheckExits(t, []proctest.Exit{
		{Args: nil, Code: 0, Output: []string{"steps behaved as expected"}},
		{Args: []string{"-help"}, Code: 0, Output: []string{"usage: demo"}},
		{Args: []string{"extra"}, Code: 2, Output: []string{`demo: unexpected argument "extra"`}},
	})
}
