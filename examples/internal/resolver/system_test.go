package resolver

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/ptr"
)

// TestSystemIprevLoopback: with the system resolver, iprev for 127.0.0.1
// passes: the reverse lookup finds "localhost" in the hosts file, and the
// forward lookup of "localhost." (rooted, as iprev asks) is answered from
// the same file. Go's resolver alone sends the rooted name to DNS, and
// iprev failed.
func TestSystemIprevLoopback(t *testing.T) {
	hosts := filepath.Join(t.TempDir(), "hosts")
	require.NoError(t, os.WriteFile(hosts, []byte(`# test hosts
127.0.0.1	localhost loopback.test   # comment
::1		localhost ip6-localhost
192.0.2.7	mail.test
192.0.2.8	only-here.test
not-an-ip	ignored.test
`), 0o600))
	r := &system{Resolver: net.DefaultResolver, hostsFile: hosts}
	ctx := context.Background()

	names, err := r.LookupAddr(ctx, "127.0.0.1")
	require.NoError(t, err)
	require.Equal(t, []string{"localhost.", "loopback.test."}, names)
	for _, tt := range []struct {
		network, host string
		want          []string
	}{
		{"ip", "localhost.", []string{"127.0.0.1", "::1"}},
		{"ip4", "localhost.", []string{"127.0.0.1"}},
		{"ip6", "LocalHost", []string{"::1"}},
		{"ip4", "mail.test.", []string{"192.0.2.7"}},
	} {
		addrs, err := r.LookupNetIP(ctx, tt.network, tt.host)
		require.NoError(t, err, tt.host)
		var got []string
		for _, a := range addrs {
			got = append(got, a.String())
		}
		require.Equal(t, tt.want, got, "%s %s", tt.network, tt.host)
	}
	_, err = r.LookupNetIP(ctx, "ip6", "mail.test.")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	require.True(t, de.IsNotFound, "listed, but not for IPv6")

	for _, ip := range []string{"127.0.0.1", "::1", "192.0.2.7"} {
		v, err := (&ptr.Verifier{Resolver: r}).Verify(ctx, netip.MustParseAddr(ip))
		require.NoError(t, err)
		require.Equal(t, ptr.Pass, v.Result, "iprev for %s: %+v", ip, v)
	}
}

// TestSystemIprevRealHosts is the same with the machine's own hosts file
// and the resolver New("") returns, where it lists 127.0.0.1.
func TestSystemIprevRealHosts(t *testing.T) {
	b, err := os.ReadFile(HostsFile)
	if err != nil || !strings.Contains(string(b), "127.0.0.1") {
		t.Skipf("%s does not list 127.0.0.1", HostsFile)
	}
	r, err := New("")
	require.NoError(t, err)
	v, err := (&ptr.Verifier{Resolver: r}).Verify(context.Background(), netip.MustParseAddr("127.0.0.1"))
	require.NoError(t, err)
	require.Equal(t, ptr.Pass, v.Result, "%+v", v)
}

func TestCheckAddr(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"127.0.0.1:5353", "127.0.0.1:5353"},
		{"[::1]:53", "[::1]:53"},
		{"ns1.example.net:53", "ns1.example.net:53"},
		{"192.0.2.1", "192.0.2.1:53"},
		{"2001:db8::1", "[2001:db8::1]:53"},
		{"fe80::1%eth0", "[fe80::1%eth0]:53"},
	} {
		got, err := CheckAddr(tt.in)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got)
	}
	for _, bad := range []string{"example.net", "127.0.0.1:", "127.0.0.1:dns", "127.0.0.1:0", "127.0.0.1:70000",
		":53", "bad host:53", "-x.example:53", "1.2.3.4.5", "http://127.0.0.1:53",
		"::%]"} { // a zone that cannot stand in brackets (found by FuzzCheckAddr)
		_, err := CheckAddr(bad)
		require.Error(t, err, bad)
	}
}
