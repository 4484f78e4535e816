package spf

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testEvaluator(ip, sender string) *evaluator {
	local, domain, _ := strings.Cut(sender, "@")
	return &evaluator{
		ctx:          context.Background(),
		r:            newFakeZone(),
		ip:           netip.MustParseAddr(ip),
		local:        local,
		senderDomain: domain,
		helo:         "mx.example.org",
		receiver:     "receiver.example.net",
		now:          func() time.Time { return time.Unix(1700000000, 0) },
		maxLookups:   DefaultMaxLookups,
		maxVoid:      DefaultMaxVoidLookups,
	}
}

// TestMacroRFCExamples checks the examples of RFC 7208 §7.4.
func TestMacroRFCExamples(t *testing.T) {
	e := testEvaluator("192.0.2.3", "strong-bad@email.example.com")
	tests := []struct{ in, want string }{
		{"%{s}", "strong-bad@email.example.com"},
		{"%{o}", "email.example.com"},
		{"%{d}", "email.example.com"},
		{"%{d4}", "email.example.com"},
		{"%{d3}", "email.example.com"},
		{"%{d2}", "example.com"},
		{"%{d1}", "com"},
		{"%{dr}", "com.example.email"},
		{"%{d2r}", "example.email"},
		{"%{l}", "strong-bad"},
		{"%{l-}", "strong.bad"},
		{"%{lr}", "strong-bad"},
		{"%{lr-}", "bad.strong"},
		{"%{l1r-}", "strong"},
		{"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
		// Beyond the RFC's list.
		{"%%%_%-", "% %20"},
		{"%{c} %{r} %{t} %{h}", "192.0.2.3 receiver.example.net 1700000000 mx.example.org"},
		{"%{L}", "strong-bad"},
		{"%{d100}", "email.example.com"},
		{"%{dR}", "com.example.email"},
		{"%{l=-.}", "strong.bad"},
		{"%{p}", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, reason := checkMacroString(tt.in, true)
			require.Empty(t, reason)
			assert.Equal(t, tt.want, string(e.expand(nil, tt.in, "email.example.com")))
		})
	}
}

func TestMacroIPv6(t *testing.T) {
	e := testEvaluator("2001:db8::cb01", "strong-bad@email.example.com")
	got := string(e.expand(nil, "%{ir}.%{v}._spf.%{d2}", "email.example.com"))
	// RFC 7208 §7.4 writes the nibbles in lower case, and names are
	// written so; the RFC 7208 test suite (v-macro-ip6) and pyspf use
	// upper case in explanations, where the case shows.
	assert.Equal(t, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com", got)
	assert.Equal(t, "2001:db8::cb01 is 1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2",
		e.expandExplanation("%{c} is %{ir}", "email.example.com"))
	assert.Equal(t, "2001:db8::cb01 ip6", string(e.expand(nil, "%{c} %{v}", "x")))
}

func TestMacroEscaping(t *testing.T) {
	e := testEvaluator("192.0.2.3", "~jack&jill=up-a_b3.c@example.com")
	assert.Equal(t, "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c",
		string(e.expand(nil, "http://example.com/why.html?l=%{L}", "example.com")))
	assert.Equal(t, "up-a_b3.c.~jack%26jill", string(e.expand(nil, "%{L2r=}", "example.com")))
	assert.Equal(t, "~jack%26jill", string(e.expand(nil, "%{L1r=}", "example.com")))
	assert.Equal(t, "up-a_b3.c", string(e.expand(nil, "%{l1=}", "example.com")))
}

func TestMacroInvalid(t *testing.T) {
	for _, s := range []string{"%", "%x", "%{", "%{d", "%{x}", "%{d0}", "%{d2rr}", "%{d2*}", "a b", "\x7f", "%{c}", "%{r}", "%{t}"} {
		_, reason := checkMacroString(s, false)
		assert.NotEmpty(t, reason, s)
	}
	for _, s := range []string{"%{c}", "%{r}", "%{t}", "a b  c", ""} {
		_, reason := checkMacroString(s, true)
		assert.Empty(t, reason, s)
	}
}

func TestMacroPValidated(t *testing.T) {
	z := newFakeZone()
	require.NoError(t, z.set("3.2.0.192.in-addr.arpa",
		fakeRR{typ: "PTR", text: "other.example.net."},
		fakeRR{typ: "PTR", text: "bad.example.org."},
		fakeRR{typ: "PTR", text: "mx.example.org."}))
	require.NoError(t, z.set("other.example.net", fakeRR{typ: "A", text: "192.0.2.3"}))
	require.NoError(t, z.set("bad.example.org", fakeRR{typ: "A", text: "192.0.2.99"}))
	require.NoError(t, z.set("mx.example.org", fakeRR{typ: "A", text: "192.0.2.3"}))
	e := testEvaluator("192.0.2.3", "a@example.org")
	e.r = z
	// A validated name in <domain> is preferred; otherwise the first.
	assert.Equal(t, "mx.example.org", string(e.expand(nil, "%{p}", "example.org")))
	assert.Equal(t, "other.example.net", string(e.expand(nil, "%{p}", "example.com")))
	assert.Equal(t, "example.org", string(e.expand(nil, "%{p2}", "example.org")))
}

func TestTruncateName(t *testing.T) {
	long := strings.Repeat("abcdefghi.", 30) + "example.com" // 311 octets
	got := truncateName(long)
	assert.LessOrEqual(t, len(got), 253)
	assert.True(t, strings.HasSuffix(long, "."+got))
	assert.Greater(t, len(got), 253-10)
	assert.Equal(t, "", truncateName(strings.Repeat("x", 300)))
}
