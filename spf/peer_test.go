package spf

import (
	"os"
	"os/exec"
	"testing"
)

// peerMissing skips the test because an outside program it needs is
// missing, or fails it when the CI environment variable is set: under CI
// every peer must be installed.
func peerMissing(t *testing.T, what string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing and CI is set: %v", what, err)
	}
	t.Skipf("%s not available: %v", what, err)
}

// requirePeer returns the path of an outside program, or skips (fails
// under CI) when it is missing.
func requirePeer(t *testing.T, path, what string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		peerMissing(t, what+" ("+path+")", err)
	}
	return p
}
