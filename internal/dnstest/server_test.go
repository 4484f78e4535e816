package dnstest

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const zoneOrg = `
$ORIGIN example.org.
@        300 IN SOA ns1 hostmaster 1 3600 600 86400 300
@            IN MX  10 mx1
@            IN MX  20 mx2
@            IN TXT "v=spf1 -all"
mx1          IN A    192.0.2.1
mx1          IN AAAA 2001:db8::1
mx2          IN A    192.0.2.2
alias        IN CNAME mx1
a.b.deep     IN A    192.0.2.3
*.wild       IN TXT  "wildcard"
`

const zoneNet = `
$ORIGIN example.net.
@ IN A 198.51.100.7
1.2.0.192.in-addr.arpa. IN PTR mx1.example.org.
`

func lookupCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dnsErr(t *testing.T, err error) *net.DNSError {
	t.Helper()
	var de *net.DNSError
	require.True(t, errors.As(err, &de), "want *net.DNSError, got %T %v", err, err)
	return de
}

func TestAnswers(t *testing.T) {
	srv := New(t, zoneOrg, zoneNet)
	r := srv.Resolver()
	ctx := lookupCtx(t)

	mxs, err := r.LookupMX(ctx, "example.org.")
	require.NoError(t, err)
	require.Len(t, mxs, 2)
	assert.Equal(t, "mx1.example.org.", mxs[0].Host)
	assert.Equal(t, uint16(10), mxs[0].Pref)

	ips, err := r.LookupNetIP(ctx, "ip6", "mx1.example.org.")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("2001:db8::1")}, ips)

	txt, err := r.LookupTXT(ctx, "EXAMPLE.ORG.")
	require.NoError(t, err, "names are case-insensitive")
	assert.Equal(t, []string{"v=spf1 -all"}, txt)

	ips, err = r.LookupNetIP(ctx, "ip4", "alias.example.org.")
	require.NoError(t, err, "CNAME is followed")
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("192.0.2.1")}, ips)

	txt, err = r.LookupTXT(ctx, "anything.wild.example.org.")
	require.NoError(t, err, "wildcard")
	assert.Equal(t, []string{"wildcard"}, txt)

	ips, err = r.LookupNetIP(ctx, "ip4", "example.net.")
	require.NoError(t, err, "second zone")
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("198.51.100.7")}, ips)

	names, err := r.LookupAddr(ctx, "192.0.2.1")
	require.NoError(t, err, "PTR")
	assert.Equal(t, []string{"mx1.example.org."}, names)
}

func TestNegativeAnswers(t *testing.T) {
	srv := New(t, zoneOrg)
	r := srv.Resolver()
	ctx := lookupCtx(t)

	_, err := r.LookupTXT(ctx, "nope.example.org.")
	assert.True(t, dnsErr(t, err).IsNotFound, "NXDOMAIN")

	_, err = r.LookupTXT(ctx, "mx1.example.org.")
	assert.True(t, dnsErr(t, err).IsNotFound, "NODATA")

	_, err = r.LookupNetIP(ctx, "ip4", "b.deep.example.org.")
	assert.True(t, dnsErr(t, err).IsNotFound, "empty non-terminal: NODATA")

	// Tell NXDOMAIN and NODATA apart on the wire.
	c := new(dns.Client)
	for _, tc := range []struct {
		name  string
		rcode int
	}{
		{"nope.example.org.", dns.RcodeNameError},
		{"b.deep.example.org.", dns.RcodeSuccess},
		{"mx1.example.org.", dns.RcodeSuccess},
		{"x.y.wild.example.org.", dns.RcodeSuccess},
	} {
		m := new(dns.Msg).SetQuestion(tc.name, dns.TypeMX)
		in, _, err := c.Exchange(m, srv.Addr())
		require.NoError(t, err)
		assert.Equal(t, tc.rcode, in.Rcode, tc.name)
		assert.Empty(t, in.Answer, tc.name)
		require.Len(t, in.Ns, 1, "SOA in authority for %s", tc.name)
	}
}

