package mx

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// wireZone is served over real DNS on loopback for the tests below.
const wireZone = `
$ORIGIN example.org.
@         300 IN SOA ns1 hostmaster 1 3600 600 86400 300
@             IN MX  10 mx1
@             IN MX  20 mx2
@             IN MX  20 mx3
mx1           IN A    192.0.2.1
mx1           IN AAAA 2001:db8::1
mx2           IN A    192.0.2.2
mx3           IN A    192.0.2.3
nomx          IN A    192.0.2.10
nomx          IN AAAA 2001:db8::10
txtonly       IN TXT  "v=spf1 -all"
a.b.deep      IN A    192.0.2.11
null          IN MX   0 .
mixed         IN MX   0 .
mixed         IN MX   10 mx1
literal       IN MX   10 192.0.2.1.
literal       IN MX   20 mx2
partial       IN MX   10 bad!name
partial       IN MX   20 mx1
allbad        IN MX   10 bad!name
allbad        IN A    192.0.2.12
dup           IN MX   10 mx1
dup           IN MX   30 MX1
xn--bcher-kva IN MX   10 mx1
alias         IN CNAME mx1
dangling      IN MX   10 gone
_mta-sts         IN TXT "v=STSv1; id=1"
_mta-sts         IN TXT "v=spf1 -all"
_mta-sts.two     IN TXT "v=STSv1; id=1"
_mta-sts.two     IN TXT "v=STSv1 ;id=2"
_mta-sts.split   IN TXT "v=STSv1;" " id=3"
_mta-sts.strict  IN TXT "v=STSv1"
_mta-sts.strict  IN TXT "v=STSv10; id=4"
_mta-sts.strict  IN TXT "V=STSv1; id=5"
_mta-sts.strict  IN TXT " v=STSv1; id=6"
_mta-sts.strict  IN TXT "v=STSv1\009\009; id=7"
_smtp._tls       IN TXT "v=TLSRPTv1; rua=mailto:r@example.org"
`

func wireCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWireLookup(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	tests := []struct {
		domain   string
		want     []string
		implicit bool
		errIs    error
		skipped  int
	}{
		{domain: "example.org", want: []string{"mx1.example.org", "mx2.example.org|mx3.example.org", "mx2.example.org|mx3.example.org"}},
		{domain: "EXAMPLE.org.", want: []string{"mx1.example.org", "mx2.example.org|mx3.example.org", "mx2.example.org|mx3.example.org"}},
		{domain: "nomx.example.org", want: []string{"nomx.example.org"}, implicit: true},
		{domain: "txtonly.example.org", want: []string{"txtonly.example.org"}, implicit: true},
		{domain: "b.deep.example.org", want: []string{"b.deep.example.org"}, implicit: true},
		{domain: "alias.example.org", want: []string{"alias.example.org"}, implicit: true},
		{domain: "nope.example.org", errIs: ErrNoSuchDomain},
		{domain: "null.example.org", errIs: ErrNullMX},
		{domain: "mixed.example.org", want: []string{"mx1.example.org"}, skipped: 1},
		{domain: "literal.example.org", want: []string{"mx2.example.org"}, skipped: 1},
		{domain: "partial.example.org", want: []string{"mx1.example.org"}},
		{domain: "allbad.example.org", errIs: ErrNoUsableMX},
		{domain: "dup.example.org", want: []string{"mx1.example.org"}, skipped: 1},
		{domain: "bücher.example.org", want: []string{"mx1.example.org"}},
		{domain: "dangling.example.org", want: []string{"gone.example.org"}},
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			r := Router{Resolver: optIn(srv)}
			rt, err := r.Route(wireCtx(t), tc.domain)
			if tc.errIs != nil {
				require.ErrorIs(t, err, tc.errIs)
				return
			}
			require.NoError(t, err)
			require.Len(t, rt.Hosts, len(tc.want))
			for i, h := range rt.Hosts {
				assert.Contains(t, strings.Split(tc.want[i], "|"), h.Name)
				assert.Equal(t, tc.implicit, h.Implicit)
			}
			assert.Len(t, rt.Skipped, tc.skipped, "%v", rt.Skipped)
		})
	}
}

func TestWirePartialResults(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	rt, err := (&Router{Resolver: optIn(srv)}).Route(wireCtx(t), "partial.example.org")
	require.NoError(t, err)
	var de *net.DNSError
	require.ErrorAs(t, rt.ResolverErr, &de, "Go reports the record it dropped")
	assert.Equal(t, goMalformedRecords, de.Err, "Go's wording changed: update goMalformedRecords")
}

