package main

import (
	"testing"

	"github.com/mailsmith/mailsmith/examples/internal/proctest"
)

// TestProcess runs the program as a process: bad flags exit with status 2,
// -help with 0, and SIGTERM stops a running server cleanly with status 0.
func TestProcess(t *testing.T) {
	proctest.CheckExits(t, []proctest.Exit{
		{Args: []string{"-listen", "127.0.0.1:0"}, Code: 2}, // no -domains
		{Args: []string{"-help"}, Code: 0, Output: []string{"usage: inbound"}},
		{Args: []string{"-domains", "example.com", "-resolver", "dns.example"}, Code: 2,
			Output: []string{`-resolver: "dns.example" is not host:port`}},
	})
	proctest.CheckCleanStop(t, "-listen", "127.0.0.1:0", "-domains", "example.com", "-hostname", "mx.example.com",
		"-maildir", t.TempDir(), "-resolver", testZone.Server.Addr())
}
