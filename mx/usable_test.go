package mx

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// usableZone has MX hosts with and without addresses. Names outside the
// zone (gone.invalid.) answer NXDOMAIN, names with other records NODATA.
const usableZone = `
$ORIGIN example.org.
@        300 IN SOA ns1 hostmaster 1 3600 600 86400 300
nxonly       IN MX  10 gone1
nxonly       IN MX  20 gone2.invalid.
nodata       IN MX  10 txtonly
nodata       IN MX  20 gone1
onegood      IN MX  10 gone1
onegood      IN MX  20 mx1
v6only       IN MX  10 mx6
flaky        IN MX  10 gone1
flaky        IN MX  20 flakyhost
flaky        IN MX  30 txtonly
halfflaky    IN MX  10 flakyv6
mx1          IN A    192.0.2.1
mx6          IN AAAA 2001:db8::6
txtonly      IN TXT  "no address here"
flakyhost    IN A    192.0.2.9
flakyv6      IN TXT  "no A; its AAAA query fails"
`

func TestWireNoUsableMX(t *testing.T) {
	srv := dnstest.New(t, usableZone)
	r := Router{Resolver: optIn(srv), ResolveAddrs: true}

	for _, domain := range []string{"nxonly.example.org", "nodata.example.org"} {
		rt, err := r.Route(wireCtx(t), domain)
		require.ErrorIs(t, err, ErrNoUsableMX, domain)
		assert.ErrorIs(t, err, ErrNoAddresses, "%s: the per-host detail is wrapped", domain)
		assert.False(t, errors.Is(err, ErrTemporary), "%s: %v", domain, err)
		assert.Empty(t, rt.Hosts, domain)
		assert.Equal(t, domain, rt.Domain)
		msg := err.Error()
		assert.NotContains(t, msg, "\n")
		assert.Contains(t, msg, "gone1.example.org: no A or AAAA record", msg)
	}

	// One host with an address is enough; the other keeps its reason.
	hosts, err := r.Lookup(wireCtx(t), "onegood.example.org")
	require.NoError(t, err)
	require.Len(t, hosts, 2)
	assert.ErrorIs(t, hosts[0].Err, ErrNoAddresses)
	assert.Equal(t, dnstest.Addrs("192.0.2.1"), hosts[1].Addrs)
	hosts, err = r.Lookup(wireCtx(t), "v6only.example.org")
	require.NoError(t, err, "an AAAA record is an address")
	assert.Equal(t, dnstest.Addrs("2001:db8::6"), hosts[0].Addrs)

	// Without address resolution nothing is known about addresses.
	hosts, err = (&Router{Resolver: optIn(srv)}).Lookup(wireCtx(t), "nxonly.example.org")
	require.NoError(t, err)
	assert.Len(t, hosts, 2)
}

// A temporary failure on any host keeps the outcome temporary: that host
// may have an address.
func TestWireNoAddressYetIsTemporary(t *testing.T) {
	for _, tc := range []struct {
		domain, name string
		qtype        uint16
		fault        dnstest.Fault
	}{
		{"flaky.example.org", "flakyhost.example.org.", dns.TypeA, dnstest.ServFail},
		{"flaky.example.org", "flakyhost.example.org.", dns.TypeA, dnstest.Refused},
		{"halfflaky.example.org", "flakyv6.example.org.", dns.TypeAAAA, dnstest.ServFail},
	} {
		t.Run(tc.domain+" "+tc.fault.String(), func(t *testing.T) {
			srv := dnstest.New(t, usableZone)
			srv.Fault(tc.name, tc.qtype, tc.fault)
			rt, err := (&Router{Resolver: optIn(srv), ResolveAddrs: true}).Route(wireCtx(t), tc.domain)
			require.ErrorIs(t, err, ErrTemporary)
			assert.False(t, errors.Is(err, ErrNoUsableMX), "%v", err)
			var de *net.DNSError
			require.ErrorAs(t, err, &de)
			assert.True(t, de.IsTemporary, "%+v", de)
			assert.Empty(t, rt.Hosts)
			assert.NotContains(t, err.Error(), "\n")
			assert.Contains(t, err.Error(), strings.TrimSuffix(tc.name, "."))

			// With the fault gone: the host has its address, or none is
			// usable.
			srv.ClearFaults()
			rt, err = (&Router{Resolver: optIn(srv), ResolveAddrs: true}).Route(wireCtx(t), tc.domain)
			if tc.qtype == dns.TypeA {
				require.NoError(t, err)
				assert.NotEmpty(t, rt.Hosts)
			} else {
				require.ErrorIs(t, err, ErrNoUsableMX)
			}
		})
	}
}
