package tlsrpt_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

func TestParseRecordTable(t *testing.T) {
	tests := []struct {
		txt string
		rua []string // nil: an error
	}{
		{"v=TLSRPTv1; rua=mailto:reports@example.com", []string{"mailto:reports@example.com"}},
		{"v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt", []string{"https://reporting.example.com/v1/tlsrpt"}},
		{"v=TLSRPTv1; rua=mailto:a@example.com,mailto:b@example.com;", []string{"mailto:a@example.com", "mailto:b@example.com"}},
		{"v=TLSRPTv1; rua=mailto:a@example.com%21x", []string{"mailto:a@example.com%21x"}},
		{"v=TLSRPTv1 ;\trua=mailto:a@example.com \t", []string{"mailto:a@example.com"}},
		{"v=TLSRPTv1; rua=mailto:a!b@example.com", nil}, // "!" must be encoded (§3)
		{"V=TLSRPTv1; rua=mailto:a@example.com", nil},
		{"v=TLSRPTv1; RUA=mailto:a@example.com", nil}, // RUA is an extension; rua missing
		{"v=TLSRPTv1; rua=mailto:a@example.com; x=", nil},
		{"v=TLSRPTv1; rua=mailto:a@example.com,", nil},
		{"v=TLSRPTv1 rua=mailto:a@example.com", nil},
		{"", nil},
	}
	for _, tt := range tests {
		r, err := tlsrpt.ParseRecord(tt.txt)
		if tt.rua == nil {
			assert.ErrorIs(t, err, tlsrpt.ErrRecordSyntax, "%q", tt.txt)
			continue
		}
		if assert.NoError(t, err, "%q", tt.txt) {
			assert.Equal(t, tt.rua, r.RUA, "%q", tt.txt)
		}
	}
}

func TestLookup(t *testing.T) {
	ctx := context.Background()
	z := &dnstest.Answers{
		TXT: map[string][]string{
			"_smtp._tls.xn--bcher-kva.example.": {"v=TLSRPTv1; rua=mailto:r@example.com"},
			// Records that do not begin with "v=TLSRPTv1;" are discarded
			// (RFC 8460 §3), the bare version too.
			"_smtp._tls.bare.example.": {"v=TLSRPTv1", "v=TLSRPTv1 ; rua=mailto:b@example.com", "v=TLSRPTv10; rua=mailto:c@example.com"},
			"_smtp._tls.two.example.":  {"v=TLSRPTv1; rua=mailto:b@example.com", "v=TLSRPTv1; rua=mailto:c@example.com"},
		},
		TXTErr: map[string]error{"_smtp._tls.refused.example.": &net.DNSError{Err: "server refused", Name: "x"}},
	}
	r, err := tlsrpt.Lookup(ctx, z, "Bücher.example.")
	require.NoError(t, err)
	assert.Equal(t, []string{"mailto:r@example.com"}, r.RUA)
	r, err = tlsrpt.Lookup(ctx, z, "bare.example")
	require.NoError(t, err)
	assert.Equal(t, []string{"mailto:b@example.com"}, r.RUA)

	_, err = tlsrpt.Lookup(ctx, z, "refused.example")
	require.ErrorIs(t, err, tlsrpt.ErrTemporary)
	var de *net.DNSError
	require.True(t, errors.As(err, &de))
	assert.True(t, de.IsTemporary)
	assert.Equal(t, 1, strings.Count(err.Error(), "tlsrpt: "), err.Error())

	_, err = tlsrpt.Lookup(ctx, z, "example.com")
	assert.ErrorIs(t, err, tlsrpt.ErrNoRecord)
	_, err = tlsrpt.Lookup(ctx, z, "two.example")
	assert.ErrorIs(t, err, tlsrpt.ErrNoRecord)
	assert.ErrorIs(t, err, tlsrpt.ErrMultipleRecords)
	for _, bad := range []string{"a..example", "a b.example", "a!b.example", "[192.0.2.1]"} {
		_, err = tlsrpt.Lookup(ctx, z, bad)
		assert.ErrorIs(t, err, tlsrpt.ErrInvalidDomain, bad)
		assert.True(t, strings.HasPrefix(err.Error(), "tlsrpt: invalid domain name: "), err.Error())
		assert.Equal(t, 1, strings.Count(err.Error(), "invalid domain name"), err.Error())
	}
}

func TestDestinations(t *testing.T) {
	r, err := tlsrpt.ParseRecord("v=TLSRPTv1; rua=mailto:tls%2Brpt@example.com?subject=x,https://r.example/v1,ftp://x.example/")
	require.NoError(t, err)
	mailto, https := r.Destinations()
	assert.Equal(t, []string{"tls+rpt@example.com"}, mailto)
	assert.Equal(t, []string{"https://r.example/v1"}, https)
}
