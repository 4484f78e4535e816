package testpeer

import (
	"os/exec"
	"strings"
	"testing"
)

// fakeTB records how a test ended.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = format
	panic(f)
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = format
	panic(f)
}

// run calls fn with a fakeTB and reports how it ended.
func run(fn func(t testing.TB)) (f *fakeTB) {
	f = &fakeTB{}
	defer func() {
		if r := recover(); r != nil && r != f {
			panic(r)
		}
	}()
	fn(f)
	return f
}

func TestMissingSkipsOrFailsUnderCI(t *testing.T) {
	const absent = "no-such-program-mailsmith-testpeer"
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		for name, fn := range map[string]func(testing.TB){
			"Program": func(t testing.TB) { Program(t, absent, "nothing") },
			"Runs":    func(t testing.TB) { Runs(t, "false", "false") },
			"Require": func(t testing.TB) { Require(t, "x", false, "because") },
		} {
			f := run(fn)
			if ci == "" && (f.skipped == "" || f.failed != "") {
				t.Errorf("%s without CI: skipped %q failed %q, want a skip", name, f.skipped, f.failed)
			}
			if ci != "" && (f.failed == "" || f.skipped != "") {
				t.Errorf("%s under CI: skipped %q failed %q, want a failure", name, f.skipped, f.failed)
			}
		}
	}
}

func TestProgramFound(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	t.Setenv("CI", "")
	f := run(func(tb testing.TB) {
		if got := Program(tb, "sh", "coreutils"); got != sh {
			t.Errorf("Program(sh) = %q, want %q", got, sh)
		}
		Runs(tb, "sh", "sh", "-c", "exit 0")
		Require(tb, "x", true, nil)
	})
	if f.skipped != "" || f.failed != "" {
		t.Errorf("ended: %q %q", f.skipped, f.failed)
	}
	if !strings.Contains(sh, "sh") {
		t.Fatal(sh)
	}
}
