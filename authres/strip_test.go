package authres

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stripAll runs s over msg three ways (Strip, Read with one-byte reads
// from a one-byte source, Read into large buffers) and fails unless they
// agree.
func stripAll(t *testing.T, s *Stripper, msg string) (string, int, error) {
	t.Helper()
	var out bytes.Buffer
	n, err := s.Strip(&out, strings.NewReader(msg))

	r := s.NewReader(iotest.OneByteReader(strings.NewReader(msg)))
	slow, err2 := io.ReadAll(iotest.OneByteReader(r))
	assert.Equal(t, out.String(), string(slow), "one-byte reads differ")
	assert.Equal(t, n, r.Removed())
	assert.Equal(t, err == nil, err2 == nil, "%v / %v", err, err2)

	r = s.NewReader(strings.NewReader(msg))
	fast, _ := io.ReadAll(r)
	assert.Equal(t, out.String(), string(fast), "Read differs from WriteTo")
	return out.String(), n, err
}

func TestStrip(t *testing.T) {
	ours := &Stripper{AuthServID: "mx.example.com", Aliases: []string{"mx2.example.com."}}
	tests := []struct {
		name, in, want string
		removed        int
	}{
		{"ours, case and final dot, other ADMDs kept, body untouched",
			"Authentication-Results: mx.example.com; dmarc=pass\r\n" +
				"Authentication-Results: MX.Example.COM.;\r\n\tspf=pass\r\n" +
				"Authentication-Results: mx.example.net; dkim=pass\r\n" +
				"Authentication-Results: mx.example.com.evil; dkim=pass\r\n" +
				"From: a@example.org\r\n\r\nAuthentication-Results: mx.example.com; in the body\r\n",
			"Authentication-Results: mx.example.net; dkim=pass\r\n" +
				"Authentication-Results: mx.example.com.evil; dkim=pass\r\n" +
				"From: a@example.org\r\n\r\nAuthentication-Results: mx.example.com; in the body\r\n", 2},
		{"folded field goes with its continuation lines",
			"Received: x\r\nAuthentication-Results: mx.example.com;\r\n dkim=pass\r\n  header.d=a\r\nSubject: s\r\n \tcontinued\r\n\r\nbody",
			"Received: x\r\nSubject: s\r\n \tcontinued\r\n\r\nbody", 1},
		{"unparsable but starting with our id",
			"authentication-results: (forged) mx.example.com; spf=\r\nX: y\r\n\r\n",
			"X: y\r\n\r\n", 1},
		{"unparsable, our id only later",
			"Authentication-Results: spf=pass mx.example.com; dkim=\r\n\r\n",
			"Authentication-Results: spf=pass mx.example.com; dkim=\r\n\r\n", 0},
		{"quoted id, comment first, white space before the colon",
			"Authentication-Results : (x (y)) \"mx.example.com\" 1; none\r\n\r\n", "\r\n", 1},
		{"alias", "Authentication-Results: mx2.example.com; none\r\nA: b\r\n\r\n", "A: b\r\n\r\n", 1},
		{"look-alike names kept",
			"ARC-Authentication-Results: i=1; mx.example.com; spf=pass\r\nX-Authentication-Results: mx.example.com; none\r\nAuthentication-Results-X: mx.example.com; none\r\n\r\n",
			"ARC-Authentication-Results: i=1; mx.example.com; spf=pass\r\nX-Authentication-Results: mx.example.com; none\r\nAuthentication-Results-X: mx.example.com; none\r\n\r\n", 0},
		{"no authserv-id (Microsoft 365) kept",
			"Authentication-Results: spf=pass smtp.mailfrom=example.com\r\n\r\n",
			"Authentication-Results: spf=pass smtp.mailfrom=example.com\r\n\r\n", 0},
		{"bare LF", "Authentication-Results: mx.example.com;\n dkim=pass\nA: b\n\nbody\n", "A: b\n\nbody\n", 1},
		{"header only, last field ours, no final line break",
			"A: b\r\nAuthentication-Results: mx.example.com; none", "A: b\r\n", 1},
		{"header only, kept field without final line break", "A: b\r\nB: c", "A: b\r\nB: c", 0},
		{"lines that are not fields pass", "From sender Mon\r\n leading\r\nnocolon\r\nAuthentication-Results: mx.example.com; none\r\n\r\nb",
			"From sender Mon\r\n leading\r\nnocolon\r\n\r\nb", 1},
		{"no header", "\r\nAuthentication-Results: mx.example.com; none\r\n", "\r\nAuthentication-Results: mx.example.com; none\r\n", 0},
		{"empty", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, n, err := stripAll(t, ours, tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, out)
			assert.Equal(t, tt.removed, n)
		})
	}
}

