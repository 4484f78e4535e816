package testpeer

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRunJSON sends JSON through cat and back, and fails the test when
// the program fails or prints something that is not JSON.
func TestRunJSON(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
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
