package mx_test

// Black-box tests: the package seen only through its exported API, with
// resolvers written the way an outside user would write them.

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx"
)

func hostNames(hs []mx.Host) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Name)
	}
	return out
}

var (
	errTemp    = &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}
	errTimeout = &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}
)

// outsiderZone is the resolver of the black-box tests: answers that a
// hand-written resolver may give (addresses as MX targets, names without
// the trailing dot, mixed case), which zone text cannot hold.
func outsiderZone() *dnstest.Answers {
	return &dnstest.Answers{
		MX: map[string][]*net.MX{
			"order.example.":              {{Host: "c.example.", Pref: 30}, {Host: "a.example.", Pref: 10}, {Host: "b.example.", Pref: 20}},
			"null.example.":               {{Host: ".", Pref: 0}},
			"nullmix.example.":            {{Host: ".", Pref: 0}, {Host: "mx.nullmix.example.", Pref: 10}},
			"case.example.":               {{Host: "MX1.Case.EXAMPLE.", Pref: 5}},
			"ipmx.example.":               {{Host: "192.0.2.25", Pref: 10}, {Host: "[192.0.2.26]", Pref: 10}, {Host: "2001:db8::25", Pref: 10}},
			"ipmix.example.":              {{Host: "192.0.2.25.", Pref: 5}, {Host: "real.ipmix.example.", Pref: 10}},
			"dup.example.":                {{Host: "mx.dup.example.", Pref: 20}, {Host: "MX.dup.example.", Pref: 10}, {Host: "mx.dup.example", Pref: 30}},
			"xn--bcher-kva.example.":      {{Host: "mx.xn--bcher-kva.example.", Pref: 10}},
			"_srv.under.example.":         {{Host: "_mx.under.example.", Pref: 10}},
			"_srv.xn--bcher-kva.example.": {{Host: "MX._Under.xn--bcher-kva.example.", Pref: 10}},
			"nodot.example.":              {{Host: "mx.nodot.example", Pref: 10}},
		},
		IP: map[string][]netip.Addr{
			"ip4 aonly.example.":    dnstest.Addrs("192.0.2.1"),
			"ip4 a.example.":        dnstest.Addrs("192.0.2.10", "192.0.2.11"),
			"ip4 b.example.":        dnstest.Addrs("192.0.2.20"),
			"ip6 aaaaonly.example.": dnstest.Addrs("2001:db8::1"),
			"ip6 a.example.":        dnstest.Addrs("2001:db8::10"),
			"ip6 c.example.":        dnstest.Addrs("2001:db8::30"),
		},
		MXErr: map[string]error{
			"servfail.example.": errTemp,
			"timeout.example.":  errTimeout,
			"generic.example.":  errors.New("boom"),
		},
		IPErr: map[string]error{
			"ip4 atemp.example.": errTemp,
			"ip6 b.example.":     errTimeout,
		},
	}
}

func TestRouterOrderByPreference(t *testing.T) {
	r := &mx.Router{Resolver: outsiderZone()}
	hosts, err := r.Lookup(context.Background(), "order.example")
	require.NoError(t, err)
	assert.Equal(t, []string{"a.example", "b.example", "c.example"}, hostNames(hosts))
	for _, h := range hosts {
		assert.False(t, h.Implicit)
		assert.Nil(t, h.Addrs, "Addrs only with ResolveAddrs")
	}
	assert.Equal(t, []uint16{10, 20, 30}, []uint16{hosts[0].Preference, hosts[1].Preference, hosts[2].Preference})
}

func equalPrefDNS() *dnstest.Answers {
	var recs []*net.MX
	for _, n := range []string{"e", "d", "c", "b", "a"} {
		recs = append(recs, &net.MX{Host: n + ".eq.example.", Pref: 10})
	}
	recs = append(recs, &net.MX{Host: "backup.eq.example.", Pref: 50}, &net.MX{Host: "first.eq.example.", Pref: 1})
	return &dnstest.Answers{MX: map[string][]*net.MX{"eq.example.": recs}}
}

func TestRouterShuffleInjectedRand(t *testing.T) {
	res := equalPrefDNS()
	run := func(seed uint64) []string {
		r := &mx.Router{Resolver: res, Rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b9))}
		hosts, err := r.Lookup(context.Background(), "eq.example")
		require.NoError(t, err)
		require.Len(t, hosts, 7)
		assert.Equal(t, "first.eq.example", hosts[0].Name)
		assert.Equal(t, "backup.eq.example", hosts[6].Name)
		return hostNames(hosts)
	}
	// Same seed, same order: reproducible.
	assert.Equal(t, run(7), run(7))
	// Different seeds: the middle group takes several orders.
	seen := map[string]bool{}
	for seed := uint64(0); seed < 50; seed++ {
		seen[strings.Join(run(seed)[1:6], ",")] = true
	}
	assert.Greater(t, len(seen), 10, "equal preferences must be shuffled")
}