func TestWireResolveAddrs(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	r := Router{Resolver: optIn(srv), ResolveAddrs: true, Rand: rand.New(rand.NewPCG(1, 1))}
	hosts, err := r.Lookup(wireCtx(t), "example.org")
	require.NoError(t, err)
	require.Len(t, hosts, 3)
	assert.Equal(t, dnstest.Addrs("192.0.2.1", "2001:db8::1"), hosts[0].Addrs)
	assert.NoError(t, hosts[0].Err)
	for _, h := range hosts[1:] {
		assert.Len(t, h.Addrs, 1, h.Name)
		assert.NoError(t, h.Err)
	}

	hosts, err = r.Lookup(wireCtx(t), "nomx.example.org")
	require.NoError(t, err)
	assert.Equal(t, []Host{{Name: "nomx.example.org", Implicit: true, Addrs: dnstest.Addrs("192.0.2.10", "2001:db8::10")}}, hosts)

	hosts, err = r.Lookup(wireCtx(t), "txtonly.example.org")
	require.NoError(t, err, "the domain exists: implicit MX, unusable")
	require.Len(t, hosts, 1)
	assert.ErrorIs(t, hosts[0].Err, ErrNoAddresses)

	// The only MX host has no address: MX present, none usable (RFC 5321
	// §5.1).
	hosts, err = r.Lookup(wireCtx(t), "dangling.example.org")
	require.ErrorIs(t, err, ErrNoUsableMX)
	assert.ErrorIs(t, err, ErrNoAddresses)
	assert.Empty(t, hosts)
}

func TestWireFaults(t *testing.T) {
	tests := []struct {
		fault     dnstest.Fault
		name      string
		qtype     uint16
		domain    string
		errIs     error
		temporary bool // a *net.DNSError with IsTemporary (DESIGN's failure convention)
	}{
		{fault: dnstest.ServFail, name: "example.org.", qtype: dnstest.TypeMX, domain: "example.org", errIs: ErrTemporary, temporary: true},
		{fault: dnstest.Refused, name: "example.org.", qtype: dnstest.TypeMX, domain: "example.org", errIs: ErrTemporary, temporary: true},
		{fault: dnstest.Drop, name: "example.org.", qtype: dnstest.TypeMX, domain: "example.org", errIs: ErrTemporary, temporary: true},
		{fault: dnstest.NXDomain, name: "example.org.", qtype: dnstest.TypeNone, domain: "example.org", errIs: ErrNoSuchDomain},
		// The MX fails on a domain that has an address: no implicit MX.
		{fault: dnstest.ServFail, name: "nomx.example.org.", qtype: dnstest.TypeMX, domain: "nomx.example.org", errIs: ErrTemporary, temporary: true},
		{fault: dnstest.Drop, name: "nomx.example.org.", qtype: dnstest.TypeMX, domain: "nomx.example.org", errIs: ErrTemporary, temporary: true},
		// No MX, and the address lookups of a name that has none fail.
		{fault: dnstest.ServFail, name: "nope.example.org.", qtype: dnstest.TypeA, domain: "nope.example.org", errIs: ErrNoSuchDomain},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %s", tc.fault, dnstest.Query{Name: tc.name, Type: tc.qtype}), func(t *testing.T) {
			srv := dnstest.New(t, wireZone)
			srv.Fault(tc.name, tc.qtype, tc.fault)
			hosts, err := (&Router{Resolver: optIn(srv)}).Lookup(wireCtx(t), tc.domain)
			require.ErrorIs(t, err, tc.errIs)
			assert.Empty(t, hosts)
			if tc.temporary {
				var de *net.DNSError
				require.ErrorAs(t, err, &de)
				assert.True(t, de.IsTemporary, "%+v", de)
				assert.True(t, strings.HasPrefix(err.Error(), "mx: ") && strings.Count(err.Error(), "mx: ") == 1, err.Error())
			}
		})
	}
}

