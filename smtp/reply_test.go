package smtp

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func replyReaderFor(s string) *bufio.Reader {
	return bufio.NewReaderSize(strings.NewReader(s), replyMaxLineLength)
}

func TestReplyReadReply(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		code    int
		lines   []string
		wantErr error
	}{
		{"single", "250 OK\r\n", 250, []string{"OK"}, nil},
		{"code only", "250\r\n", 250, []string{""}, nil},
		{"empty text", "250 \r\n", 250, []string{""}, nil},
		{"bare LF", "220 mx ready\n", 220, []string{"mx ready"}, nil},
		{"multi", "250-mx.example.org\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", 250,
			[]string{"mx.example.org", "PIPELINING", "SIZE 1000"}, nil},
		{"smtp-sink ending", "250-smtp-sink\r\n250-PIPELINING\r\n250 \r\n", 250,
			[]string{"smtp-sink", "PIPELINING", ""}, nil},
		{"continuation without text", "550-\r\n550 no\r\n", 550, []string{"", "no"}, nil},
		{"control chars replaced", "550 a\x1b[31mb\r\n", 550, []string{"a?[31mb"}, nil},
		{"tab kept", "550 a\tb\r\n", 550, []string{"a\tb"}, nil},
		{"short", "25\r\n", 0, nil, ErrReplyMalformed},
		{"letters", "abc def\r\n", 0, nil, ErrReplyMalformed},
		{"code 100", "100 x\r\n", 0, nil, ErrReplyMalformed},
		{"code 600", "600 x\r\n", 0, nil, ErrReplyMalformed},
		{"second digit 6", "260 x\r\n", 0, nil, ErrReplyMalformed},
		{"bad separator", "250x\r\n", 0, nil, ErrReplyMalformed},
		{"code changes", "250-a\r\n251 b\r\n", 0, nil, ErrReplyMalformed},
		{"eof before reply", "", 0, nil, io.EOF},
		{"eof in line", "250 OK", 0, nil, io.ErrUnexpectedEOF},
		{"eof after continuation", "250-a\r\n", 0, nil, io.ErrUnexpectedEOF},
		{"line too long", "250 " + strings.Repeat("x", replyMaxLineLength) + "\r\n", 0, nil, ErrReplyTooLong},
		{"too many lines", strings.Repeat("250-x\r\n", replyMaxLines+1) + "250 x\r\n", 0, nil, ErrReplyTooLong},
		{"too many bytes", strings.Repeat("250-"+strings.Repeat("y", 1000)+"\r\n", 70) + "250 x\r\n", 0, nil, ErrReplyTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := replyReadReply(replyReaderFor(tt.in))
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.code, r.code)
			assert.Equal(t, tt.lines, r.lines)
		})
	}
}

func TestReplyReadSequence(t *testing.T) {
	br := replyReaderFor("220 hi\r\n250-a\r\n250 b\r\n354 go\r\n")
	var codes []int
	for {
		r, err := replyReadReply(br)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		codes = append(codes, r.code)
	}
	assert.Equal(t, []int{220, 250, 354}, codes)
}

func TestReplyParseEnhanced(t *testing.T) {
	tests := []struct {
		in   string
		ec   [3]int
		rest string
		ok   bool
	}{
		{"5.1.1 no such user", [3]int{5, 1, 1}, "no such user", true},
		{"2.0.0 Ok", [3]int{2, 0, 0}, "Ok", true},
		{"4.7.0", [3]int{4, 7, 0}, "", true},
		{"5.123.456 x", [3]int{5, 123, 456}, "x", true},
		{"5.1234.1 x", [3]int{}, "5.1234.1 x", false},
		{"5.1.1234 x", [3]int{}, "5.1.1234 x", false},
		{"3.1.1 x", [3]int{}, "3.1.1 x", false},
		{"5.1 x", [3]int{}, "5.1 x", false},
		{"5..1 x", [3]int{}, "5..1 x", false},
		{"5.1.1x", [3]int{}, "5.1.1x", false},
		{"no code", [3]int{}, "no code", false},
		{"", [3]int{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ec, rest, ok := replyParseEnhanced(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.ec, ec)
			assert.Equal(t, tt.rest, rest)
		})
	}
}