func TestRouterShuffleNilRandVaries(t *testing.T) {
	r := &mx.Router{Resolver: equalPrefDNS()}
	seen := map[string]bool{}
	firsts := map[string]bool{}
	for i := 0; i < 200; i++ {
		hosts, err := r.Lookup(context.Background(), "eq.example")
		require.NoError(t, err)
		require.Len(t, hosts, 7)
		require.Equal(t, "first.eq.example", hosts[0].Name)
		require.Equal(t, "backup.eq.example", hosts[6].Name)
		seen[strings.Join(hostNames(hosts), ",")] = true
		firsts[hosts[1].Name] = true
	}
	assert.Greater(t, len(seen), 20)
	assert.Len(t, firsts, 5, "every equal-preference host comes first sometimes")
}

func TestRouterImplicitAndErrors(t *testing.T) {
	res := outsiderZone()
	ctx := context.Background()
	for _, tc := range []struct {
		domain   string
		implicit string // the implicit host expected, or ""
		is       error
		temp     bool
	}{
		{domain: "aonly.example", implicit: "aonly.example"},
		{domain: "AOnly.Example.", implicit: "aonly.example"},
		{domain: "aaaaonly.example", implicit: "aaaaonly.example"},
		{domain: "nxdomain.example", is: mx.ErrNoSuchDomain},
		{domain: "servfail.example", temp: true},
		{domain: "timeout.example", temp: true},
		{domain: "atemp.example", temp: true}, // MX not found, A failed: never implicit
		{domain: "null.example", is: mx.ErrNullMX},
		{domain: "ipmx.example", is: mx.ErrNoUsableMX},
	} {
		t.Run(tc.domain, func(t *testing.T) {
			hosts, err := (&mx.Router{Resolver: res}).Lookup(ctx, tc.domain)
			switch {
			case tc.implicit != "":
				require.NoError(t, err)
				require.Len(t, hosts, 1)
				assert.Equal(t, mx.Host{Name: tc.implicit, Preference: 0, Implicit: true}, hosts[0])
			case tc.temp:
				require.Error(t, err)
				assert.Empty(t, hosts)
				var de *net.DNSError
				require.True(t, errors.As(err, &de), "errors.As *net.DNSError: %v", err)
				assert.True(t, de.IsTemporary, "%+v", de)
				assert.False(t, errors.Is(err, mx.ErrNoSuchDomain))
				assert.True(t, errors.Is(err, mx.ErrTemporary))
				assert.True(t, errors.Is(err, errTemp) || errors.Is(err, errTimeout), "the resolver's own error stays in the chain")
			default:
				require.ErrorIs(t, err, tc.is)
				assert.Empty(t, hosts)
				assert.True(t, strings.HasPrefix(err.Error(), "mx: "), err.Error())
			}
		})
	}
}

// A resolver error that is no *net.DNSError is a failure, never "no MX".
func TestRouterGenericErrorIsNotImplicit(t *testing.T) {
	hosts, err := (&mx.Router{Resolver: outsiderZone()}).Lookup(context.Background(), "generic.example")
	require.Error(t, err)
	assert.Empty(t, hosts)
	assert.ErrorIs(t, err, mx.ErrTemporary)
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary)
	assert.EqualError(t, errors.Unwrap(de), "boom")
}

func TestRouterEmptyAnswersMeanNoData(t *testing.T) {
	res := &dnstest.Answers{
		MX:            map[string][]*net.MX{"withmx.example.": {{Host: "mx.withmx.example.", Pref: 10}}},
		IP:            map[string][]netip.Addr{"ip4 nodata.example.": dnstest.Addrs("192.0.2.7"), "ip4 mx.withmx.example.": dnstest.Addrs("192.0.2.8")},
		EmptyNotFound: true,
	}
	r := &mx.Router{Resolver: res, ResolveAddrs: true}
	hosts, err := r.Lookup(context.Background(), "nodata.example")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	assert.True(t, hosts[0].Implicit)
	assert.Equal(t, dnstest.Addrs("192.0.2.7"), hosts[0].Addrs)
	assert.NoError(t, hosts[0].Err)

	hosts, err = r.Lookup(context.Background(), "withmx.example")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	assert.Equal(t, dnstest.Addrs("192.0.2.8"), hosts[0].Addrs)
	assert.NoError(t, hosts[0].Err)
}