func TestWireFaultOnHostAddress(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	srv.Fault("mx1.example.org.", dnstest.TypeAAAA, dnstest.Drop)
	srv.Fault("mx2.example.org.", dnstest.TypeA, dnstest.ServFail)
	hosts, err := (&Router{Resolver: optIn(srv), ResolveAddrs: true}).Lookup(wireCtx(t), "example.org")
	require.NoError(t, err, "a host's failure is not fatal")
	require.Len(t, hosts, 3)
	assert.Equal(t, dnstest.Addrs("192.0.2.1"), hosts[0].Addrs, "the A record is kept")
	var de *net.DNSError
	require.ErrorAs(t, hosts[0].Err, &de)
	assert.True(t, de.IsTimeout, "%+v", de)
	for _, h := range hosts[1:] {
		if h.Name == "mx2.example.org" {
			assert.Empty(t, h.Addrs)
			require.ErrorAs(t, h.Err, &de)
			assert.True(t, de.IsTemporary)
		}
	}
}

func TestWireImplicitNeedsExistingName(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	// The MX lookup of a missing name gives the same error from Go as
	// NODATA; the answer code tells them apart.
	_, err := (&Router{Resolver: optIn(srv)}).Lookup(wireCtx(t), "nope.example.org")
	require.ErrorIs(t, err, ErrNoSuchDomain)
	assert.Equal(t, 2, srv.CountQueries("nope.example.org.", dnstest.TypeMX), "%v", srv.Queries())

	srv.ResetLog()
	hosts, err := (&Router{Resolver: optIn(srv)}).Lookup(wireCtx(t), "nomx.example.org")
	require.NoError(t, err)
	assert.True(t, hosts[0].Implicit)
	assert.Equal(t, 1, srv.CountQueries("nomx.example.org.", dnstest.TypeMX), "an address proves the name exists")
}

func TestWireTruncation(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	srv.Fault("example.org.", dnstest.TypeMX, dnstest.Truncate)
	hosts, err := (&Router{Resolver: optIn(srv)}).Lookup(wireCtx(t), "example.org")
	require.NoError(t, err)
	assert.Len(t, hosts, 3)
	assert.Equal(t, []dnstest.Query{
		{Name: "example.org.", Type: dnstest.TypeMX, Net: "udp"},
		{Name: "example.org.", Type: dnstest.TypeMX, Net: "tcp"},
	}, srv.Queries())

	// A large MX set is truncated by itself and fetched over TCP.
	var recs []string
	for i := 0; i < 40; i++ {
		recs = append(recs, fmt.Sprintf("big.example.org. IN MX %d mail-exchanger-number-%02d.example.org.", i, i))
	}
	require.NoError(t, srv.Add(recs...))
	srv.ResetLog()
	hosts, err = (&Router{Resolver: optIn(srv)}).Lookup(wireCtx(t), "big.example.org")
	require.NoError(t, err)
	assert.Len(t, hosts, 40)
	assert.Equal(t, "mail-exchanger-number-00.example.org", hosts[0].Name)
	assert.Equal(t, 1, srv.CountQueries("big.example.org.", dnstest.TypeMX)-countUDP(srv.Queries()), "retried over TCP")
}

func countUDP(qs []dnstest.Query) int {
	n := 0
	for _, q := range qs {
		if q.Net == "udp" {
			n++
		}
	}
	return n
}

func TestWireTruncatedProbe(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	// Every MX answer for txtonly is truncated over UDP: the existence check
	// must retry over TCP too instead of trusting an empty truncated reply.
	srv.Fault("txtonly.example.org.", dnstest.TypeMX, dnstest.Truncate)
	hosts, err := (&Router{Resolver: optIn(srv)}).Lookup(wireCtx(t), "txtonly.example.org")
	require.NoError(t, err)
	assert.True(t, hosts[0].Implicit)
	tcp := 0
	for _, q := range srv.Queries() {
		if q.Net == "tcp" && q.Type == dnstest.TypeMX {
			tcp++
		}
	}
	assert.Equal(t, 2, tcp, "Go's lookup and the probe both retried over TCP: %v", srv.Queries())
}

// optIn is the Resolver of the wire tests: Go's resolver talking to srv,
// able to tell NXDOMAIN from NODATA (NetResolver).
func optIn(srv *dnstest.Server) Resolver { return &NetResolver{Resolver: srv.Resolver()} }

