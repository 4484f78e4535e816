package main

import (
	"testing"

	"github.com/mailsmith/mailsmith/examples/internal/proctest"
)

// TestMain runs main instead of the tests in a process that proctest
// started (see TestProcess).
func TestMain(m *testing.M) { proctest.Main(m, main, nil) }

// TestProcess runs mailcheck as a process: the offline -demo check exits
// 0, -help 0, bad usage 2.
func TestProcess(t *testing.T) {
	proctest.CheckExits(t, []proctest.Exit{
		{Args: []string{"-demo"}, Code: 0, Output: []string{"example.org\n", "v=spf1 mx ip4:192.0.2.0/24"}},
		{Args: []string{"-help"}, Code: 0, Output: []string{"usage: mailcheck"}},
		{Args: nil, Code: 2, Output: []string{"usage: mailcheck"}},
		{Args: []string{"-bogus", "example.org"}, Code: 2, Output: []string{"flag provided but not defined: -bogus"}},
	})
}
