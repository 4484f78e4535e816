package mx

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

func names(hosts []Host) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.Name
	}
	return out
}

func reasons(sk []Skipped) map[string]error {
	out := make(map[string]error, len(sk))
	for _, s := range sk {
		out[s.Target] = s.Reason
	}
	return out
}

func TestLookupWithFake(t *testing.T) {
	malformed := &net.DNSError{Err: goMalformedRecords, Name: "example.org."}
	tests := []struct {
		name    string
		domain  string
		fake    dnstest.Answers
		want    []string // host names in order
		pref    []uint16
		errIs   error
		skipped map[string]error
	}{
		{
			name:   "sorted by preference",
			domain: "example.org",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(20, "b.example.org.", 10, "a.example.org.", 30, "c.example.org.")}},
			want:   []string{"a.example.org", "b.example.org", "c.example.org"},
			pref:   []uint16{10, 20, 30},
		},
		{
			name:   "case and trailing dot folded",
			domain: "Example.ORG.",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(5, "MX.Example.Org.")}},
			want:   []string{"mx.example.org"},
			pref:   []uint16{5},
		},
		{
			name:   "null MX",
			domain: "example.org",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(0, ".")}},
			errIs:  ErrNullMX,
		},
		{
			name:   "null MX at another preference",
			domain: "example.org",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(10, ".")}},
			errIs:  ErrNullMX,
		},
		{
			name:    "null MX mixed with a real one is ignored",
			domain:  "example.org",
			fake:    dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(0, ".", 10, "mx.example.org.")}},
			want:    []string{"mx.example.org"},
			pref:    []uint16{10},
			skipped: map[string]error{".": ErrNullTarget},
		},
		{
			name:   "IP literal and invalid targets skipped",
			domain: "example.org",
			fake: dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(
				1, "192.0.2.1.", 2, "2001:db8::1", 3, "[192.0.2.2]", 4, "bad name.example.", 5, "-x.example.", 6, "1.2.3.4.5.", 10, "mx.example.org.")}},
			want: []string{"mx.example.org"},
			pref: []uint16{10},
			skipped: map[string]error{
				"192.0.2.1.": ErrIPLiteral, "2001:db8::1": ErrIPLiteral, "[192.0.2.2]": ErrIPLiteral,
				"bad name.example.": ErrInvalidTarget, "-x.example.": ErrInvalidTarget, "1.2.3.4.5.": ErrInvalidTarget,
			},
		},
		{
			name:    "only unusable targets: error, no implicit MX",
			domain:  "example.org",
			fake:    dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(10, "192.0.2.1.")}, IP: map[string][]netip.Addr{"ip4 example.org.": dnstest.Addrs("192.0.2.9")}},
			errIs:   ErrNoUsableMX,
			skipped: map[string]error{"192.0.2.1.": ErrIPLiteral},
		},
		{
			name:    "duplicates removed, best preference kept",
			domain:  "example.org",
			fake:    dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(20, "MX.example.org.", 10, "mx.example.org.", 30, "other.example.org.")}},
			want:    []string{"mx.example.org", "other.example.org"},
			pref:    []uint16{10, 30},
			skipped: map[string]error{"mx.example.org.": ErrDuplicate},
		},
		{
			name:   "no MX and no address: no such domain",
			domain: "nope.example",
			fake:   dnstest.Answers{},
			errIs:  ErrNoSuchDomain,
		},
		{
			name:   "no MX but an address: implicit MX",
			domain: "example.org",
			fake:   dnstest.Answers{IP: map[string][]netip.Addr{"ip6 example.org.": dnstest.Addrs("2001:db8::25")}},
			want:   []string{"example.org"},
			pref:   []uint16{0},
		},
		{
			name:   "empty MX answer without error: implicit MX",
			domain: "example.org",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"example.org.": {}}},
			want:   []string{"example.org"},
			pref:   []uint16{0},
		},
		{
			name:   "SERVFAIL on MX is temporary, never implicit",
			domain: "example.org",
			fake: dnstest.Answers{MXErr: map[string]error{"example.org.": dnstest.ServFailError("example.org.")},
				IP: map[string][]netip.Addr{"ip4 example.org.": dnstest.Addrs("192.0.2.9")}},
			errIs: ErrTemporary,
		},
		{
			name:   "no MX, address lookup fails: temporary",
			domain: "example.org",
			fake:   dnstest.Answers{IPErr: map[string]error{"ip4 example.org.": dnstest.ServFailError("example.org.")}},
			errIs:  ErrTemporary,
		},
		{
			name:   "partial records plus error: records used",
			domain: "example.org",
			fake: dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(10, "mx.example.org.")},
				MXErr: map[string]error{"example.org.": malformed}},
			want: []string{"mx.example.org"},
			pref: []uint16{10},
		},
		{
			name:   "every record malformed: no usable MX, not implicit",
			domain: "example.org",
			fake: dnstest.Answers{MXErr: map[string]error{"example.org.": malformed},
				IP: map[string][]netip.Addr{"ip4 example.org.": dnstest.Addrs("192.0.2.9")}},
			errIs: ErrNoUsableMX,
		},
		{
			name:   "U-label input queried as A-labels",
			domain: "Bücher.example",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"xn--bcher-kva.example.": mxs(10, "mx.xn--bcher-kva.example.")}},
			want:   []string{"mx.xn--bcher-kva.example"},
			pref:   []uint16{10},
		},
		{
			name:   "ideographic full stop separates labels",
			domain: "例え。テスト",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"xn--r8jz45g.xn--zckzah.": mxs(10, "mx.example.")}},
			want:   []string{"mx.example"},
			pref:   []uint16{10},
		},
		{
			name:   "underscore label never goes through IDNA",
			domain: "_Mail.example.org",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"_mail.example.org.": mxs(10, "mx.example.org.")}},
			want:   []string{"mx.example.org"},
			pref:   []uint16{10},
		},
		{
			name:   "underscore label beside a U-label",
			domain: "_x.bücher.example",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"_x.xn--bcher-kva.example.": mxs(10, "mx.example.")}},
			want:   []string{"mx.example"},
			pref:   []uint16{10},
		},
		{
			name:   "nil record ignored",
			domain: "example.org",
			fake:   dnstest.Answers{MX: map[string][]*net.MX{"example.org.": {nil, {Pref: 1, Host: "mx.example.org."}}}},
			want:   []string{"mx.example.org"},
			pref:   []uint16{1},
		},
	}
	for i := range tests {
		tc := &tests[i]
		t.Run(tc.name, func(t *testing.T) {
			r := Router{Resolver: &tc.fake, Rand: rand.New(rand.NewPCG(1, 2))}
			rt, err := r.Route(context.Background(), tc.domain)
			if tc.errIs != nil {
				require.ErrorIs(t, err, tc.errIs)
				assert.Empty(t, rt.Hosts)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.want, names(rt.Hosts))
				for i, h := range rt.Hosts {
					assert.Equal(t, tc.pref[i], h.Preference)
					assert.Equal(t, h.Preference == 0 && h.Name == rt.Domain && len(tc.fake.MX[rt.Domain+"."]) == 0, h.Implicit)
					assert.Nil(t, h.Addrs, "addresses only when asked")
				}
			}
			if tc.skipped != nil {
				got := reasons(rt.Skipped)
				require.Len(t, got, len(tc.skipped), "%v", rt.Skipped)
				for target, why := range tc.skipped {
					assert.ErrorIs(t, got[target], why, target)
				}
			}
		})
	}
}

