package arc

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testmem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bodyReader streams a header block and then n bytes of body lines,
// counting the body bytes handed out.
type bodyReader struct {
	header io.Reader
	left   int64
	read   int64
	line   []byte
}

func newBodyReader(header string, n int64) *bodyReader {
	return &bodyReader{header: strings.NewReader(header), left: n, line: []byte(strings.Repeat("body text ", 7) + "\r\n")}
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if n, err := b.header.Read(p); n > 0 || err != io.EOF {
		return n, err
	}
	if b.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && b.left > 0 {
		k := copy(p[n:], b.line[int(b.read)%len(b.line):])
		if int64(k) > b.left {
			k = int(b.left)
		}
		n += k
		b.left -= int64(k)
		b.read += int64(k)
	}
	return n, nil
}

func headerOf(msg string) string { return msg[:strings.Index(msg, "\r\n\r\n")+4] }

// Broken structure is decided from the header: no key lookup, and the
// body is not read.
func TestLimitsDecidedFromHeader(t *testing.T) {
	w := newWorld(t)
	one := w.seal(t, "lists.example.org", baseMessage)
	aar := "ARC-Authentication-Results: i=1; lists.example.org; none\r\n"
	for _, c := range []struct {
		name   string
		header string
		err    error
	}{
		{"151 ARC fields", strings.Repeat(aar, 151) + headerOf(one), ErrLimit},
		{"duplicate AAR", aar + headerOf(one), ErrStructure},
		{"i=51", strings.Replace(headerOf(one), "ARC-Authentication-Results: i=1;", "ARC-Authentication-Results: i=51;", 1), ErrMalformed},
		{"i=0", strings.Replace(headerOf(one), " i=1;", " i=0;", 1), ErrMalformed},
		{"gap", strings.ReplaceAll(headerOf(one), "i=1;", "i=2;"), ErrStructure},
		{"huge field", "ARC-Seal: i=1; x=" + strings.Repeat("a", MaxFieldBytes) + "\r\n" + headerOf(one), ErrLimit},
		{"huge AAR", "ARC-Authentication-Results: i=1; " + strings.Repeat("a", MaxFieldBytes) + "\r\n" + headerOf(one), ErrLimit},
		{"seal with h=", strings.Replace(headerOf(one), "cv=none;", "cv=none; h=from;", 1), ErrMalformed},
		{"cv=pass at i=1", strings.Replace(headerOf(one), "cv=none;", "cv=pass;", 1), ErrStructure},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := w.dns.CountQueries("arc._domainkey.lists.example.org.", dnstest.TypeTXT)
			r := newBodyReader(c.header, 10<<20)
			res, err := (&Verifier{Resolver: w.dns}).Verify(context.Background(), r)
			require.NoError(t, err)
			assertFail(t, res, false, c.err)
			assert.Less(t, r.read, int64(64<<10), "body bytes read")
			assert.Equal(t, before, w.dns.CountQueries("arc._domainkey.lists.example.org.", dnstest.TypeTXT), "key lookups")
		})
	}
}

// A chain of 50 sets (the most RFC 8617 allows) verifies with one key
// lookup and hashes each set's fields a bounded number of times; a 51st set
// is refused.
func TestLimitsFiftySets(t *testing.T) {
	w := newWorld(t)
	s := w.sealers["fwd.example.net"]
	msg := baseMessage
	for i := 0; i < MaxInstance; i++ {
		set, err := s.Seal(context.Background(), strings.NewReader(msg))
		require.NoError(t, err, "set %d", i+1)
		msg = set + msg
	}
	_, err := s.Seal(context.Background(), strings.NewReader(msg))
	assert.ErrorIs(t, err, ErrLimit)

	m, err := dkim.ReadMessage(strings.NewReader(msg), 0)
	require.NoError(t, err)
	fields := m.Fields()
	arcBytes := 0
	for _, f := range fields {
		if fieldKind(f.Name) != 0 {
			arcBytes += len(f.Raw)
		}
	}
	run := (&Verifier{Resolver: w.dns}).prepare(fields)
	defer m.Close()
	require.False(t, run.decided, "%v", run.res.Err)
	assert.LessOrEqual(t, run.sealBytes, 2*arcBytes, "seal hashing is linear in the chain")
	require.NoError(t, m.Body(run.bodyWriter()))
	run.finish(context.Background())
	assert.Equal(t, Pass, run.res.Status, "%v", run.res.Err)
	assert.Equal(t, 1, run.lookups)
	assert.Equal(t, MaxInstance, run.res.Sets)
}

// Memory does not grow with the body.
func TestLimitsBodyMemory(t *testing.T) {
	w := newWorld(t)
	hdr := headerOf(w.seal(t, "lists.example.org", baseMessage))
	v := &Verifier{Resolver: w.dns}
	alloc := func(n int64) uint64 {
		var res Result
		var err error
		allocated := testmem.Allocated(func() {
			res, err = v.Verify(context.Background(), newBodyReader(hdr, n))
		})
		require.NoError(t, err)
		require.Equal(t, Fail, res.Status) // the body is not the signed one
		require.ErrorIs(t, res.Err, dkim.ErrBodyHashMismatch)
		return allocated
	}
	alloc(1 << 20) // warm the pools
	small, large := alloc(1<<20), alloc(32<<20)
	t.Logf("allocated: %d bytes for a 1 MiB body, %d for 32 MiB", small, large)
	assert.Less(t, large, small+256<<10)
}

// The AR payload is bounded by authres's limits.
func TestLimitsAuthResults(t *testing.T) {
	w := newWorld(t)
	var b strings.Builder
	b.WriteString("Authentication-Results: lists.example.org; dkim=pass")
	for i := 0; i <= authres.MaxProps; i++ {
		fmt.Fprintf(&b, " header.x%d=a", i)
	}
	b.WriteString("\r\n")
	_, err := w.sealers["lists.example.org"].Seal(context.Background(), strings.NewReader(b.String()+baseMessage))
	assert.ErrorIs(t, err, authres.ErrLimit)
}
