//go:build amd64 && !purego

package dkim

import "testing"

// TestBodyCanonWithoutAVX2 runs the random canonicalization comparisons
// on the word-at-a-time scans alone, as on a CPU without AVX2.
func TestBodyCanonWithoutAVX2(t *testing.T) {
	if !useAVX2 {
		t.Skip("already without AVX2")
	}
	useAVX2 = false
	defer func() { useAVX2 = true }()
	TestBodyCanonRandom(t)
	TestBodyCanonRandomTokens(t)
	TestBodyCanonEqualLines(t)
	TestBodyCanonLargeBodies(t)
}
