package tlsrpt_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

type txtZone map[string][]string

func (z txtZone) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := z[name]; ok {
		return v, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

type refusedResolver struct{}

func (refusedResolver) LookupTXT(context.Context, string) ([]string, error) {
	return nil, &net.DNSError{Err: "server refused", Name: "x"}
}

func TestLookup(t *testing.T) {
	ctx := context.Background()
	z := txtZone{"_smtp._tls.xn--bcher-kva.example.": {"v=TLSRPTv1; rua=mailto:r@example.com"}}
	r, err := tlsrpt.Lookup(ctx, z, "Bücher.example.")
	require.NoError(t, err)
	assert.Equal(t, []string{"mailto:r@example.com"}, r.RUA)

	_, err = tlsrpt.Lookup(ctx, refusedResolver{}, "example.com")
	require.ErrorIs(t, err, tlsrpt.ErrTemporary)
	var de *net.DNSError
	require.True(t, errors.As(err, &de))
	assert.True(t, de.IsTemporary)

	_, err = tlsrpt.Lookup(ctx, z, "example.com")
	assert.ErrorIs(t, err, tlsrpt.ErrNoRecord)
	_, err = tlsrpt.Lookup(ctx, z, "a..example")
	assert.ErrorIs(t, err, tlsrpt.ErrInvalidDomain)
}

func TestDestinations(t *testing.T) {
	r, err := tlsrpt.ParseRecord("v=TLSRPTv1; rua=mailto:tls%2Brpt@example.com?subject=x,https://r.example/v1,ftp://x.example/")
	require.NoError(t, err)
	mailto, https := r.Destinations()
	assert.Equal(t, []string{"tls+rpt@example.com"}, mailto)
	assert.Equal(t, []string{"https://r.example/v1"}, https)
}
