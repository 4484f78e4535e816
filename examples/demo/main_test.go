package main

import (
	"strings"
	"testing"
)

func TestDemoRuns(t *testing.T) {
	var out strings.Builder
	status := run(&out)
	if status != 0 {
		t.Fatalf("demo exited %d:\n%s", status, out.String())
	}
	for _, want := range []string{"iprev=pass policy.iprev=192.0.2.1", "mx1.example.org", "all checks gave the expected answers"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
