package smtp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestServerParsePath(t *testing.T) {
	tests := []struct {
		in       string
		null, pm bool
		addr     string
		rest     string
		nonASCII bool
		err      error
	}{
		{in: "<a@b.example>", addr: "a@b.example"},
		{in: "<a@b.example> SIZE=1", addr: "a@b.example", rest: " SIZE=1"},
		{in: "<>", null: true, addr: ""},
		{in: "<>", err: errPathSyntax},
		{in: "<postmaster>", pm: true, addr: "postmaster"},
		{in: "<POSTMASTER>", pm: true, addr: "POSTMASTER"},
		{in: "<postmaster>", err: errPathSyntax},
		{in: "<@a.example,@b.example:u@c.example>", addr: "u@c.example"},
		{in: "<@a.example:u@c.example>", addr: "u@c.example"},
		{in: "<@:u@c.example>", err: errPathSyntax},
		{in: "<\"a b\"@c.example>", addr: "\"a b\"@c.example"},
		{in: "<\"a\\\"b\"@c.example>", addr: "\"a\\\"b\"@c.example"},
		{in: "<\"a\rb\"@c.example>", err: errPathSyntax},
		{in: "<a.b.c@d.example>", addr: "a.b.c@d.example"},
		{in: "<.a@d.example>", err: errPathSyntax},
		{in: "<a.@d.example>", err: errPathSyntax},
		{in: "<a b@d.example>", err: errPathSyntax},
		{in: "<a@d.example.>", err: errPathSyntax},
		{in: "<a@d..example>", err: errPathSyntax},
		{in: "<a@d_x.example>", err: errPathSyntax},
		{in: "<a@" + strings.Repeat("x", 64) + ".example>", err: errPathSyntax},
		{in: "<" + strings.Repeat("x", 64) + "@d.example>", addr: strings.Repeat("x", 64) + "@d.example"},
		{in: "<" + strings.Repeat("x", 65) + "@d.example>", err: errPathTooLong},
		{in: "<a@" + strings.Repeat("abcdefgh.", 28) + "example>", err: errPathTooLong},
		{in: "<a@[192.0.2.1]>", addr: "a@[192.0.2.1]"},
		{in: "<a@[IPv6:2001:db8::1]>", addr: "a@[IPv6:2001:db8::1]"},
		{in: "<a@[IPv6:192.0.2.1]>", err: errPathSyntax},
		{in: "<a@[x-tag:stuff]>", addr: "a@[x-tag:stuff]"},
		{in: "<a@[1.2.3]>", err: errPathSyntax},
		{in: "<ü@bücher.example>", addr: "ü@bücher.example", nonASCII: true},
		{in: "<a@b\xff.example>", err: errPathSyntax},
		{in: "<\"jö ran\"@b.example>", addr: "\"jö ran\"@b.example", nonASCII: true},
		{in: "<j\xc3@b.example>", err: errPathSyntax},                              // truncated UTF-8 in a Dot-string
		{in: "<\"j\xc3\"@b.example>", err: errPathSyntax},                          // and in a Quoted-string
		{in: "<a\xef\xbf\xbdb@b.example>", err: errPathSyntax},                     // U+FFFD, as invalid input decodes
		{in: "<" + strings.Repeat("\xc3", 65) + "@d.example>", err: errPathSyntax}, // invalid before too long
		{in: "a@b.example", err: errPathSyntax},
		{in: "<a@b.example", err: errPathSyntax},
		{in: "<a@b.example>>", addr: "a@b.example", rest: ">"},
		{in: "<a\x00@b.example>", err: errPathSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, rest, err := parsePath([]byte(tc.in), tc.null, tc.pm)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
				return
			}
			if assert.NoError(t, err) {
				assert.Equal(t, tc.addr, p.Addr)
				assert.Equal(t, tc.rest, string(rest))
				assert.Equal(t, tc.nonASCII, p.NonASCII)
			}
		})
	}
}

func TestServerParseParams(t *testing.T) {
	tests := []struct {
		in   string
		want []srvParam
		ok   bool
	}{
		{"", nil, true},
		{" SIZE=10", []srvParam{{Key: "SIZE", Value: "10", Has: true}}, true},
		{" size=10  body=8bitmime", []srvParam{{Key: "SIZE", Value: "10", Has: true}, {Key: "BODY", Value: "8bitmime", Has: true}}, true},
		{" SMTPUTF8", []srvParam{{Key: "SMTPUTF8"}}, true},
		{"SIZE=10", nil, false},
		{" SIZE=", nil, false},
		{" =x", nil, false},
		{" -X=1", nil, false},
		{" X=a=b", nil, false},
		{" X=a\x01", nil, false},
		{strings.Repeat(" A", srvMaxParams+1), nil, false},
	}
	for _, tc := range tests {
		got, err := parseParams([]byte(tc.in))
		if !tc.ok {
			assert.Error(t, err, "%q", tc.in)
			continue
		}
		assert.NoError(t, err, "%q", tc.in)
		assert.Equal(t, tc.want, got, "%q", tc.in)
	}
}

func TestServerSmallParsers(t *testing.T) {
	for in, want := range map[string]string{"a+2Bb": "a+b", "+3D": "=", "plain": "plain"} {
		got, ok := decodeXtext(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"+", "+2", "+zz", "+2b", "a=b", "a b"} {
		_, ok := decodeXtext(bad)
		assert.False(t, ok, bad)
	}
	for in, want := range map[string][2]int64{"10": {10, 0}, "0 LAST": {0, 1}, "5 last": {5, 1}} {
		n, last, ok := parseBDAT([]byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, [2]int64{n, map[bool]int64{true: 1}[last]})
	}
	for _, bad := range []string{"", "-1", "x", "1 FIRST", "1  LAST", "1234567890123456789"} {
		_, _, ok := parseBDAT([]byte(bad))
		assert.False(t, ok, bad)
	}
	for in, want := range map[string]int64{"0": 0, "123": 123} {
		n, ok := parseSize(in)
		assert.True(t, ok)
		assert.Equal(t, want, n)
	}
	for _, bad := range []string{"", "-1", "1e5", "123456789012345678901"} {
		_, ok := parseSize(bad)
		assert.False(t, ok, bad)
	}
	for _, good := range []string{"a.example", "localhost", "[192.0.2.1]", "[IPv6:::1]", "my_host.example"} {
		assert.True(t, validHelo([]byte(good)), good)
	}
	for _, bad := range []string{"", "a b", "-a.example", "[1.2.3.4", "a..b", "ü.example", "a\x00"} {
		assert.False(t, validHelo([]byte(bad)), bad)
	}
	verb, arg := splitCommand([]byte("mail FROM:<a@b>  \t"))
	assert.Equal(t, "MAIL", verb)
	assert.Equal(t, "FROM:<a@b>", string(arg))
	verb, _ = splitCommand([]byte("STARTTLSX"))
	assert.Equal(t, "?", verb)
}
