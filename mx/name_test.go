package mx

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"example.org", "example.org"},
		{"Example.ORG.", "example.org"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"BÜCHER.example", "xn--bcher-kva.example"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"例え。テスト", "xn--r8jz45g.xn--zckzah"},
		{"ＥＸＡＭＰＬＥ．ｏｒｇ", "example.org"},
		{"_dmarc.example.org", "_dmarc.example.org"},
		{"_x.bücher.example", "_x.xn--bcher-kva.example"},
		{"localhost", "localhost"},
		{"a-b.c_d.example", "a-b.c_d.example"},
		{"123.example", "123.example"},
		{strings.Repeat("a", 63) + ".example", strings.Repeat("a", 63) + ".example"},
	}
	for _, tc := range tests {
		got, err := NormalizeDomain(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"", ".", "..", ".example", "a..b", "-a.example", "a-.example", "a b", "a\x00b",
		"192.0.2.1", "example.123", "[192.0.2.1]", "[IPv6:2001:db8::1]", "a@b", strings.Repeat("a", 64) + ".example",
		"xn--a.例", "\u200d.example", "a/b.example"} {
		_, err := NormalizeDomain(bad)
		assert.ErrorIs(t, err, ErrInvalidDomain, "%q", bad)
	}
}

func TestClassifyTarget(t *testing.T) {
	tests := []struct {
		in, want string
		why      error
	}{
		{"mx.example.org.", "mx.example.org", nil},
		{"MX.Example.ORG", "mx.example.org", nil},
		{"mx.bücher.example.", "mx.xn--bcher-kva.example", nil},
		{"_mx.example.", "_mx.example", nil},
		{".", "", ErrNullTarget},
		{"", "", ErrNullTarget},
		{"192.0.2.1.", "", ErrIPLiteral},
		{"192.0.2.1", "", ErrIPLiteral},
		{"2001:db8::1", "", ErrIPLiteral},
		{"[2001:db8::1]", "", ErrIPLiteral},
		{"::ffff:192.0.2.1", "", ErrIPLiteral},
		{"1.2.3.4.5.", "", ErrInvalidTarget},
		{"bad name.example.", "", ErrInvalidTarget},
		{"a..b.", "", ErrInvalidTarget},
		{"-a.example.", "", ErrInvalidTarget},
		{"a!b.example.", "", ErrInvalidTarget},
		{strings.Repeat("a.", 130), "", ErrInvalidTarget},
	}
	for _, tc := range tests {
		got, why := classifyTarget(tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.ErrorIs(t, why, tc.why, tc.in)
		if tc.why == nil {
			assert.NoError(t, why, tc.in)
		}
	}
}
