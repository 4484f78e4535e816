package spf

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRoundTrip(t *testing.T) {
	tests := []struct{ in, canonical string }{
		{"v=spf1", "v=spf1"},
		{"v=spf1 -all", "v=spf1 -all"},
		{"V=SPF1  +All   ", "v=spf1 +all"},
		{"v=spf1 a mx ptr ~all", "v=spf1 a mx ptr ~all"},
		{"v=spf1 A:Mail.Example.COM/24//64 MX//0 -all", "v=spf1 a:Mail.Example.COM/24//64 mx//0 -all"},
		{"v=spf1 a/24 mx:example.org/0", "v=spf1 a/24 mx:example.org/0"},
		{"v=spf1 ip4:192.0.2.1 ip4:192.0.2.0/24 ip6:2001:DB8::/32 ip6:::1", "v=spf1 ip4:192.0.2.1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip6:::1"},
		{"v=spf1 include:_spf.example.org ?include:%{d2}.x.example -all", "v=spf1 include:_spf.example.org ?include:%{d2}.x.example -all"},
		{"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all"},
		{"v=spf1 ptr:example.org. -all", "v=spf1 ptr:example.org. -all"},
		{"v=spf1 redirect=_spf.example.org", "v=spf1 redirect=_spf.example.org"},
		{"v=spf1 exp=explain.%{d} -all", "v=spf1 exp=explain.%{d} -all"},
		{"v=spf1 -all Moo.cow-far_out=man:dog/cat x=", "v=spf1 -all Moo.cow-far_out=man:dog/cat x="},
		{"v=spf1 a:foo:bar/baz.example.com", "v=spf1 a:foo:bar/baz.example.com"},
		{"v=spf1 a:macro%%percent%_%_space%-url-space.example.com", "v=spf1 a:macro%%percent%_%_space%-url-space.example.com"},
		{"v=spf1 a:%{H}", "v=spf1 a:%{H}"},
		{"v=spf1 a=b", "v=spf1 a=b"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.canonical, r.String())
			r2, err := Parse(r.String())
			require.NoError(t, err)
			assert.Equal(t, r.String(), r2.String())
			require.Len(t, r2.Terms, len(r.Terms))
			for i := range r.Terms {
				a, b := r.Terms[i], r2.Terms[i]
				a.text, b.text = "", ""
				assert.Equal(t, a, b)
			}
		})
	}
}

