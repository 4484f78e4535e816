package authres

import "testing"

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