// TestWhatThePlainResolverCanTell: a *net.Resolver alone reports NXDOMAIN
// and NODATA alike, so a domain that exists without MX, A or AAAA records
// reads as ErrNoSuchDomain, and the Router sends no query of its own
// (no behaviour depends on the concrete type). Wrapped in NetResolver, or
// any resolver with DomainExists (dnstest.Memory), or one that answers
// NODATA with an empty answer and no error, it is the implicit MX.
func TestWhatThePlainResolverCanTell(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	plain := srv.Resolver()
	_, err := (&Router{Resolver: plain}).Lookup(wireCtx(t), "txtonly.example.org")
	require.ErrorIs(t, err, ErrNoSuchDomain)
	assert.Equal(t, 1, srv.CountQueries("txtonly.example.org.", dnstest.TypeMX), "no probe: %v", srv.Queries())

	for name, res := range map[string]Resolver{
		"NetResolver":               &NetResolver{Resolver: plain},
		"NetResolver with Servers":  &NetResolver{Resolver: &net.Resolver{PreferGo: true, Dial: plain.Dial}, Servers: []string{srv.Addr()}},
		"dnstest.Memory":            srv.Memory(),
		"NODATA as an empty answer": emptyOnNODATA{srv.Memory()},
	} {
		t.Run(name, func(t *testing.T) {
			hosts, err := (&Router{Resolver: res}).Lookup(wireCtx(t), "txtonly.example.org")
			require.NoError(t, err)
			require.Len(t, hosts, 1)
			assert.True(t, hosts[0].Implicit)
			_, err = (&Router{Resolver: res}).Lookup(wireCtx(t), "nope.example.org")
			assert.ErrorIs(t, err, ErrNoSuchDomain)
		})
	}
}

// emptyOnNODATA answers NODATA with an empty answer and no error, and has
// no DomainExists.
type emptyOnNODATA struct{ m *dnstest.Memory }

func (e emptyOnNODATA) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	mxs, err := e.m.LookupMX(ctx, name)
	if err != nil {
		if ok, _ := e.m.DomainExists(ctx, name); ok {
			return nil, nil
		}
	}
	return mxs, err
}

func (e emptyOnNODATA) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return e.m.LookupNetIP(ctx, network, host)
}

// TestNetResolverNoAnswer: a NetResolver whose servers do not answer cannot
// tell, and says so with a temporary *net.DNSError.
func TestNetResolverNoAnswer(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	srv.Fault("txtonly.example.org.", dnstest.TypeMX, dnstest.Refused)
	r := &NetResolver{Resolver: srv.Resolver(), Servers: []string{srv.Addr()}}
	_, err := r.DomainExists(wireCtx(t), "txtonly.example.org.")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary)
	assert.Contains(t, de.Err, "REFUSED")
}

// TestNetResolverOwnDialer: a NetResolver without a *net.Resolver (Go's
// default, which has no Dial) dials Servers itself; one that never answers
// ends with the ctx, as a temporary error.
func TestNetResolverOwnDialer(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	r := &NetResolver{Servers: []string{srv.Addr()}}
	ok, err := r.DomainExists(wireCtx(t), "txtonly.example.org.")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = r.DomainExists(wireCtx(t), "nope.example.org.")
	require.NoError(t, err)
	assert.False(t, ok)

	hole, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer hole.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = (&NetResolver{Servers: []string{hole.LocalAddr().String()}}).DomainExists(ctx, "example.org.")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary, "%+v", de)
}

// TestWireAllHostsFailPrefixOnce: when every host's address lookups fail,
// the error holds each host's failure, with the package prefix once.
func TestWireAllHostsFailPrefixOnce(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	for _, h := range []string{"mx1.example.org.", "mx2.example.org.", "mx3.example.org."} {
		srv.Fault(h, dnstest.TypeNone, dnstest.ServFail)
	}
	_, err := (&Router{Resolver: optIn(srv), ResolveAddrs: true}).Lookup(wireCtx(t), "example.org")
	require.ErrorIs(t, err, ErrTemporary)
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary)
	assert.Equal(t, 1, strings.Count(err.Error(), "mx: "), err.Error())
	assert.Contains(t, err.Error(), "mx1.example.org")
}

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
		{"flaky.example.org", "flakyhost.example.org.", dnstest.TypeA, dnstest.ServFail},
		{"flaky.example.org", "flakyhost.example.org.", dnstest.TypeA, dnstest.Refused},
		{"halfflaky.example.org", "flakyv6.example.org.", dnstest.TypeAAAA, dnstest.ServFail},
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
			if tc.qtype == dnstest.TypeA {
				require.NoError(t, err)
				assert.NotEmpty(t, rt.Hosts)
			} else {
				require.ErrorIs(t, err, ErrNoUsableMX)
			}
		})
	}
}