func TestRouterNullMXMixedIgnored(t *testing.T) {
	hosts, err := (&mx.Router{Resolver: outsiderZone()}).Lookup(context.Background(), "nullmix.example")
	require.NoError(t, err)
	assert.Equal(t, []string{"mx.nullmix.example"}, hostNames(hosts))
}

func TestRouterNames(t *testing.T) {
	res := outsiderZone()
	ctx := context.Background()
	for _, tc := range []struct{ domain, want string }{
		{"case.example", "mx1.case.example"},
		{"CASE.EXAMPLE.", "mx1.case.example"},
		{"bücher.example", "mx.xn--bcher-kva.example"},
		{"BÜCHER.example", "mx.xn--bcher-kva.example"},
		{"bücher.example.", "mx.xn--bcher-kva.example"},
		{"xn--bcher-kva.example", "mx.xn--bcher-kva.example"},
		{"_srv.under.example", "_mx.under.example"},
		{"_SRV.Bücher.example", "mx._under.xn--bcher-kva.example"},
		{"nodot.example", "mx.nodot.example"},
	} {
		t.Run(tc.domain, func(t *testing.T) {
			hosts, err := (&mx.Router{Resolver: res}).Lookup(ctx, tc.domain)
			require.NoError(t, err)
			assert.Equal(t, []string{tc.want}, hostNames(hosts))
		})
	}
	// Every query is absolute, in A-labels.
	for _, q := range res.Calls() {
		name := q[strings.IndexByte(q, ' ')+1:]
		assert.True(t, strings.HasSuffix(name, "."), "query %q is not absolute", q)
		assert.Equal(t, strings.ToLower(name), name, "query %q not lower case", q)
		for _, c := range name {
			assert.Less(t, c, rune(0x80), "query %q not in A-labels", q)
		}
	}
}

func TestRouterInvalidDomains(t *testing.T) {
	for _, d := range []string{"", ".", "a..b", "[192.0.2.256]", "[IPv6:192.0.2.1]", "[x:y]", "-bad.example", strings.Repeat("a", 64) + ".example", "exa mple.org", "a@b.example"} {
		_, err := (&mx.Router{Resolver: outsiderZone()}).Lookup(context.Background(), d)
		assert.ErrorIs(t, err, mx.ErrInvalidDomain, "%q", d)
	}
}

func TestRouterIPLiteralTargetsSkipped(t *testing.T) {
	rt, err := (&mx.Router{Resolver: outsiderZone()}).Route(context.Background(), "ipmix.example")
	require.NoError(t, err)
	assert.Equal(t, []string{"real.ipmix.example"}, hostNames(rt.Hosts))
	require.Len(t, rt.Skipped, 1)
	assert.ErrorIs(t, rt.Skipped[0].Reason, mx.ErrIPLiteral)

	rt, err = (&mx.Router{Resolver: outsiderZone()}).Route(context.Background(), "ipmx.example")
	require.ErrorIs(t, err, mx.ErrNoUsableMX)
	assert.Len(t, rt.Skipped, 3)
	for _, s := range rt.Skipped {
		assert.ErrorIs(t, s.Reason, mx.ErrIPLiteral, "%+v", s)
	}
}

func TestRouterDuplicatesRemoved(t *testing.T) {
	hosts, err := (&mx.Router{Resolver: outsiderZone()}).Lookup(context.Background(), "dup.example")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	assert.Equal(t, mx.Host{Name: "mx.dup.example", Preference: 10}, hosts[0])
}

