package authres

import (
	"os"
	"testing"
)

// needPeer skips the test when a peer program is missing, or fails it
// when CI is set (the peers are then supposed to be installed).
func needPeer(t *testing.T, name string, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("peer %s missing under CI: %s", name, why)
	}
	t.Skipf("peer %s missing: %s", name, why)
}

// mustParse parses v or fails the test.
func mustParse(t testing.TB, v string) *Header {
	t.Helper()
	h, err := Parse(v)
	if err != nil {
		t.Fatalf("Parse(%q): %v", v, err)
	}
	return h
}

// sameHeader compares two headers field by field, Text included.
func sameHeader(a, b *Header) bool {
	if a.AuthServID != b.AuthServID || a.Version != b.Version || len(a.Results) != len(b.Results) {
		return false
	}
	for i := range a.Results {
		if !sameResult(&a.Results[i], &b.Results[i]) || a.Results[i].Text != b.Results[i].Text {
			return false
		}
	}
	return true
}
