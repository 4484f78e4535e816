package receiver

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRecipientsCheck: an address of another domain is relaying (550
// 5.7.1), an unknown user of a domain with Users is 550 5.1.1, and case
// does not matter.
func TestRecipientsCheck(t *testing.T) {
	anyone := Recipients{Domains: []string{"example.com"}}
	listed := Recipients{Domains: []string{"example.com"}, Users: []string{"bob@example.com"}}
	tests := []struct {
		r    Recipients
		rcpt string
		want error
	}{
		{anyone, "whoever@Example.COM", nil},
		{anyone, "bob@example.org", ErrRelayDenied},
		{listed, "Bob@example.com", nil},
		{listed, "alice@example.com", ErrNoSuchUser},
		{listed, "bob@example.org", ErrRelayDenied},
	}
	for _, tt := range tests {
		addr, err := tt.r.Check(tt.rcpt)
		require.Equal(t, tt.want, err, tt.rcpt)
		require.Equal(t, addr, strings.ToLower(tt.rcpt))
	}
}
