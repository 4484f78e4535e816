package testpeer

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestRunJSON sends JSON through cat and back, and fails the test when
// the program fails or prints something that is not JSON.
func TestRunJSON(t *testing.T) {
	sh := shell(t)
	in := map[string][]int{"a": {1, 2}}
	var out map[string][]int
	f := run(func(tb testing.TB) { RunJSON(tb, in, &out, []string{"X=1"}, sh, "-c", `test "$X" = 1 && cat`) })
	if f.failed != "" || len(out["a"]) != 2 || out["a"][1] != 2 {
		t.Fatalf("round trip: failed %q, out %v", f.failed, out)
	}
	for name, script := range map[string]string{
		"exit status": "cat >/dev/null; echo oops >&2; exit 3",
		"not JSON":    "cat >/dev/null; echo '{'",
	} {
		f := run(func(tb testing.TB) { RunJSON(tb, in, &out, nil, sh, "-c", script) })
		if f.failed == "" {
			t.Errorf("%s: RunJSON did not fail the test", name)
		}
	}
}

// TestPython finds /usr/bin/python3 with the modules asked for, and skips
// (or fails under CI) when a module does not import.
func TestPython(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	t.Setenv("CI", "")
	var py string
	f := run(func(tb testing.TB) { py = Python(tb, "test", "json", "os") })
	if f.skipped != "" || f.failed != "" || py != "/usr/bin/python3" {
		t.Errorf("present: skipped %q failed %q path %q", f.skipped, f.failed, py)
	}
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		f := run(func(tb testing.TB) { Python(tb, "test", "json", "no_such_module_mailsmith") })
		if (ci == "" && f.skipped == "") || (ci != "" && f.failed == "") {
			t.Errorf("missing module, CI=%q: skipped %q failed %q", ci, f.skipped, f.failed)
		}
	}
}

// TestNode finds a module file under MAILSMITH_NODE_PREFIX, and skips
// (or fails under CI) when the file is missing.
func TestNode(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node")
	}
	dir := t.TempDir()
	mods := filepath.Join(dir, "node_modules")
	if err := os.MkdirAll(filepath.Join(mods, "m"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mods, "m", "x.js"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAILSMITH_NODE_PREFIX", dir)
	t.Setenv("CI", "")
	var got string
	f := run(func(tb testing.TB) { _, got = Node(tb, "test", "m/x.js") })
	if f.skipped != "" || f.failed != "" || got != mods {
		t.Errorf("present: skipped %q failed %q modules %q, want %q", f.skipped, f.failed, got, mods)
	}
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		f := run(func(tb testing.TB) { Node(tb, "test", "m/missing.js") })
		if (ci == "" && f.skipped == "") || (ci != "" && f.failed == "") {
			t.Errorf("missing, CI=%q: skipped %q failed %q", ci, f.skipped, f.failed)
		}
	}
}

// TestProc keeps sh running over several calls: each request line comes
// back as the answer, the environment reaches the program, and an answer
// that is not JSON or a peer that has exited fails the test.
func TestProc(t *testing.T) {
	sh := shell(t)
	echo := Start(t, []string{"X=7"}, sh, "-c", `while read -r l; do echo "{\"x\":$X,\"req\":$l}"; done`)
	for i := range 3 {
		var resp struct{ X, Req int }
		echo.Call(t, i, &resp)
		if resp.X != 7 || resp.Req != i {
			t.Fatalf("call %d: answer %+v", i, resp)
		}
	}
	if f := run(func(tb testing.TB) { echo.Call(tb, make(chan int), new(any)) }); f.failed == "" {
		t.Errorf("a request that is not JSON: Call did not fail the test")
	}
	for name, script := range map[string]string{
		"not JSON": `read -r l; echo '{'`,
		"exits":    `exit 0`,
	} {
		p := Start(t, nil, sh, "-c", script)
		var resp any
		if f := run(func(tb testing.TB) { p.Call(tb, 1, &resp) }); f.failed == "" {
			t.Errorf("%s: Call did not fail the test", name)
		}
	}
	if f := run(func(tb testing.TB) { Start(tb, nil, "/nonexistent/peer") }); f.failed == "" {
		t.Errorf("a program that does not start: Start did not fail the test")
	}
}

// TestProcReceive reads the lines a peer writes on its own, in order, and
// fails the test on a line that is not JSON, a peer that has exited or
// one that stays silent past the wait.
func TestProcReceive(t *testing.T) {
	sh := shell(t)
	talker := Start(t, nil, sh, "-c", `for i in 1 2 3; do echo "{\"n\":$i}"; done; echo '{'; read -r l`)
	for i := 1; i <= 3; i++ {
		var line struct{ N int }
		talker.Receive(t, 10*time.Second, &line)
		if line.N != i {
			t.Fatalf("line %d: got %+v", i, line)
		}
	}
	if f := run(func(tb testing.TB) { talker.Receive(tb, 10*time.Second, new(any)) }); f.failed == "" {
		t.Errorf("a line that is not JSON: Receive did not fail the test")
	}
	exited := Start(t, nil, sh, "-c", `exit 0`)
	if f := run(func(tb testing.TB) { exited.Receive(tb, 10*time.Second, new(any)) }); f.failed == "" {
		t.Errorf("a peer that has exited: Receive did not fail the test")
	}
	silent := Start(t, nil, sh, "-c", `read -r l`)
	if f := run(func(tb testing.TB) { silent.Receive(tb, 50*time.Millisecond, new(any)) }); f.failed == "" {
		t.Errorf("a silent peer: Receive did not fail the test")
	}
}

// shell returns the path of sh, the program the tests run as a peer.
func shell(t *testing.T) string {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	return sh
}
