// Package testyaml reads the multi-document YAML files of the public test
// suites that the tests of several packages run (the SPF suite of
// pyspf/OpenSPF, the ARC test suite): each document of a file is one
// scenario.
//
//	scenarios := testyaml.Load[scenario](t, filepath.Join("testdata", "arc-validation-tests.yml"))
//
// The package is imported by _test.go files only.
package testyaml

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Load decodes every YAML document of the file at path into a T, in
// order. A file that cannot be read or a document that does not decode
// ends the test.
func Load[T any](t testing.TB, path string) []T {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("testyaml: %v", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []T
	for {
		var doc T
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("testyaml: %s: document %d: %v", path, len(out)+1, err)
		}
		out = append(out, doc)
	}
}