func TestTemporaryErrorKeepsDNSError(t *testing.T) {
	fake := &dnstest.Answers{MXErr: map[string]error{"example.org.": dnstest.ServFailError("example.org.")}}
	_, err := (&Router{Resolver: fake}).Lookup(context.Background(), "example.org")
	require.ErrorIs(t, err, ErrTemporary)
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary)
	assert.Contains(t, err.Error(), "example.org")
	assert.Equal(t, []string{"MX example.org."}, fake.Calls(), "no implicit-MX lookups on a temporary failure")
}

func TestPartialResultsReported(t *testing.T) {
	malformed := &net.DNSError{Err: goMalformedRecords, Name: "example.org."}
	fake := &dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(10, "mx.example.org.")},
		MXErr: map[string]error{"example.org.": malformed}}
	rt, err := (&Router{Resolver: fake}).Route(context.Background(), "example.org")
	require.NoError(t, err)
	assert.Equal(t, malformed, rt.ResolverErr)
}

func TestInvalidDomains(t *testing.T) {
	for _, d := range []string{"", ".", "..", "a..b", "-a.example", "a-.example", "a b.example", "192.0.2.1",
		"[300.1.1.1]", "[IPv6:1.2.3.4]", "[192.0.2.5", "example.123", "a@b.example", string(make([]byte, 2000)),
		"xn--a.例", "a.\u200d.example", "toolong" + string(make([]byte, 64)) + ".example"} {
		fake := &dnstest.Answers{}
		_, err := (&Router{Resolver: fake}).Lookup(context.Background(), d)
		assert.ErrorIs(t, err, ErrInvalidDomain, "%q", d)
		assert.Empty(t, fake.Calls(), "%q: no query for an invalid name", d)
	}
	long := ""
	for len(long) < 250 {
		long += "abcdefghi."
	}
	_, err := (&Router{Resolver: &dnstest.Answers{}}).Lookup(context.Background(), long+"example")
	assert.ErrorIs(t, err, ErrInvalidDomain, "name over 253 characters")
}

