package mx

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noDNS fails the test on any lookup: an address literal needs none.
type noDNS struct{ t *testing.T }

func (n noDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	n.t.Errorf("LookupMX(%q) called for an address literal", name)
	return nil, dnstest.NotFoundError(name)
}

func (n noDNS) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	n.t.Errorf("LookupNetIP(%q, %q) called for an address literal", network, host)
	return nil, dnstest.NotFoundError(host)
}

func TestLiteralIsItsOwnRoute(t *testing.T) {
	tests := []struct {
		in, name, addr string
	}{
		{"[192.0.2.5]", "[192.0.2.5]", "192.0.2.5"},
		{"[0.0.0.0]", "[0.0.0.0]", "0.0.0.0"},
		{"[255.255.255.255]", "[255.255.255.255]", "255.255.255.255"},
		{"[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]", "2001:db8::1"},
		// RFC 5234 §2.3: the quoted tag is case-insensitive.
		{"[ipv6:2001:DB8:0:0:0:0:0:1]", "[IPv6:2001:db8::1]", "2001:db8::1"},
		{"[IPV6:::1]", "[IPv6:::1]", "::1"},
		// IPv6v4-full and IPv6v4-comp.
		{"[IPv6:2001:db8:0:0:0:0:192.0.2.1]", "[IPv6:2001:db8::c000:201]", "2001:db8::c000:201"},
		{"[IPv6:::ffff:192.0.2.1]", "[192.0.2.1]", "192.0.2.1"},
	}
	for _, tc := range tests {
		for _, resolve := range []bool{false, true} {
			r := Router{Resolver: noDNS{t}, ResolveAddrs: resolve}
			rt, err := r.Route(context.Background(), tc.in)
			require.NoError(t, err, "%s resolve=%v", tc.in, resolve)
			assert.Equal(t, tc.name, rt.Domain, tc.in)
			want := Host{Name: tc.name, Addrs: []netip.Addr{netip.MustParseAddr(tc.addr)}, Literal: true}
			assert.Equal(t, []Host{want}, rt.Hosts, "%s resolve=%v", tc.in, resolve)
			assert.Empty(t, rt.Skipped)
		}
	}
	// The package-level Lookup too (it would use the system resolver, but
	// never gets that far).
	hosts, err := Lookup(context.Background(), "[192.0.2.7]")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	assert.True(t, hosts[0].Literal)
	assert.False(t, hosts[0].Implicit)
}

func TestLiteralInvalid(t *testing.T) {
	tests := []struct {
		in, why string // why: part of the error message
	}{
		{"[IPv6:1.2.3.4]", "is an IPv4 address"},
		{"[IPv6:::ffff:1.2.3.4.5]", "is not an IPv6 address"},
		{"[300.1.1.1]", "300"},
		{"[192.0.2.256]", "256"},
		{"[192.0.2.5", "closing ']'"},
		{"[192.0.2.5].", "closing ']'"},
		{"[", "closing ']'"},
		{"[]", "not four"},
		{"[tag:content]", `general address literal with tag "tag"`},
		{"[x-mailsmith:192.0.2.5]", "general address literal"},
		{"[2001:db8::1]", `needs the "IPv6:" tag`},
		{"[IPv6:]", "is not an IPv6 address"},
		{"[IPv6:fe80::1%eth0]", "zones are not allowed"},
		{"[IPv6:2001:db8::g]", "is not an IPv6 address"},
		{"[010.0.0.1]", "leading zero"},
		{"[1.2.3]", "not four"},
		{"[1.2.3.4.5]", "not four"},
		{"[1..3.4]", "one to three digits"},
		{"[1.2.3.0004]", "one to three digits"},
		{"[ 1.2.3.4]", "not a digit"},
		{"[1.2.3.4 ]", "not a digit"},
		{"[[192.0.2.5]]", "stray bracket"},
		{"[192.0.2.5]]", "stray bracket"},
		{"[" + strings.Repeat("1", 100) + "]", "more than 64"},
	}
	for _, tc := range tests {
		_, err := (&Router{Resolver: noDNS{t}, ResolveAddrs: true}).Route(context.Background(), tc.in)
		require.ErrorIs(t, err, ErrInvalidDomain, tc.in)
		assert.Contains(t, err.Error(), tc.why, tc.in)
		assert.True(t, strings.HasPrefix(err.Error(), "mx: "), err.Error())
	}
}

func TestLiteralSelf(t *testing.T) {
	for _, self := range []string{"192.0.2.5", "[192.0.2.5]", "[IPv6:::ffff:192.0.2.5]"} {
		_, err := (&Router{Resolver: noDNS{t}, Self: []string{"mx.example.net", self}}).Lookup(context.Background(), "[192.0.2.5]")
		assert.ErrorIs(t, err, ErrSelfIsBest, self)
	}
	hosts, err := (&Router{Resolver: noDNS{t}, Self: []string{"192.0.2.6"}}).Lookup(context.Background(), "[192.0.2.5]")
	require.NoError(t, err)
	assert.Len(t, hosts, 1)
}

// An over-long literal is refused by its length, before any parsing: the
// work does not grow with the input.
func TestLiteralLongInputBounded(t *testing.T) {
	r := Router{Resolver: noDNS{t}}
	ctx := context.Background()
	for _, n := range []int{100, 1 << 20} {
		in := "[" + strings.Repeat("1.", n) + "1]"
		allocs := testing.AllocsPerRun(10, func() {
			if _, err := r.Route(ctx, in); err == nil {
				t.Fatal("accepted")
			}
		})
		assert.LessOrEqual(t, allocs, 6.0, "input of %d bytes", len(in))
	}
}
