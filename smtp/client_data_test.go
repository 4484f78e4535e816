package smtp

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientRefStuff is a plain reference for the Data writer: one octet at a
// time, CRLF, bare CR and bare LF become CRLF, a leading dot is doubled,
// and the data ends with CRLF "." CRLF.
func clientRefStuff(in []byte) []byte {
	var out []byte
	lineStart := true
	for i := 0; i < len(in); i++ {
		switch c := in[i]; c {
		case '\r':
			if i+1 < len(in) && in[i+1] == '\n' {
				i++
			}
			out = append(out, '\r', '\n')
			lineStart = true
		case '\n':
			out = append(out, '\r', '\n')
			lineStart = true
		default:
			if lineStart && c == '.' {
				out = append(out, '.')
			}
			out = append(out, c)
			lineStart = false
		}
	}
	if !lineStart {
		out = append(out, '\r', '\n')
	}
	return append(out, ".\r\n"...)
}

// clientStuffChunks runs the Data writer's stuffing over chunks into a
// buffer and appends its terminator.
func clientStuffChunks(t testing.TB, chunks [][]byte) []byte {
	var buf bytes.Buffer
	c := &Client{bw: bufio.NewWriter(&buf)}
	w := &clientDataWriter{c: c, lineStart: true}
	for _, ch := range chunks {
		if err := w.stuff(ch); err != nil {
			t.Fatal(err)
		}
	}
	c.bw.WriteString(w.terminator())
	c.bw.Flush()
	return buf.Bytes()
}

func TestClientDataStuffing(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"empty", nil, ".\r\n"},
		{"crlf line", []string{"a\r\n"}, "a\r\n.\r\n"},
		{"no final line end", []string{"a"}, "a\r\n.\r\n"},
		{"bare lf", []string{"a\nb\n"}, "a\r\nb\r\n.\r\n"},
		{"bare cr", []string{"a\rb\r"}, "a\r\nb\r\n.\r\n"},
		{"cr cr lf", []string{"a\r\r\nb"}, "a\r\n\r\nb\r\n.\r\n"},
		{"lone dot line", []string{".\r\n"}, "..\r\n.\r\n"},
		{"smuggling attempt", []string{"x\n.\nMAIL FROM:<evil>\r\n"}, "x\r\n..\r\nMAIL FROM:<evil>\r\n.\r\n"},
		{"smuggling with bare cr", []string{"x\r.\rDATA\r\n"}, "x\r\n..\r\nDATA\r\n.\r\n"},
		{"dot at start", []string{".a\r\n..b\r\n"}, "..a\r\n...b\r\n.\r\n"},
		{"dot mid line", []string{"a.b\r\n"}, "a.b\r\n.\r\n"},
		{"cr split from lf", []string{"a\r", "\nb"}, "a\r\nb\r\n.\r\n"},
		{"cr split then dot", []string{"a\r", ".b"}, "a\r\n..b\r\n.\r\n"},
		{"dot split after lf", []string{"a\n", ".", "b"}, "a\r\n..b\r\n.\r\n"},
		{"ends with cr", []string{"a\r"}, "a\r\n.\r\n"},
		{"empty chunk between cr and lf", []string{"0\r", "", "\n000"}, "0\r\n000\r\n.\r\n"},
		{"only line ends", []string{"\r\n\n\r"}, "\r\n\r\n\r\n.\r\n"},
		{"binary", []string{"\x00\xff\r\n"}, "\x00\xff\r\n.\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var chunks [][]byte
			for _, c := range tt.chunks {
				chunks = append(chunks, []byte(c))
			}
			got := clientStuffChunks(t, chunks)
			assert.Equal(t, tt.want, string(got))
			assert.Equal(t, tt.want, string(clientRefStuff([]byte(strings.Join(tt.chunks, "")))), "reference")
		})
	}
}

// FuzzClientDataWriter checks the Data writer against the reference for
// any input split into chunks at any points, and that the result can never
// contain the end-of-data sequence before its end.
func FuzzClientDataWriter(f *testing.F) {
	f.Add([]byte("a\r\n.\r\nb"), uint64(3))
	f.Add([]byte("\r\r\n\n.\r.\n."), uint64(0x0102030405))
	f.Add([]byte(".."), uint64(1))
	f.Add([]byte("From: x\r\n\r\nbody\r\n.\r\n"), uint64(0xffffffff))
	f.Fuzz(func(t *testing.T, data []byte, cuts uint64) {
		var chunks [][]byte
		rest := data
		for cuts != 0 && len(rest) > 0 {
			n := int(cuts%7) % (len(rest) + 1)
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
			cuts /= 7
		}
		chunks = append(chunks, rest)
		got := clientStuffChunks(t, chunks)
		want := clientRefStuff(data)
		if !bytes.Equal(got, want) {
			t.Fatalf("input %q in %d chunks: got %q, want %q", data, len(chunks), got, want)
		}
		if i := bytes.Index(got, []byte("\r\n.\r\n")); i >= 0 && i != len(got)-5 {
			t.Fatalf("end of data inside the message at %d: %q", i, got)
		}
		if bytes.Count(got, []byte("\r")) != bytes.Count(got, []byte("\r\n")) || bytes.Count(got, []byte("\n")) != bytes.Count(got, []byte("\r\n")) {
			t.Fatalf("bare CR or LF in output %q", got)
		}
	})
}

// clientBenchMessage is a 100 KiB message of 76-octet lines with line ends
// eol, every tenth line starting with a dot.
func clientBenchMessage(eol string) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.org" + eol + "To: b@example.org" + eol + "Subject: bench" + eol + eol)
	for i := 0; b.Len() < 100*1024; i++ {
		if i%10 == 0 {
			b.WriteByte('.')
		}
		b.WriteString(strings.Repeat("abcdefghijklmnopqrstuvwxyz", 3)[:76])
		b.WriteString(eol)
	}
	return b.Bytes()
}

func BenchmarkClientDataWriter(b *testing.B) {
	for _, bc := range []struct{ name, eol string }{{"crlf", "\r\n"}, {"lf", "\n"}} {
		msg := clientBenchMessage(bc.eol)
		b.Run(bc.name, func(b *testing.B) {
			c := &Client{bw: bufio.NewWriterSize(io.Discard, 4096)}
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				w := &clientDataWriter{c: c, lineStart: true}
				// Write in 32 KiB pieces, as io.Copy does.
				for p := msg; len(p) > 0; {
					n := min(len(p), 32*1024)
					if err := w.stuff(p[:n]); err != nil {
						b.Fatal(err)
					}
					p = p[n:]
				}
				c.bw.WriteString(w.terminator())
			}
		})
	}
}

func TestClientBenchMessageShape(t *testing.T) {
	msg := clientBenchMessage("\n")
	require.GreaterOrEqual(t, len(msg), 100*1024)
	out := clientStuffChunks(t, [][]byte{msg})
	assert.Equal(t, clientRefStuff(msg), out)
	assert.Contains(t, string(out), "\r\n..abc")
}