func TestSelf(t *testing.T) {
	fake := &dnstest.Answers{MX: map[string][]*net.MX{
		"example.org.": mxs(10, "a.example.org.", 20, "b.example.org.", 30, "c.example.org.", 20, "b2.example.org."),
	}, IP: map[string][]netip.Addr{"ip4 example.org.": dnstest.Addrs("192.0.2.1")}}
	tests := []struct {
		self  []string
		want  []string
		errIs error
	}{
		{self: nil, want: []string{"a.example.org", "b.example.org", "b2.example.org", "c.example.org"}},
		{self: []string{"elsewhere.example"}, want: []string{"a.example.org", "b.example.org", "b2.example.org", "c.example.org"}},
		{self: []string{"B.Example.Org."}, want: []string{"a.example.org"}},
		{self: []string{"c.example.org"}, want: []string{"a.example.org", "b.example.org", "b2.example.org"}},
		{self: []string{"c.example.org", "b2.example.org"}, want: []string{"a.example.org"}},
		{self: []string{"a.example.org"}, errIs: ErrSelfIsBest},
	}
	for _, tc := range tests {
		r := Router{Resolver: fake, Self: tc.self, Rand: rand.New(rand.NewPCG(3, 4))}
		rt, err := r.Route(context.Background(), "example.org")
		if tc.errIs != nil {
			require.ErrorIs(t, err, tc.errIs, "%v", tc.self)
			continue
		}
		require.NoError(t, err, "%v", tc.self)
		got := names(rt.Hosts)
		// b and b2 share a preference; compare as sets within it.
		assert.ElementsMatch(t, tc.want, got, "%v", tc.self)
		for _, s := range rt.Skipped {
			assert.ErrorIs(t, s.Reason, ErrNotBelowSelf)
		}
	}

	// The implicit MX is the domain itself.
	_, err := (&Router{Resolver: &dnstest.Answers{IP: map[string][]netip.Addr{"ip4 example.net.": dnstest.Addrs("192.0.2.1")}},
		Self: []string{"example.net"}}).Lookup(context.Background(), "example.net")
	assert.ErrorIs(t, err, ErrSelfIsBest)
}