func TestFaults(t *testing.T) {
	srv := New(t, zoneOrg)
	r := srv.Resolver()
	ctx := lookupCtx(t)

	srv.Fault("example.org.", dns.TypeMX, ServFail)
	_, err := r.LookupMX(ctx, "example.org.")
	de := dnsErr(t, err)
	assert.True(t, de.IsTemporary, "SERVFAIL is temporary: %v", de)
	assert.False(t, de.IsNotFound)

	_, err = r.LookupTXT(ctx, "example.org.")
	require.NoError(t, err, "a fault on MX leaves TXT alone")

	srv.Fault("example.org.", dns.TypeNone, Refused)
	_, err = r.LookupTXT(ctx, "example.org.")
	de = dnsErr(t, err)
	assert.False(t, de.IsNotFound, "REFUSED is not a negative answer")

	srv.Fault("example.org.", dns.TypeNone, NXDomain)
	_, err = r.LookupTXT(ctx, "example.org.")
	assert.True(t, dnsErr(t, err).IsNotFound)

	srv.ClearFaults()
	_, err = r.LookupTXT(ctx, "example.org.")
	require.NoError(t, err)

	srv.Fault("mx1.example.org.", dns.TypeA, Drop)
	start := time.Now()
	_, err = r.LookupNetIP(ctx, "ip4", "mx1.example.org.")
	de = dnsErr(t, err)
	assert.True(t, de.IsTimeout, "dropped query times out: %v", de)
	assert.Less(t, time.Since(start), 4*time.Second, "per-attempt timeout is clamped")
	srv.Fault("mx1.example.org.", dns.TypeA, NoFault)
	_, err = r.LookupNetIP(ctx, "ip4", "mx1.example.org.")
	require.NoError(t, err, "NoFault removes the fault")
}

func TestTruncation(t *testing.T) {
	srv := New(t, zoneOrg)
	r := srv.Resolver()
	ctx := lookupCtx(t)

	srv.Fault("example.org.", dns.TypeTXT, Truncate)
	srv.ResetLog()
	txt, err := r.LookupTXT(ctx, "example.org.")
	require.NoError(t, err)
	assert.Equal(t, []string{"v=spf1 -all"}, txt)
	assert.Equal(t, []Query{
		{Name: "example.org.", Type: dns.TypeTXT, Net: "udp"},
		{Name: "example.org.", Type: dns.TypeTXT, Net: "tcp"},
	}, srv.Queries())

	// An answer bigger than the UDP size is truncated by itself.
	var recs []string
	for i := 0; i < 12; i++ {
		recs = append(recs, `big.example.org. IN TXT "`+strings.Repeat(string(rune('a'+i)), 200)+`"`)
	}
	require.NoError(t, srv.Add(recs...))
	srv.ResetLog()
	txt, err = r.LookupTXT(ctx, "big.example.org.")
	require.NoError(t, err)
	assert.Len(t, txt, 12)
	assert.Equal(t, 1, countNet(srv.Queries(), "tcp"), "retried over TCP")
}

func countNet(qs []Query, network string) int {
	n := 0
	for _, q := range qs {
		if q.Net == network {
			n++
		}
	}
	return n
}

func TestQueryLogAndMutation(t *testing.T) {
	srv := New(t)
	r := srv.Resolver()
	ctx := lookupCtx(t)
	require.NoError(t, srv.AddZone("$ORIGIN example.com.\n@ IN TXT \"one\"\n"))
	for i := 0; i < 3; i++ {
		_, err := r.LookupTXT(ctx, "example.com.")
		require.NoError(t, err)
	}
	assert.Equal(t, 3, srv.CountQueries("EXAMPLE.com", dns.TypeTXT))
	assert.Equal(t, 3, srv.CountQueries("example.com.", dns.TypeNone))
	assert.Equal(t, 0, srv.CountQueries("example.com.", dns.TypeA))
	assert.Equal(t, "example.com. TXT udp", srv.Queries()[0].String())

	srv.Remove("example.com.", dns.TypeTXT)
	_, err := r.LookupTXT(ctx, "example.com.")
	assert.True(t, dnsErr(t, err).IsNotFound)
}

func TestBadZone(t *testing.T) {
	_, err := Start("example.org. IN A not-an-address\n")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "zone 1")
	_, err = LoadMemory("example.org. IN A 192.0.2.1\n", "example.org. IN MX x\n")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "zone 2")
	srv := New(t)
	assert.Error(t, srv.Add("bogus"))
}

func TestCloseTwice(t *testing.T) {
	srv, err := Start(zoneOrg)
	require.NoError(t, err)
	srv.Close()
	srv.Close()
}

func TestFaultString(t *testing.T) {
	assert.Equal(t, "Truncate", Truncate.String())
	assert.Equal(t, "Fault(42)", Fault(42).String())
}