func TestStripperClaims(t *testing.T) {
	s := &Stripper{AuthServID: "MX.example.com"}
	for v, want := range map[string]bool{
		" mx.example.com; none":            true,
		"mx.example.com.; spf=pass":        true,
		" (c) \"mx.example.com\"; x=":      true,
		"mx.example.com (unclosed":         true,
		"mx.example.com=pass":              true,
		"mx.example.net; none":             false,
		"spf=pass smtp.mailfrom=x":         false,
		"":                                 false,
		"mx.example.com.evil; none":        false,
		"(mx.example.com) other; spf=pass": false,
	} {
		assert.Equal(t, want, s.Claims(v), "%q", v)
	}
	assert.False(t, (&Stripper{}).Claims("mx.example.com; none"))
}

func TestEqualAuthServID(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"mx.example.com", "MX.EXAMPLE.COM", true},
		{"mx.example.com.", "mx.example.com", true},
		{"mx.example.com", "mx.example.com.evil", false},
		{"", "", false},
		{".", "", false},
		{"mx.example.com", "mx.example.co", false},
	} {
		assert.Equal(t, tt.want, EqualAuthServID(tt.a, tt.b), "%q %q", tt.a, tt.b)
		assert.Equal(t, tt.want, EqualAuthServID(tt.b, tt.a), "%q %q", tt.b, tt.a)
	}
}

func TestStripWithoutAuthServID(t *testing.T) {
	var out bytes.Buffer
	_, err := (&Stripper{}).Strip(&out, strings.NewReader("A: b\r\n\r\n"))
	assert.ErrorIs(t, err, ErrAuthServID)
	_, err = io.ReadAll((&Stripper{Aliases: []string{"."}}).NewReader(strings.NewReader("A: b\r\n")))
	assert.ErrorIs(t, err, ErrAuthServID)
}

func TestStripLimits(t *testing.T) {
	s := &Stripper{AuthServID: "mx.example.com", MaxHeaderBytes: 1000, MaxFields: 10}
	big := "A: " + strings.Repeat("x", 1000) + "\r\n\r\nbody"
	_, _, err := stripAll(t, s, big)
	assert.ErrorIs(t, err, ErrLimit)
	assert.Contains(t, err.Error(), "header longer than 1000 bytes")

	noEOL := "A: " + strings.Repeat("x", 5000) // one endless line
	_, _, err = stripAll(t, s, noEOL)
	assert.ErrorIs(t, err, ErrLimit)

	many := strings.Repeat("A: b\r\n", 11) + "\r\n"
	_, _, err = stripAll(t, s, many)
	assert.ErrorIs(t, err, ErrLimit)
	assert.Contains(t, err.Error(), "more than 10 header fields")

	// At the limits, and a body far larger than them, pass.
	ok := strings.Repeat("A: b\r\n", 10) + "\r\n" + strings.Repeat("body line\r\n", 1000)
	out, _, err := stripAll(t, s, ok)
	require.NoError(t, err)
	assert.Equal(t, ok, out)

	// The zero value's limits.
	z := &Stripper{AuthServID: "mx.example.com"}
	_, _, err = stripAll(t, z, strings.Repeat("A: b\r\n", DefaultMaxFields+1))
	assert.ErrorIs(t, err, ErrLimit)
}

// countingReader counts the Read calls and bytes of a source.
type countingReader struct {
	r            io.Reader
	calls, bytes int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.calls++
	n, err := c.r.Read(p)
	c.bytes += n
	return n, err
}

// TestStripWork: with one-byte reads, every byte of the source is read
// once, in one call each, and the reader holds no more than the largest
// field; allocations do not grow with the number of fields that are kept.
func TestStripWork(t *testing.T) {
	s := &Stripper{AuthServID: "mx.example.com"}
	field := "Authentication-Results: mx.example.com;" + strings.Repeat("\r\n (fold)", 200) + " none\r\n"
	msg := strings.Repeat("Received: from a by b;\r\n\tMon, 7 Dec 2026 07:00:00 +0000\r\n", 500) +
		strings.Repeat(field, 100) + "\r\n" + strings.Repeat("body\r\n", 10000)
	src := &countingReader{r: iotest.OneByteReader(strings.NewReader(msg))}
	r := s.NewReader(src)
	n, err := io.Copy(io.Discard, iotest.OneByteReader(r))
	require.NoError(t, err)
	assert.Equal(t, len(msg), src.bytes)
	assert.LessOrEqual(t, src.calls, len(msg)+2)
	assert.Equal(t, int64(len(msg)-100*len(field)), n)
	assert.Equal(t, 100, r.Removed())
	assert.LessOrEqual(t, cap(r.field), 2*len(field), "holds more than one field")
	assert.LessOrEqual(t, cap(r.line), 4096)

	allocs := func(fields int) float64 {
		m := strings.Repeat("Received: from a by b\r\n", fields) + "\r\nbody\r\n"
		return testing.AllocsPerRun(5, func() {
			_, _ = s.Strip(io.Discard, strings.NewReader(m))
		})
	}
	a100, a1000 := allocs(100), allocs(1000)
	t.Logf("allocations: %v for 100 kept fields, %v for 1000", a100, a1000)
	assert.Equal(t, a100, a1000)
}