func TestParseTerms(t *testing.T) {
	r, err := Parse("v=spf1 -a:example.org/24//64 ~mx ip4:192.0.2.7/28 ip6:2001:db8::1 include:x.example.org redirect=r.example.org exp=e.example.org foo=bar")
	require.NoError(t, err)
	require.Len(t, r.Terms, 8)
	a := r.Terms[0]
	assert.Equal(t, KindA, a.Kind)
	assert.Equal(t, QualifierFail, a.Qualifier)
	assert.Equal(t, Fail, a.Qualifier.Result())
	assert.Equal(t, "example.org", a.Value)
	assert.Equal(t, 24, a.CIDR4)
	assert.Equal(t, 64, a.CIDR6)
	assert.Equal(t, "-a:example.org/24//64", a.Text())
	mx := r.Terms[1]
	assert.Equal(t, KindMX, mx.Kind)
	assert.Equal(t, "", mx.Value)
	assert.Equal(t, NoCIDR, mx.CIDR4)
	assert.Equal(t, NoCIDR, mx.CIDR6)
	ip4 := r.Terms[2]
	assert.Equal(t, netip.MustParsePrefix("192.0.2.7/28"), ip4.Prefix)
	assert.Equal(t, 28, ip4.CIDR4)
	ip6 := r.Terms[3]
	assert.Equal(t, netip.MustParsePrefix("2001:db8::1/128"), ip6.Prefix)
	assert.Equal(t, NoCIDR, ip6.CIDR6)
	assert.Equal(t, Pass, Qualifier(0).Result())
	red, ok := r.Redirect()
	assert.True(t, ok)
	assert.Equal(t, "r.example.org", red)
	exp, ok := r.Exp()
	assert.True(t, ok)
	assert.Equal(t, "e.example.org", exp)
	assert.Equal(t, KindModifier, r.Terms[7].Kind)
	assert.Equal(t, "foo", r.Terms[7].Name)
	assert.Equal(t, "bar", r.Terms[7].Value)
	assert.Equal(t, "include", KindInclude.String())
	assert.True(t, KindExists.IsMechanism())
	assert.False(t, KindRedirect.IsMechanism())
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, term string }{
		{"v=spf10", ""},
		{"spf1 -all", ""},
		{"v=spf1 -all moo", "moo"},
		{"v=spf1 -all.", "-all."},
		{"v=spf1 -all:foo", "-all:foo"},
		{"v=spf1 all/8", "all/8"},
		{"v=spf1 redirect:x.example.org", "redirect:x.example.org"},
		{"v=spf1 =all", "=all"},
		{"v=spf1 1up=foo", "1up=foo"},
		{"v=spf1 -foo=bar", "-foo=bar"},
		{"v=spf1 moo.cow/far_out=man:dog/cat", "moo.cow/far_out=man:dog/cat"},
		{"v=spf1 foo=%abc", "foo=%abc"},
		{"v=spf1 foo=%{c}", "foo=%{c}"},
		{"v=spf1 a:foo-bar", "a:foo-bar"},
		{"v=spf1 a:museum", "a:museum"},
		{"v=spf1 a:museum.", "a:museum."},
		{"v=spf1 a:abc.123", "a:abc.123"},
		{"v=spf1 a:example.-com", "a:example.-com"},
		{"v=spf1 a:example.com:8080", "a:example.com:8080"},
		{"v=spf1 a:", "a:"},
		{"v=spf1 a/33", "a/33"},
		{"v=spf1 a//129", "a//129"},
		{"v=spf1 a/24/64", "a/24/64"},
		{"v=spf1 a/032", "a/032"},
		{"v=spf1 a:foo.example.com\x00", "a:foo.example.com\x00"},
		{"v=spf1 mx:abc.123", "mx:abc.123"},
		{"v=spf1 ptr/0", "ptr/0"},
		{"v=spf1 ptr:", "ptr:"},
		{"v=spf1 include", "include"},
		{"v=spf1 include:", "include:"},
		{"v=spf1 include:x.example.org/24", "include:x.example.org/24"},
		{"v=spf1 exists", "exists"},
		{"v=spf1 exists:mail.example.com/24", "exists:mail.example.com/24"},
		{"v=spf1 ip4", "ip4"},
		{"v=spf1 ip4:1.2.3", "ip4:1.2.3"},
		{"v=spf1 ip4:1.2.3.4:8080", "ip4:1.2.3.4:8080"},
		{"v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32"},
		{"v=spf1 ip4:1.2.3.4/33", "ip4:1.2.3.4/33"},
		{"v=spf1 ip4:1.2.03.4", "ip4:1.2.03.4"},
		{"v=spf1 ip4:2001:db8::1", "ip4:2001:db8::1"},
		{"v=spf1 ip6:1.2.3.4", "ip6:1.2.3.4"},
		{"v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE"},
		{"v=spf1 ip6:::1/129", "ip6:::1/129"},
		{"v=spf1 ip6:::1//64", "ip6:::1//64"},
		{"v=spf1 ip6:fe80::1%eth0", "ip6:fe80::1%eth0"},
		{"v=spf1 exp=", "exp="},
		{"v=spf1 exp=-all", "exp=-all"},
		{"v=spf1 exp=%{r}.example.com", "exp=%{r}.example.com"},
		{"v=spf1 redirect=", "redirect="},
		{"v=spf1 exp=a.example.com exp=b.example.com", "exp=b.example.com"},
		{"v=spf1 redirect=a.example.com redirect=b.example.com", "redirect=b.example.com"},
		{"v=spf1 exists:%(ir).sbl.example.com", "exists:%(ir).sbl.example.com"},
		{"v=spf1 exists:foo%.sbl.example.com", "exists:foo%.sbl.example.com"},
		{"v=spf1 a:%{a}.example.com", "a:%{a}.example.com"},
		{"v=spf1 a:%{d0}.example.com", "a:%{d0}.example.com"},
		{"v=spf1 a:%{d2r+.example.com", "a:%{d2r+.example.com"},
		{"v=spf1 a:%", "a:%"},
		{"v=spf1 a:ctrl.example.com\rptr", "a:ctrl.example.com\rptr"},
		{"v=spf1 a:\xef\xbb\xbfgarbage.example.net -all", "a:\xef\xbb\xbfgarbage.example.net"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := Parse(tt.in)
			require.Error(t, err, "parsed as %v", r)
			assert.True(t, errors.Is(err, ErrSyntax))
			var se *SyntaxError
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tt.term, se.Term)
			assert.Contains(t, err.Error(), "spf: ")
		})
	}
}

func TestParseIPv4(t *testing.T) {
	for in, ok := range map[string]bool{
		"0.0.0.0": true, "255.255.255.255": true, "192.0.2.1": true,
		"256.0.0.1": false, "1.2.3": false, "1.2.3.4.5": false, "01.2.3.4": false,
		"1..3.4": false, "": false, "1.2.3.4.": false, "a.b.c.d": false, "1.2.3.00": false,
	} {
		a, got := parseIPv4(in)
		assert.Equal(t, ok, got, in)
		if ok {
			assert.Equal(t, netip.MustParseAddr(in), a)
		}
	}
}

// TestRFCParseRoundTrip: Parse(r.String()) gives back an equal Record,
// whatever the spelling of the input.
func TestRFCParseRoundTrip(t *testing.T) {
	for _, in := range []string{
		"V=SPF1 +All",
		"v=spf1   IP4:192.0.2.77/24  Ip6:2001:DB8::/32 ~MX:%{D}.Example.ORG/24//64 -PTR ?Exists:%{IR}.x.test redirect=R.test EXP=e.test Moo=cow",
		"v=spf1 a:foo:bar/baz.example.com/0 ip6:::FFFF:192.0.2.1/128 include:%{l1r+-}.x.test x=",
	} {
		r, err := Parse(in)
		require.NoError(t, err, in)
		r2, err := Parse(r.String())
		require.NoError(t, err, r.String())
		assert.Equal(t, r, r2, in)
		assert.Equal(t, r.String(), r2.String())
	}
	// A hand-built record equals the parsed one.
	r, err := Parse("v=spf1 -all")
	require.NoError(t, err)
	assert.Equal(t, &Record{Terms: []Term{{Kind: KindAll, Qualifier: QualifierFail, CIDR4: NoCIDR, CIDR6: NoCIDR}}}, r)
	assert.Equal(t, "-all", r.Terms[0].Text())
}