func TestReplyErr(t *testing.T) {
	tests := []struct {
		name     string
		r        reply
		enhanced bool
		want     Error
	}{
		{"enhanced advertised", reply{550, []string{"5.1.1 no such user"}}, true,
			Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such user"}},
		{"multi-line stripped", reply{554, []string{"5.7.1 refused", "5.7.1 see https://example.org"}}, true,
			Error{Code: 554, EnhancedCode: [3]int{5, 7, 1}, Message: "refused\nsee https://example.org"}},
		{"failure with matching class, not advertised", reply{451, []string{"4.3.0 try later"}}, false,
			Error{Code: 451, EnhancedCode: [3]int{4, 3, 0}, Message: "try later"}},
		{"class mismatch, not advertised", reply{550, []string{"4.3.0 odd"}}, false,
			Error{Code: 550, Message: "4.3.0 odd"}},
		{"success reply not advertised", reply{250, []string{"2.0.0 ok"}}, false,
			Error{Code: 250, Message: "2.0.0 ok"}},
		{"no code", reply{421, []string{"closing"}}, true,
			Error{Code: 421, Message: "closing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, *tt.r.err(tt.enhanced))
		})
	}
}

func TestReplyString(t *testing.T) {
	assert.Equal(t, "250-a\r\n250 b\r\n", reply{250, []string{"a", "b"}}.String())
	assert.Equal(t, "250\r\n", reply{code: 250}.String())
}

// FuzzReplyRead feeds arbitrary server output to the reply parser: it must
// never panic, must respect its limits, and every reply it accepts must
// read back the same after formatting.
func FuzzReplyRead(f *testing.F) {
	for _, s := range []string{
		"220 mx.example.org ESMTP\r\n",
		"250-mx\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 \r\n",
		"550 5.1.1 <x@y>: no such user\r\n",
		"354 go\n",
		"250-a\r\n251 b\r\n",
		"250",
		"421-\r\n421 4.3.2 bye\r\n",
		"550 \x00\x1b\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReaderSize(strings.NewReader(string(data)), replyMaxLineLength)
		for range 64 {
			r, err := replyReadReply(br)
			if err != nil {
				return
			}
			if r.code < 200 || r.code > 559 || len(r.lines) == 0 || len(r.lines) > replyMaxLines {
				t.Fatalf("accepted reply out of bounds: %d, %d lines", r.code, len(r.lines))
			}
			for _, l := range r.lines {
				if strings.ContainsAny(l, "\r\n\x00") {
					t.Fatalf("line contains control characters: %q", l)
				}
			}
			again, err := replyReadReply(replyReaderFor(r.String()))
			if err != nil {
				t.Fatalf("re-reading %q: %v", r.String(), err)
			}
			if again.code != r.code || strings.Join(again.lines, "\n") != strings.Join(r.lines, "\n") {
				t.Fatalf("round trip changed the reply: %v -> %v", r, again)
			}
			e := r.err(true)
			if e.Code != r.code || e.Error() == "" {
				t.Fatalf("bad error for %v", r)
			}
		}
	})
}

func BenchmarkReplyRead(b *testing.B) {
	const ehlo = "250-mx.example.org Hello client.example.org [192.0.2.1]\r\n" +
		"250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n" +
		"250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250 CHUNKING\r\n"
	for _, bc := range []struct{ name, in string }{
		{"single", "250 2.1.5 Ok\r\n"},
		{"ehlo", ehlo},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sr := strings.NewReader(bc.in)
			br := bufio.NewReaderSize(sr, replyMaxLineLength)
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				sr.Reset(bc.in)
				br.Reset(sr)
				if _, err := replyReadReply(br); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