// failingWriter fails after n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestStripWriteAndReadErrors(t *testing.T) {
	s := &Stripper{AuthServID: "mx.example.com"}
	_, err := s.Strip(&failingWriter{n: 3}, strings.NewReader("A: b\r\n\r\nbody"))
	assert.EqualError(t, err, "disk full")
	_, err = s.Strip(&failingWriter{n: 10}, strings.NewReader("A: b\r\n\r\nbody body body"))
	assert.EqualError(t, err, "disk full")
	_, err = s.Strip(io.Discard, iotest.ErrReader(errors.New("connection reset")))
	assert.EqualError(t, err, "connection reset")
	_, err = s.Strip(io.Discard, io.MultiReader(strings.NewReader("A: b\r\n"), iotest.ErrReader(errors.New("reset"))))
	assert.EqualError(t, err, "reset")
}

// FuzzStrip: no input panics; one-byte reads give the same output; only
// header fields are removed, the rest of the message is kept byte for
// byte; stripping twice removes nothing more.
func FuzzStrip(f *testing.F) {
	f.Add([]byte("Authentication-Results: mx.example.com; dmarc=pass\r\nAuthentication-Results: mx.example.net; dkim=pass\r\nFrom: a@example.org\r\n\r\nAuthentication-Results: mx.example.com; body\r\n"))
	f.Add([]byte("authentication-results : (c) \"MX.example.com.\";\n spf=\nA: b\n\nbody"))
	f.Add([]byte("From x\r\n leading\r\nAuthentication-Results: mx.example.com; none"))
	f.Add([]byte("Authentication-Results: spf=pass\r\n\r\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, msg []byte) {
		s := &Stripper{AuthServID: "mx.example.com", MaxHeaderBytes: 8192, MaxFields: 100}
		var out bytes.Buffer
		n, err := s.Strip(&out, bytes.NewReader(msg))
		slow, err2 := io.ReadAll(iotest.OneByteReader(s.NewReader(iotest.OneByteReader(bytes.NewReader(msg)))))
		if (err == nil) != (err2 == nil) || !bytes.Equal(out.Bytes(), slow) {
			t.Fatalf("one-byte reads differ: %v / %v\n%q\n%q", err, err2, out.Bytes(), slow)
		}
		if err != nil {
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if n == 0 && !bytes.Equal(out.Bytes(), msg) {
			t.Fatalf("nothing removed but the output differs:\n%q\n%q", msg, out.Bytes())
		}
		// The body, from the first empty line on, is unchanged.
		if i := headerEnd(msg); i >= 0 {
			j := headerEnd(out.Bytes())
			if j < 0 || !bytes.Equal(out.Bytes()[j:], msg[i:]) {
				t.Fatalf("body changed:\n%q\n%q", msg, out.Bytes())
			}
		}
		if !isSubsequence(out.Bytes(), msg) {
			t.Fatalf("output is not the input with parts removed:\n%q\n%q", msg, out.Bytes())
		}
		var again bytes.Buffer
		n2, err := s.Strip(&again, bytes.NewReader(out.Bytes()))
		if err != nil || n2 != 0 || !bytes.Equal(again.Bytes(), out.Bytes()) {
			t.Fatalf("second pass removed %d (%v):\n%q\n%q", n2, err, out.Bytes(), again.Bytes())
		}
	})
}

// headerEnd is the offset of the first empty line of msg, -1 if none.
func headerEnd(msg []byte) int {
	for i := 0; i < len(msg); {
		j := bytes.IndexByte(msg[i:], '\n')
		if j < 0 {
			return -1
		}
		if j == 0 || j == 1 && msg[i] == '\r' {
			return i
		}
		i += j + 1
	}
	return -1
}

func isSubsequence(sub, s []byte) bool {
	for len(sub) > 0 {
		i := bytes.IndexByte(s, sub[0])
		if i < 0 {
			return false
		}
		s, sub = s[i+1:], sub[1:]
	}
	return true
}