func TestRouterResolveAddrs(t *testing.T) {
	r := &mx.Router{Resolver: outsiderZone(), ResolveAddrs: true}
	hosts, err := r.Lookup(context.Background(), "order.example")
	require.NoError(t, err, "a failing host must not fail the lookup")
	require.Equal(t, []string{"a.example", "b.example", "c.example"}, hostNames(hosts))
	assert.Equal(t, dnstest.Addrs("192.0.2.10", "192.0.2.11", "2001:db8::10"), hosts[0].Addrs, "A first, then AAAA, order kept")
	assert.NoError(t, hosts[0].Err)
	// b: A fine, AAAA timed out: the A record is kept, the failure recorded.
	assert.Equal(t, dnstest.Addrs("192.0.2.20"), hosts[1].Addrs)
	require.Error(t, hosts[1].Err)
	var de *net.DNSError
	require.ErrorAs(t, hosts[1].Err, &de)
	assert.True(t, de.IsTimeout)
	assert.Equal(t, dnstest.Addrs("2001:db8::30"), hosts[2].Addrs)
	assert.NoError(t, hosts[2].Err)

	// Implicit MX with addresses.
	hosts, err = r.Lookup(context.Background(), "aonly.example")
	require.NoError(t, err)
	assert.Equal(t, []mx.Host{{Name: "aonly.example", Addrs: dnstest.Addrs("192.0.2.1"), Implicit: true}}, hosts)

	// An MX host without any address: recorded, not fatal.
	res := outsiderZone()
	res.MX["noaddr.example."] = []*net.MX{{Host: "ghost.noaddr.example.", Pref: 10}, {Host: "a.example.", Pref: 20}}
	hosts, err = (&mx.Router{Resolver: res, ResolveAddrs: true}).Lookup(context.Background(), "noaddr.example")
	require.NoError(t, err)
	require.Len(t, hosts, 2)
	assert.ErrorIs(t, hosts[0].Err, mx.ErrNoAddresses)
	assert.Empty(t, hosts[0].Addrs)
}

func TestRouterSelf(t *testing.T) {
	res := outsiderZone()
	ctx := context.Background()
	for _, tc := range []struct {
		self []string
		want []string
		err  error
	}{
		{self: nil, want: []string{"a.example", "b.example", "c.example"}},
		{self: []string{"b.example"}, want: []string{"a.example"}},
		{self: []string{"B.Example."}, want: []string{"a.example"}},
		{self: []string{"c.example"}, want: []string{"a.example", "b.example"}},
		{self: []string{"c.example", "b.example"}, want: []string{"a.example"}},
		{self: []string{"a.example"}, err: mx.ErrSelfIsBest},
		{self: []string{"elsewhere.example"}, want: []string{"a.example", "b.example", "c.example"}},
	} {
		hosts, err := (&mx.Router{Resolver: res, Self: tc.self}).Lookup(ctx, "order.example")
		if tc.err != nil {
			assert.ErrorIs(t, err, tc.err, "%v", tc.self)
			assert.Empty(t, hosts)
			continue
		}
		require.NoError(t, err, "%v", tc.self)
		assert.Equal(t, tc.want, hostNames(hosts), "%v", tc.self)
	}
	// Self among equal preferences: every host at that preference goes.
	hosts, err := (&mx.Router{Resolver: equalPrefDNS(), Self: []string{"c.eq.example"}}).Lookup(ctx, "eq.example")
	require.NoError(t, err)
	assert.Equal(t, []string{"first.eq.example"}, hostNames(hosts))
	// Self being the implicit MX: nothing to relay to.
	_, err = (&mx.Router{Resolver: res, Self: []string{"aonly.example"}}).Lookup(ctx, "aonly.example")
	assert.ErrorIs(t, err, mx.ErrSelfIsBest)
}

// The package-level Lookup is a zero Router (NetResolver over
// net.DefaultResolver). No test sends a query beyond loopback, so it is
// tried where it needs no DNS answer: an address literal is its own route,
// and an already-cancelled context fails at once, as a temporary failure
// that says nothing about the domain's existence.
func TestRouterPackageLookup(t *testing.T) {
	hosts, err := mx.Lookup(context.Background(), "[192.0.2.1]")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	assert.True(t, hosts[0].Literal)
	assert.Equal(t, dnstest.Addrs("192.0.2.1"), hosts[0].Addrs)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	hosts, err = mx.Lookup(ctx, "example.org")
	require.ErrorIs(t, err, mx.ErrTemporary)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, mx.ErrNoSuchDomain), "a cancelled lookup says nothing about existence: %v", err)
	assert.Empty(t, hosts)
}

