package ptr

import (
	"net/netip"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
)

func TestReverseName(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"1.2.3.4", "4.3.2.1.in-addr.arpa."},
		{"192.0.2.1", "1.2.0.192.in-addr.arpa."},
		{"0.0.0.0", "0.0.0.0.in-addr.arpa."},
		{"255.255.255.255", "255.255.255.255.in-addr.arpa."},
		{"10.100.9.200", "200.9.100.10.in-addr.arpa."},
		{"::ffff:192.0.2.1", "1.2.0.192.in-addr.arpa."},
		{"2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."},
		{"2001:DB8:ABCD:12::F00", "0.0.f.0.0.0.0.0.0.0.0.0.0.0.0.0.2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa."},
		{"fe80::1%eth0", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa."},
		{"::", "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa."},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ReverseName(netip.MustParseAddr(tc.ip)), tc.ip)
	}
	assert.Equal(t, "", ReverseName(netip.Addr{}))
}

// TestReverseNameMatchesMiekg compares with an independent implementation.
func TestReverseNameMatchesMiekg(t *testing.T) {
	for _, s := range []string{"1.2.3.4", "203.0.113.255", "2001:db8::1", "2001:db8:1:2:3:4:5:6", "::1"} {
		want, err := dns.ReverseAddr(s)
		assert.NoError(t, err)
		assert.Equal(t, want, ReverseName(netip.MustParseAddr(s)), s)
	}
}