func TestSelfByAddress(t *testing.T) {
	fake := &dnstest.Answers{
		MX: map[string][]*net.MX{"example.org.": mxs(10, "a.example.org.", 20, "b.example.org.")},
		IP: map[string][]netip.Addr{
			"ip4 a.example.org.": dnstest.Addrs("192.0.2.1"),
			"ip4 b.example.org.": dnstest.Addrs("192.0.2.2"),
		},
	}
	r := Router{Resolver: fake, ResolveAddrs: true, Self: []string{"192.0.2.2"}}
	hosts, err := r.Lookup(context.Background(), "example.org")
	require.NoError(t, err)
	assert.Equal(t, []string{"a.example.org"}, names(hosts))

	r.Self = []string{"192.0.2.1"}
	_, err = r.Lookup(context.Background(), "example.org")
	assert.ErrorIs(t, err, ErrSelfIsBest)

	r.ResolveAddrs = false
	hosts, err = r.Lookup(context.Background(), "example.org")
	require.NoError(t, err, "addresses in Self need ResolveAddrs")
	assert.Len(t, hosts, 2)
}

func TestResolveAddrs(t *testing.T) {
	fake := &dnstest.Answers{
		MX: map[string][]*net.MX{"example.org.": mxs(10, "a.example.org.", 20, "b.example.org.", 30, "c.example.org.", 40, "d.example.org.")},
		IP: map[string][]netip.Addr{
			"ip4 a.example.org.": dnstest.Addrs("192.0.2.2", "192.0.2.1"),
			"ip6 a.example.org.": dnstest.Addrs("2001:db8::1"),
			"ip6 b.example.org.": dnstest.Addrs("2001:db8::2"),
			"ip4 c.example.org.": dnstest.Addrs("192.0.2.3"),
		},
		IPErr: map[string]error{"ip6 c.example.org.": dnstest.ServFailError("c.example.org.")},
	}
	hosts, err := (&Router{Resolver: fake, ResolveAddrs: true}).Lookup(context.Background(), "example.org")
	require.NoError(t, err, "per-host failures are not fatal")
	require.Equal(t, []string{"a.example.org", "b.example.org", "c.example.org", "d.example.org"}, names(hosts))

	assert.Equal(t, dnstest.Addrs("192.0.2.2", "192.0.2.1", "2001:db8::1"), hosts[0].Addrs, "A first, resolver order kept")
	assert.NoError(t, hosts[0].Err)
	assert.Equal(t, dnstest.Addrs("2001:db8::2"), hosts[1].Addrs)
	assert.NoError(t, hosts[1].Err, "a missing family is not an error")
	assert.Equal(t, dnstest.Addrs("192.0.2.3"), hosts[2].Addrs)
	assert.ErrorIs(t, hosts[2].Err, ErrTemporary)
	var de *net.DNSError
	assert.ErrorAs(t, hosts[2].Err, &de)
	assert.Empty(t, hosts[3].Addrs)
	assert.ErrorIs(t, hosts[3].Err, ErrNoAddresses)
}

func TestImplicitResolveAddrs(t *testing.T) {
	fake := &dnstest.Answers{IP: map[string][]netip.Addr{"ip4 example.org.": dnstest.Addrs("192.0.2.7"), "ip6 example.org.": dnstest.Addrs("2001:db8::7")}}
	hosts, err := (&Router{Resolver: fake, ResolveAddrs: true}).Lookup(context.Background(), "example.org")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	assert.Equal(t, Host{Name: "example.org", Preference: 0, Implicit: true, Addrs: dnstest.Addrs("192.0.2.7", "2001:db8::7")}, hosts[0])
	assert.Len(t, fake.Calls(), 3, "the address lookups are not repeated: %v", fake.Calls())

	// The resolver says the name exists (empty answer) but it has no
	// address: the host comes back with the reason.
	fake = &dnstest.Answers{MX: map[string][]*net.MX{"example.org.": {}}}
	hosts, err = (&Router{Resolver: fake, ResolveAddrs: true}).Lookup(context.Background(), "example.org")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	assert.True(t, hosts[0].Implicit)
	assert.ErrorIs(t, hosts[0].Err, ErrNoAddresses)
}

