// Package testpeer finds the outside programs ("peers") that interop tests
// drive, for the tests of every package of the suite.
//
// A test that needs a peer asks for it here. When the peer is missing the
// test is skipped with a message that says what is missing and which
// Debian or npm package brings it, except when the CI environment
// variable is set: .ci/install-peers has then installed every peer, and a
// missing one is a failure (a skipped interop test would pass CI without
// having checked anything).
//
//	perl := testpeer.Program(t, "perl", "perl")
//	testpeer.Runs(t, "Mail::SRS (Debian libmail-srs-perl)", perl, "-MMail::SRS", "-e", "1")
//
// Node finds the Node peers' node_modules, and RunJSON runs a peer that
// reads its cases as JSON and answers in JSON, the shape of the suite's
// differential tests; Start keeps a peer running for a whole test and
// Proc.Call sends it one JSON request line at a time (Proc.Receive reads
// the lines a peer writes on its own). DkimpyKey writes a key as dkimpy
// reads it.
//
// The package is imported by _test.go files only.
package testpeer

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// UnderCI reports whether the CI environment variable is set, when every
// peer must be present.
func UnderCI() bool { return os.Getenv("CI") != "" }

// Missing ends the test because the peer what is missing: t.Skip, or
// t.Fatal under CI. why says what was tried (an error, a message).
func Missing(t testing.TB, what string, why any) {
	t.Helper()
	if UnderCI() {
		t.Fatalf("peer %s is missing, and CI is set (.ci/install-peers installs it): %v", what, why)
	}
	t.Skipf("peer %s not available: %v", what, why)
}

// Require ends the test as Missing does unless ok: for peers that are
// found some other way than by a program's name.
func Require(t testing.TB, what string, ok bool, why any) {
	t.Helper()
	if !ok {
		Missing(t, what, why)
	}
}

// Program returns the path of program (a name looked up in PATH, or a
// path), or ends the test as Missing does. pkg names what installs it
// ("Debian python3-spf").
func Program(t testing.TB, program, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		Missing(t, program+" ("+pkg+")", err)
	}
	return path
}

// Runs runs a command that shows whether a peer is usable (a module
// loads, a feature is there) and ends the test as Missing does when it
// fails; the command's output is part of the message.
func Runs(t testing.TB, what, program string, args ...string) {
	t.Helper()
	out, err := exec.Command(program, args...).CombinedOutput()
	if err != nil {
		Missing(t, what, string(bytes.TrimSpace(out))+" ("+err.Error()+")")
	}
}

// Python returns /usr/bin/python3, the interpreter of the Debian Python
// modules, after checking that every module imports; otherwise it ends
// the test as Missing does. pkg names what installs the modules.
func Python(t testing.TB, pkg string, modules ...string) string {
	t.Helper()
	py := Program(t, "/usr/bin/python3", "Debian python3")
	for _, m := range modules {
		Runs(t, "Python module "+m+" ("+pkg+")", py, "-c", "import "+m)
	}
	return py
}
