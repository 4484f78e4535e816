package main

import (
	"testing"

	"github.com/mailsmith/mailsmith/examples/internal/proctest"
)

// TestProcess runs the program as a process: bad flags exit with status 2,
// -help with 0, and SIGTERM stops a running server cleanly with status 0.
func TestProcess(t *testing.T) {
	proctest.CheckExits(t, []proctest.Exit{
		{Args: []string{"-listen", "127.0.0.1:0"}, Code: 2}, // no -domain
		{Args: []string{"-help"}, Code: 0, Output: []string{
			"usage: forwarder",
			"-alias name=target[,target...]", // -alias explains its syntax
			"several separated by ';'",
		}},
		{Args: []string{"-domain", "example.net", "-srs-secret", "s", "-alias", "a=b@example.com", "-resolver", "dns.example"}, Code: 2,
			Output: []string{`-resolver: "dns.example" is not host:port`}},
	})
	proctest.CheckCleanStop(t, "-listen", "127.0.0.1:0", "-domain", "example.net", "-hostname", "mx.example.net",
		"-srs-secret", "s", "-alias", "a=b@example.com", "-resolver", testZone.Server.Addr(), "-queue-dir", t.TempDir())
}