func TestShuffle(t *testing.T) {
	fake := &dnstest.Answers{MX: map[string][]*net.MX{"example.org.": mxs(
		10, "a.example.", 10, "b.example.", 10, "c.example.", 5, "first.example.", 20, "last.example.")}}

	// A seeded source gives a reproducible order.
	order := func(seed uint64) []string {
		hosts, err := (&Router{Resolver: fake, Rand: rand.New(rand.NewPCG(seed, seed))}).Lookup(context.Background(), "example.org")
		require.NoError(t, err)
		return names(hosts)
	}
	assert.Equal(t, order(7), order(7))

	// Every permutation of the equal-preference group shows up, and the
	// preference order never changes.
	seen := map[string]int{}
	for seed := uint64(0); seed < 300; seed++ {
		got := order(seed)
		require.Equal(t, "first.example", got[0])
		require.Equal(t, "last.example", got[4])
		seen[got[1]+","+got[2]+","+got[3]]++
	}
	assert.Len(t, seen, 6, "all 3! orders of the 10-preference group: %v", seen)

	// The default source shuffles too.
	seen = map[string]int{}
	for i := 0; i < 200; i++ {
		hosts, err := lookupDefaultRand(fake)
		require.NoError(t, err)
		seen[hosts[1].Name]++
	}
	assert.Len(t, seen, 3)
}

func lookupDefaultRand(fake Resolver) ([]Host, error) {
	return (&Router{Resolver: fake}).Lookup(context.Background(), "example.org")
}

func TestMaxHosts(t *testing.T) {
	var recs []*net.MX
	for i := 0; i < 100; i++ {
		recs = append(recs, &net.MX{Pref: uint16(i), Host: "mx" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".example."})
	}
	fake := &dnstest.Answers{MX: map[string][]*net.MX{"example.org.": recs}}
	rt, err := (&Router{Resolver: fake}).Route(context.Background(), "example.org")
	require.NoError(t, err)
	assert.Len(t, rt.Hosts, DefaultMaxHosts)
	assert.Len(t, rt.Skipped, 100-DefaultMaxHosts)

	fake.ResetCalls()
	fake.IP = map[string][]netip.Addr{"ip4 mxba.example.": dnstest.Addrs("192.0.2.1")}
	rt, err = (&Router{Resolver: fake, MaxHosts: 3, ResolveAddrs: true}).Route(context.Background(), "example.org")
	require.NoError(t, err)
	assert.Len(t, rt.Hosts, 3)
	assert.ErrorIs(t, rt.Skipped[0].Reason, ErrTooManyHosts)
	assert.Len(t, fake.Calls(), 1+3*2, "addresses only for kept hosts")
}

func TestContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Router{Resolver: ctxResolver{}}).Lookup(ctx, "example.org")
	require.ErrorIs(t, err, ErrTemporary)
	assert.True(t, errors.Is(err, context.Canceled))
}

// ctxResolver fails every lookup with the context's error, as
// *net.Resolver does once the context is done.
type ctxResolver struct{}

func (ctxResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return nil, &net.DNSError{Err: ctx.Err().Error(), Name: name, UnwrapErr: ctx.Err()}
}

func (ctxResolver) LookupNetIP(ctx context.Context, _, host string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: ctx.Err().Error(), Name: host, UnwrapErr: ctx.Err()}
}

func TestSeededOrderIgnoresAnswerOrder(t *testing.T) {
	// Go's LookupMX shuffles the answer itself; with a seeded Rand the
	// result must still be the same every time.
	forward := mxs(10, "a.example.", 10, "b.example.", 10, "c.example.", 10, "d.example.")
	backward := mxs(10, "d.example.", 10, "c.example.", 10, "b.example.", 10, "a.example.")
	order := func(recs []*net.MX) []string {
		fake := &dnstest.Answers{MX: map[string][]*net.MX{"example.org.": recs}}
		hosts, err := (&Router{Resolver: fake, Rand: rand.New(rand.NewPCG(9, 9))}).Lookup(context.Background(), "example.org")
		require.NoError(t, err)
		return names(hosts)
	}
	assert.Equal(t, order(forward), order(backward))
}
