package dkim

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refBody is a plain reference implementation of body canonicalization,
// written from the RFC 6376 §3.4.3/§3.4.4 text the way dkimpy applies it:
// bare LF taken as CRLF, then whole-body regular-expression passes.
func refBody(body []byte, c Canonicalization) []byte {
	body = lfToCRLF(body)
	if c == Relaxed {
		body = wspEOL.ReplaceAll(body, []byte("\r\n"))
		body = wspRun.ReplaceAll(body, []byte(" "))
	}
	end := len(body)
	for end >= 2 && string(body[end-2:end]) == "\r\n" {
		end -= 2
	}
	if end == len(body) {
		body = append(append([]byte{}, body...), '\r', '\n')
	} else {
		body = append([]byte{}, body[:end+2]...)
	}
	if c == Relaxed && string(body) == "\r\n" {
		return []byte{}
	}
	return body
}

var (
	wspEOL = regexp.MustCompile(`[\t ]+\r\n`)
	wspRun = regexp.MustCompile(`[\t ]+`)
)

// lfToCRLF turns every LF not preceded by CR into CRLF.
func lfToCRLF(b []byte) []byte {
	var out []byte
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// canonBody runs the streaming canonicalizer over body fed in pieces of
// the given size and returns what it hashed.
func canonBody(body []byte, c Canonicalization, piece int) []byte {
	var out bytes.Buffer
	bh := newBodyHasher(c, nopHash{&out}, -1)
	for len(body) > 0 {
		n := min(piece, len(body))
		bh.Write(body[:n])
		body = body[n:]
	}
	bh.Close()
	return out.Bytes()
}

// nopHash collects what is written to it.
type nopHash struct{ b *bytes.Buffer }

func (h nopHash) Write(p []byte) (int, error) { return h.b.Write(p) }
func (h nopHash) Sum(b []byte) []byte         { return append(b, h.b.Bytes()...) }
func (h nopHash) Reset()                      { h.b.Reset() }
func (h nopHash) Size() int                   { return 0 }
func (h nopHash) BlockSize() int              { return 1 }

func TestBodyHashesJSON(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "canon", "body-hashes.json"))
	require.NoError(t, err)
	var doc struct {
		Vectors []struct {
			Name      string `json:"name"`
			Body      string `json:"body_base64"`
			Simple    string `json:"simple_canonical_base64"`
			Relaxed   string `json:"relaxed_canonical_base64"`
			BHSimple  string `json:"bh_sha256_simple"`
			BHRelaxed string `json:"bh_sha256_relaxed"`
		} `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.NotEmpty(t, doc.Vectors)
	dec := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		require.NoError(t, err)
		return b
	}
	for _, v := range doc.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			body := dec(v.Body)
			for _, piece := range []int{1, 3, 8, 1 << 20} {
				assert.Equal(t, dec(v.Simple), nonNil(canonBody(body, Simple, piece)), "simple piece %d", piece)
				assert.Equal(t, dec(v.Relaxed), nonNil(canonBody(body, Relaxed, piece)), "relaxed piece %d", piece)
			}
			for c, want := range map[Canonicalization]string{Simple: v.BHSimple, Relaxed: v.BHRelaxed} {
				bh := newBodyHasher(c, sha256.New(), -1)
				bh.Write(body)
				bh.Close()
				assert.Equal(t, want, base64.StdEncoding.EncodeToString(bh.sum(nil)), c)
			}
		})
	}
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func TestRFC6376Example(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "canon", name))
		require.NoError(t, err)
		return b
	}
	in := read("rfc6376-3.4.5-input.eml")
	i := bytes.Index(in, []byte("\r\n\r\n"))
	require.Positive(t, i)
	header, body := in[:i+2], in[i+4:]
	fields := splitFields(header)
	var simple, relaxed []byte
	for _, f := range fields {
		simple = appendSimpleHeader(simple, f.raw)
		relaxed = appendRelaxedHeader(relaxed, f.raw)
	}
	assert.Equal(t, string(read("rfc6376-3.4.5-simple-header.txt")), string(simple))
	assert.Equal(t, string(read("rfc6376-3.4.5-relaxed-header.txt")), string(relaxed))
	assert.Equal(t, string(read("rfc6376-3.4.5-simple-body.txt")), string(canonBody(body, Simple, 5)))
	assert.Equal(t, string(read("rfc6376-3.4.5-relaxed-body.txt")), string(canonBody(body, Relaxed, 5)))
}

// TestBodyCanonTable compares the streaming canonicalizer with the
// reference on awkward bodies, fed whole and in small pieces.
func TestBodyCanonTable(t *testing.T) {
	bodies := []string{
		"", "\r\n", "\n", "\r\n\r\n", "a", "a\r\n", "a\n", "a  b\t\tc  \r\n",
		"a\r\n\r\n\r\nb\r\n\r\n", " \t \r\n", "x\r", "x\ry\r\n", "x \r", "\r\r\n",
		"line1\nline2\n\n\n", "  lead\r\n", "trail  ", "\t", "a\r\n  \r\n\t\r\n",
		"8bit \xc3\xa9t\xc3\xa9 \r\n", "a \r\n b \r\n", "\r\n\r\nx", "x\n\r\n\n",
		"abcdefgh abcdefgh abcdefgh\r\nabcdefgh  abcdefg \r\n",
	}
	for _, b := range bodies {
		for _, c := range []Canonicalization{Simple, Relaxed} {
			want := refBody([]byte(b), c)
			for _, piece := range []int{1, 2, 7, 64} {
				assert.Equal(t, string(want), string(canonBody([]byte(b), c, piece)), "%s %q piece %d", c, b, piece)
			}
		}
	}
}

// TestBodyCanonRandom compares the streaming canonicalizer with the
// reference on many random bodies over an alphabet rich in the bytes that
// matter (SP, TAB, CR, LF), fed in random piece sizes.
func TestBodyCanonRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab  \t\r\n\r\n\n\r\n\xc3x.")
	for iter := 0; iter < 3000; iter++ {
		body := make([]byte, rng.IntN(200))
		for i := range body {
			body[i] = alphabet[rng.IntN(len(alphabet))]
		}
		checkBodyCanon(t, body, 1+rng.IntN(40))
	}
}

// checkBodyCanon compares both streaming body canonicalizations of body,
// fed in pieces of piece octets, with refBody.
func checkBodyCanon(t *testing.T, body []byte, piece int) {
	t.Helper()
	for _, c := range []Canonicalization{Simple, Relaxed} {
		want := refBody(body, c)
		got := canonBody(body, c, piece)
		if !bytes.Equal(want, got) {
			t.Fatalf("%s piece %d body %q:\nwant %q\ngot  %q", c, piece, body, want, got)
		}
	}
}

// TestBodyCanonRandomTokens builds bodies from tokens (long runs of
// ordinary bytes, single and repeated WSP, CRLF, bare CR and LF) so the
// word-at-a-time paths see every alignment of every special byte.
func TestBodyCanonRandomTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tokens := []string{" ", "  ", "\t", " \t", "\r\n", "\r\n", "\r\n", "\n", "\r", "\r\n\r\n", "\r\n "}
	for iter := 0; iter < 3000; iter++ {
		var body []byte
		for size := 1 + rng.IntN(1500); len(body) < size; {
			if rng.IntN(2) == 0 {
				run := make([]byte, rng.IntN(40))
				for i := range run {
					run[i] = byte('!' + rng.IntN(94))
					if rng.IntN(50) == 0 {
						run[i] = byte(0x80 + rng.IntN(128))
					}
				}
				body = append(body, run...)
			} else {
				body = append(body, tokens[rng.IntN(len(tokens))]...)
			}
		}
		checkBodyCanon(t, body, 1+rng.IntN(300))
	}
}

// TestBodyCanonEqualLines feeds bodies of equal-length lines (the shape of
// base64 parts) with one random defect each, so the same-length-lines
// fast path meets every kind of line it must refuse.
func TestBodyCanonEqualLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	defects := []string{" ", "  ", "\t", "\r", "\n", "\r\n", "\r\n\r\n", "x", ""}
	for iter := 0; iter < 20000; iter++ {
		width := 1 + rng.IntN(80)
		var body []byte
		for l := rng.IntN(30); l > 0; l-- {
			for j := 0; j < width; j++ {
				body = append(body, byte('A'+rng.IntN(26)))
			}
			body = append(body, '\r', '\n')
		}
		if len(body) > 0 {
			at := rng.IntN(len(body))
			d := defects[rng.IntN(len(defects))]
			if rng.IntN(2) == 0 {
				body = append(body[:at], append([]byte(d), body[at:]...)...)
			} else {
				copy(body[at:], d) // overwrite: line lengths stay equal
			}
		}
		if rng.IntN(3) == 0 {
			body = append(body, "tail"[:rng.IntN(5)]...)
		}
		checkBodyCanon(t, body, 1+rng.IntN(2000))
	}
}