// Over the wire with a *net.Resolver: the existence probe must tell NXDOMAIN
// from NODATA and must honour the ctx when the server stops answering.
func TestRouterWire(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN wire.example.
@        IN SOA ns hostmaster 1 3600 600 86400 60
@        IN NS  ns
ns       IN A   192.0.2.53
txtonly  IN TXT "v=spf1 -all"
aonly    IN A   192.0.2.1
good     IN MX  10 mx1
good     IN MX  10 mx2
mx1      IN A   192.0.2.11
mx2      IN AAAA 2001:db8::12
null     IN MX  0 .
empty.nt.sub IN A 192.0.2.99
`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := &mx.Router{Resolver: &mx.NetResolver{Resolver: srv.Resolver()}, ResolveAddrs: true}

	hosts, err := r.Lookup(ctx, "good.wire.example")
	require.NoError(t, err)
	require.Len(t, hosts, 2)

	hosts, err = r.Lookup(ctx, "aonly.wire.example")
	require.NoError(t, err)
	assert.Equal(t, []mx.Host{{Name: "aonly.wire.example", Addrs: dnstest.Addrs("192.0.2.1"), Implicit: true}}, hosts)

	// The name exists (TXT only): implicit MX, which has no address.
	hosts, err = r.Lookup(ctx, "txtonly.wire.example")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	assert.True(t, hosts[0].Implicit)
	assert.ErrorIs(t, hosts[0].Err, mx.ErrNoAddresses)

	// Empty non-terminal: exists (NODATA).
	hosts, err = r.Lookup(ctx, "sub.wire.example")
	require.NoError(t, err)
	assert.True(t, hosts[0].Implicit)

	_, err = r.Lookup(ctx, "nothere.wire.example")
	assert.ErrorIs(t, err, mx.ErrNoSuchDomain)

	_, err = r.Lookup(ctx, "null.wire.example")
	assert.ErrorIs(t, err, mx.ErrNullMX)

	for _, f := range []dnstest.Fault{dnstest.ServFail, dnstest.Refused, dnstest.Drop} {
		srv.Fault("good.wire.example.", dnstest.TypeMX, f)
		hosts, err = r.Lookup(ctx, "good.wire.example")
		require.Error(t, err, "%v", f)
		assert.Empty(t, hosts)
		var de *net.DNSError
		require.ErrorAs(t, err, &de, "%v", f)
		assert.True(t, de.IsTemporary, "%v: %+v", f, de)
		srv.Fault("good.wire.example.", dnstest.TypeMX, dnstest.NoFault)
	}

	// The MX query answers "not found", the address lookups fail: temporary
	// unless the probe can show the name does not exist.
	srv.Fault("gone.wire.example.", dnstest.TypeA, dnstest.ServFail)
	srv.Fault("gone.wire.example.", dnstest.TypeAAAA, dnstest.ServFail)
	_, err = r.Lookup(ctx, "gone.wire.example")
	assert.ErrorIs(t, err, mx.ErrNoSuchDomain, "the MX query got NXDOMAIN")

	// The existence probe goes unanswered (a server that stops answering
	// after the MX, A and AAAA queries): the lookup must end by the ctx
	// deadline, and say nothing it does not know.
	hole, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer hole.Close()
	var dials sync.Mutex
	n := 0
	base := srv.Resolver()
	stalling := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		dials.Lock()
		n++
		late := n > 3
		dials.Unlock()
		var d net.Dialer
		if late {
			return d.DialContext(ctx, "udp", hole.LocalAddr().String())
		}
		return base.Dial(ctx, network, srv.Addr())
	}}
	short, cancel2 := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel2()
	start := time.Now()
	_, err = (&mx.Router{Resolver: &mx.NetResolver{Resolver: stalling}}).Lookup(short, "nothere.wire.example")
	assert.Less(t, time.Since(start), 2500*time.Millisecond, "ctx deadline not honoured by the existence probe")
	require.Error(t, err)
	assert.False(t, errors.Is(err, mx.ErrNullMX))
}

// No network at all (every dial fails) or a DNS server that never answers:
// a temporary failure within the ctx deadline, never "no such domain".
func TestRouterNoNetwork(t *testing.T) {
	hole, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer hole.Close()
	for name, dial := range map[string]func(ctx context.Context, network, addr string) (net.Conn, error){
		"dial fails": func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "udp", Err: errors.New("network is unreachable")}
		},
		"no answer": func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", hole.LocalAddr().String())
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			r := &mx.Router{Resolver: &net.Resolver{PreferGo: true, Dial: dial}, ResolveAddrs: true}
			hosts, err := r.Lookup(ctx, "example.org")
			assert.Less(t, time.Since(start), 2500*time.Millisecond)
			assert.Empty(t, hosts)
			require.ErrorIs(t, err, mx.ErrTemporary)
			assert.False(t, errors.Is(err, mx.ErrNoSuchDomain))
			var de *net.DNSError
			require.ErrorAs(t, err, &de)
			assert.True(t, de.IsTemporary, "%+v", de)
		})
	}
}
