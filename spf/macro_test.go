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

// TestRFCMacros: RFC 7208 §7 through exists.
func TestRFCMacros(t *testing.T) {
	hit := func(name string) string { return name + " A 127.0.0.2" }
	runAudit(t, []auditCase{
		{name: "l1r-", zone: []string{"d.test TXT v=spf1 exists:%{l1r-}.m.test -all", hit("first.m.test")},
			from: "first-middle-last@d.test", want: Pass},
		{name: "l-", zone: []string{"d.test TXT v=spf1 exists:%{l-}.m.test -all", hit("a.b.c.m.test")},
			from: "a-b.c@d.test", want: Pass},
		{name: "lr with dots", zone: []string{"d.test TXT v=spf1 exists:%{lr}.m.test -all", hit("last.first.m.test")},
			from: "first.last@d.test", want: Pass},
		{name: "l1", zone: []string{"d.test TXT v=spf1 exists:%{l1}.m.test -all", hit("last.m.test")},
			from: "first.last@d.test", want: Pass},
		{name: "l+ delimiter", zone: []string{"d.test TXT v=spf1 exists:%{l1r+}.m.test -all", hit("fred.m.test")},
			from: "fred+tag@d.test", want: Pass},
		{name: "null sender l", zone: []string{"mail.client.test TXT v=spf1 exists:%{l}.%{o}.m.test -all", hit("postmaster.mail.client.test.m.test")},
			from: "", want: Pass, check: func(t *testing.T, v Verdict, _ *auditResolver) {
				assert.Equal(t, IdentityMailFrom, v.Identity)
				assert.Equal(t, "postmaster@mail.client.test", v.Sender)
				assert.Equal(t, "spf=pass smtp.mailfrom=mail.client.test", v.AuthResult())
			}},
		{name: "null sender in brackets", zone: []string{"mail.client.test TXT v=spf1 +all"}, from: "<>", want: Pass},
		{name: "no local part", zone: []string{"d.test TXT v=spf1 exists:%{l}.m.test -all", hit("postmaster.m.test")},
			from: "@d.test", want: Pass},
		{name: "domain only", zone: []string{"d.test TXT v=spf1 exists:%{s}.m.test -all", hit("postmaster@d.test.m.test")},
			from: "d.test", want: Pass, check: func(t *testing.T, v Verdict, _ *auditResolver) {
				assert.Equal(t, "postmaster@d.test", v.Sender)
			}},
		{name: "o and d differ in include", zone: []string{"d.test TXT v=spf1 include:i.test -all", "i.test TXT v=spf1 exists:%{d}.%{o}.m.test", hit("i.test.d.test.m.test")},
			from: "u@d.test", want: Pass},
		{name: "h", zone: []string{"d.test TXT v=spf1 exists:%{h}.m.test -all", hit("helo.example.m.test")},
			helo: "helo.example", from: "u@d.test", want: Pass},
		{name: "d2 dr v ir", zone: []string{"sub.d.test TXT v=spf1 exists:%{ir}.%{v}.%{d2}.%{dr}.m.test -all", hit("1.2.0.192.in-addr.d.test.test.d.sub.m.test")},
			from: "u@sub.d.test", want: Pass},
		{name: "i of IPv6", ip: "2001:db8::cb01", zone: []string{"d.test TXT v=spf1 exists:%{ir}.%{v}.m.test -all",
			hit("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.m.test")},
			from: "u@d.test", want: Pass, check: func(t *testing.T, _ Verdict, r *auditResolver) {
				// Written as in RFC 7208 §7.4, for resolvers keyed on exact names.
				assert.Contains(t, r.log, "A 1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.m.test.")
			}},
		{name: "i of IPv6 in an explanation", ip: "2001:db8::cb01", zone: []string{"d.test TXT v=spf1 -all exp=e.d.test", "e.d.test TXT %{c} is %{ir}.%{v}.arpa"},
			from: "u@d.test", want: Fail, expl: "2001:db8::cb01 is 1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6.arpa"},
		{name: "upper-case escapes", zone: []string{"d.test TXT v=spf1 exists:%{S}.m.test -all", hit("a%2Bb%40d.test.m.test")},
			from: "a+b@d.test", want: Pass},
		{name: "empty labels in l", zone: []string{"d.test TXT v=spf1 exists:%{l}.m.test -all", hit("a.b.m.test")},
			from: "a..b@d.test", want: Fail},
		{name: "include of an empty-label expansion", zone: []string{"d.test TXT v=spf1 include:%{l}.m.test +all"},
			from: "a..b@d.test", want: PermError, err: ErrNoRecord, lookups: 1},
		{name: "redirect to an empty-label expansion", zone: []string{"d.test TXT v=spf1 redirect=%{l}.m.test"},
			from: "a..b@d.test", want: PermError, err: ErrNoRecord},
		{name: "a on an empty-label expansion", zone: []string{"d.test TXT v=spf1 a:%{l}.m.test -all"},
			from: ".a@d.test", want: Fail, lookups: 1, voids: zero},
		{name: "d of a domain with a final dot", zone: []string{"d.test TXT v=spf1 exists:%{d}.m.test -all", hit("d.test.m.test")},
			from: "u@d.test.", want: Pass, domain: "d.test"},
		// RFC 8616 §4: with a non-ASCII local-part, terms that include
		// %{s} or %{l} match nothing (and query nothing).
		{name: "non-ASCII local-part and l", zone: []string{"d.test TXT v=spf1 exists:%{l}.m.test ip4:192.0.2.9 -all", hit("jörg.m.test")},
			from: "jörg@d.test", want: Fail, lookups: zero, check: func(t *testing.T, _ Verdict, r *auditResolver) {
				assert.Equal(t, []string{"TXT d.test."}, r.log)
			}},
		{name: "non-ASCII local-part and S", zone: []string{"d.test TXT v=spf1 a:%{S}.m.test -all", hit("j%C3%B6rg%40d.test.m.test")},
			from: "jörg@d.test", want: Fail},
		{name: "non-ASCII local-part and include", zone: []string{"d.test TXT v=spf1 include:%{l}.m.test ~all"},
			from: "jörg@d.test", want: SoftFail},
		{name: "non-ASCII local-part and redirect", zone: []string{"d.test TXT v=spf1 redirect=%{l}.m.test"},
			from: "jörg@d.test", want: PermError, err: ErrNoRecord},
		{name: "non-ASCII local-part, d macro", zone: []string{"d.test TXT v=spf1 exists:%{d}.m.test -all", hit("d.test.m.test")},
			from: "jörg@d.test", want: Pass},
		{name: "non-ASCII local-part, %% then {l} is no macro", zone: []string{"d.test TXT v=spf1 exists:%%{l}.m.test -all", hit("%{l}.m.test")},
			from: "jörg@d.test", want: Pass},
		{name: "c not allowed outside exp", zone: []string{"d.test TXT v=spf1 exists:%{c}.m.test -all"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "d0", zone: []string{"d.test TXT v=spf1 exists:%{d0}.m.test -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "percent at the end", zone: []string{"d.test TXT v=spf1 exists:m.test% -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "percent-percent in a name", zone: []string{"d.test TXT v=spf1 exists:%%.m.test -all", hit("%.m.test")},
			from: "u@d.test", want: Pass},
		{name: "long expansion cut from the left", zone: []string{"d.test TXT v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.m.test -all",
			hit(strings.Repeat("x", 60) + "." + strings.Repeat("x", 60) + "." + strings.Repeat("x", 60) + "." + strings.Repeat("x", 60) + ".m.test")},
			from: strings.Repeat("x", 60) + "@d.test", want: Pass},
		{name: "huge expansion matches nothing", zone: []string{"d.test TXT v=spf1 exists:" + strings.Repeat("%{l}", 5000) + ".m.test -all"},
			from: strings.Repeat("x", 3000) + "@d.test", want: Fail},
	})
}
