package main

import (
	"testing"

	"github.com/mailsmith/mailsmith/examples/internal/proctest"
)

// TestProcess runs the program as a process: bad flags exit with status 2,
// -help with 0, and SIGTERM stops a running server cleanly with status 0.
func TestProcess(t *testing.T) {
	proctest.CheckExits(t, []proctest.Exit{
		{Args: []string{"-listen", "127.0.0.1:0", "-listen-tls", ""}, Code: 2}, // no -users
		{Args: []string{"-help"}, Code: 0, Output: []string{"usage: submission"}},
		{Args: []string{"-users", "a@example.org:pw", "-resolver", "dns.example"}, Code: 2,
			Output: []string{`-resolver: "dns.example" is not host:port`}},
	})
	proctest.CheckCleanStop(t, "-listen", "127.0.0.1:0", "-listen-tls", "127.0.0.1:0", "-hostname", "mail.example.org",
		"-users", "a@example.org:pw", "-resolver", testZone.Server.Addr(), "-queue-dir", t.TempDir())
}
