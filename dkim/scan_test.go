package dkim

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// scanRef is the scan contract of scan.go written out byte by byte.
func scanRef(b []byte, relaxed bool) int {
	for i := 1; i < len(b)-1; i++ {
		if b[i] == '\n' && b[i-1] != '\r' {
			return i
		}
		if relaxed && (b[i] == '\t' || b[i] == ' ' && b[i+1] <= ' ') {
			return i
		}
	}
	return max(len(b)-1, 1)
}

// TestScans compares the scans (vector and word-at-a-time paths) with
// scanRef on random buffers where the bytes that matter are frequent or
// rare, at every length up to 300 and every position of the first
// change.
func TestScans(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	special := []byte(" \t\r\n\x00\x1f\x20\x21\x7f\x80\xff")
	for iter := 0; iter < 20000; iter++ {
		b := make([]byte, 2+rng.IntN(300))
		density := 1 + rng.IntN(200)
		for i := range b {
			switch {
			case rng.IntN(density) == 0:
				b[i] = special[rng.IntN(len(special))]
			case rng.IntN(8) == 0:
				b[i] = ' '
			case rng.IntN(40) == 0:
				b[i], b[i-min(i, 1)] = '\n', '\r'
			default:
				b[i] = byte('!' + rng.IntN(94))
			}
		}
		checkScans(t, b)
	}
}

// checkScans compares the simple and relaxed scans, byte and word at a
// time, with scanRef on b.
func checkScans(t *testing.T, b []byte) {
	t.Helper()
	for _, relaxed := range []bool{false, true} {
		want := scanRef(b, relaxed)
		var got, words int
		if relaxed {
			got, words = scanRelaxed(b), scanRelaxedWords(b, 1)
		} else {
			got, words = scanSimple(b), scanSimpleWords(b, 1)
		}
		if got != want || words != want {
			t.Fatalf("relaxed=%v %q: scan %d, words %d, want %d", relaxed, b, got, words, want)
		}
	}
}

// TestScansEqualLines compares the scans with scanRef on buffers of
// equal-length lines (the shape of base64 parts, which the word-at-a-time
// scans check a line at a time) with one defect each.
func TestScansEqualLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	special := []byte(" \t\r\n\x00\x20\x21")
	for iter := 0; iter < 20000; iter++ {
		width := 1 + rng.IntN(40)
		var b []byte
		for l := 1 + rng.IntN(12); l > 0; l-- {
			for j := 0; j < width; j++ {
				b = append(b, byte('A'+rng.IntN(26)))
			}
			b = append(b, '\r', '\n')
		}
		b = append(b, "tail"[:rng.IntN(5)]...)
		if rng.IntN(4) != 0 {
			b[rng.IntN(len(b))] = special[rng.IntN(len(special))]
		}
		checkScans(t, b)
	}
}

// TestScanAVX2Bounds: the vector scans never report a position outside
// the contract, on buffers whose only change is at the last position or
// beyond (so they run to their end).
func TestScanAVX2Bounds(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2")
	}
	for n := 64; n < 400; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'x'
		}
		b[n-1] = '\n'
		for _, f := range []func([]byte) int{scanSimpleAVX2, scanRelaxedAVX2} {
			if got := f(b); got < 1 || got > n-1 {
				t.Fatalf("n=%d: stopped at %d", n, got)
			}
		}
	}
}

// TestBodyCanonLongRandom feeds long bodies in large pieces, so the
// vector loops (which need 64 bytes or more at a time) meet every token
// at every offset of their 32-byte rounds, and compares with refBody.
func TestBodyCanonLongRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	tokens := []string{" ", "  ", "\t", " \t", "\t ", "\r\n", "\r\n", "\n", "\r", "\r\n\r\n", "\r\n ", " \r\n",
		"\t\r\n", " \r\n\r\n", "\r\n \r\n", "\r\r\n", " \r", "\n\n", "\r\n\t\r\n\r\n"}
	for iter := 0; iter < 3000; iter++ {
		var body []byte
		rare := 1 + rng.IntN(30)
		for size := 1 + rng.IntN(6000); len(body) < size; {
			if rng.IntN(rare) != 0 {
				word := make([]byte, 1+rng.IntN(12))
				for i := range word {
					word[i] = byte('!' + rng.IntN(94))
				}
				body = append(append(body, word...), ' ')
			} else {
				body = append(body, tokens[rng.IntN(len(tokens))]...)
			}
		}
		pieces := []int{len(body) + 1, 1 + rng.IntN(5000), 64 + rng.IntN(200)}
		for _, c := range []Canonicalization{Simple, Relaxed} {
			want := refBody(body, c)
			for _, piece := range pieces {
				if got := canonBody(body, c, piece); !bytes.Equal(want, got) {
					t.Fatalf("%s piece %d body %q:\nwant %q\ngot  %q", c, piece, body, want, got)
				}
			}
		}
	}
}

// TestBodyCanonLargeBodies compares whole-message-sized bodies (prose
// with defects sprinkled in) with refBody, fed in read-buffer-sized
// pieces, so that the staging buffer fills and drains many times.
func TestBodyCanonLargeBodies(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	defects := []string{"\n", " \n", "\t\t", "  \r\n", "\r\n\r\n\r\n", "\r", " \t \r\n\r\n"}
	for iter := 0; iter < 6; iter++ {
		body := proseText(100<<10 + rng.IntN(200<<10))
		for d := rng.IntN(2000); d > 0; d-- {
			at := rng.IntN(len(body))
			body = append(body[:at], append([]byte(defects[rng.IntN(len(defects))]), body[at:]...)...)
		}
		for _, c := range []Canonicalization{Simple, Relaxed} {
			want := refBody(body, c)
			for _, piece := range []int{readChunk, 1000 + rng.IntN(20000)} {
				if got := canonBody(body, c, piece); !bytes.Equal(want, got) {
					i := 0
					for i < min(len(want), len(got)) && want[i] == got[i] {
						i++
					}
					t.Fatalf("%s piece %d: differs at output octet %d: want %q, got %q", c, piece, i,
						want[i:min(len(want), i+40)], got[i:min(len(got), i+40)])
				}
			}
		}
	}
}
