package srs

import (
	"os"
	"os/exec"
	"testing"
)

// needPeer returns the path of an outside program a peer test drives. When
// it is missing the test is skipped, except under CI (CI set), where a
// missing peer is a failure.
func needPeer(t *testing.T, program, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	missing(t, program+" not found ("+pkg+" not installed; .ci/install-peers installs it)")
	return ""
}

// missing skips or, under CI, fails.
func missing(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("peer missing under CI: %s", why)
	}
	t.Skipf("peer missing: %s", why)
}
