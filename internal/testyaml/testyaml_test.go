package testyaml

import (
	"os"
	"path/filepath"
	"testing"
)

type doc struct {
	Description string            `yaml:"description"`
	Tests       map[string]string `yaml:"tests"`
}

// fakeTB records whether a test was ended.
type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(string, ...any) {
	f.failed = true
	panic(f)
}

// loadFails reports whether Load ended the test.
func loadFails(path string) (failed bool) {
	f := &fakeTB{}
	defer func() {
		if r := recover(); r != nil && r != f {
			panic(r)
		}
		failed = f.failed
	}()
	Load[doc](f, path)
	return false
}

// TestLoad reads each document of a file in order, and ends the test for
// a missing file and for a document that does not decode.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	text := "description: one\ntests:\n  a: x\n---\ndescription: two\ntests:\n  b: y\n  c: z\n"
	if err := os.WriteFile(good, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	docs := Load[doc](t, good)
	if len(docs) != 2 || docs[0].Description != "one" || docs[1].Tests["c"] != "z" || len(docs[1].Tests) != 2 {
		t.Fatalf("Load: %+v", docs)
	}
	bad := filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(bad, []byte("description: one\n---\ntests: [not, a, map]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.yml")} {
		if !loadFails(path) {
			t.Errorf("%s: Load did not end the test", filepath.Base(path))
		}
	}
}
