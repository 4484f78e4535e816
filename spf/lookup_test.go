package spf

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLookup: record selection as check_host() does it (RFC 7208 §4.4,
// §4.5), the same outcomes as Check.
func TestLookup(t *testing.T) {
	z := mkZone(t,
		"ok.example TXT v=spf1 ip4:192.0.2.0/24 -all",
		"ok.example TXT v=spf10 other",
		"bad.example TXT v=spf1 ip4:192.0.2.0/33 -all",
		"two.example TXT v=spf1 -all",
		"two.example TXT V=SPF1 +all",
		"other.example TXT hello",
		"upper.example TXT V=spf1 -all",
	)
	c := &Checker{Resolver: z}
	tests := []struct {
		domain string
		text   string
		err    error
		result Result // what Check gives for the same domain
	}{
		{"ok.example", "v=spf1 ip4:192.0.2.0/24 -all", nil, Fail},
		{"OK.example.", "v=spf1 ip4:192.0.2.0/24 -all", nil, Fail},
		{"upper.example", "V=spf1 -all", nil, Fail},
		{"bad.example", "v=spf1 ip4:192.0.2.0/33 -all", ErrSyntax, PermError},
		{"two.example", "", ErrMultipleRecords, PermError},
		{"other.example", "", nil, None},
		{"missing.example", "", nil, None},
		{"nodots", "", nil, None},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			rec, text, err := c.Lookup(ctx, tt.domain)
			assert.Equal(t, tt.text, text)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Nil(t, rec)
			} else {
				require.NoError(t, err)
				assert.Equal(t, text != "", rec != nil)
			}
			v, _ := c.Check(ctx, netip.MustParseAddr("198.51.100.1"), "h.example", "u@"+tt.domain)
			assert.Equal(t, tt.result, v.Result)
		})
	}
}
