package spf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The audit tests look at the Checker from the outside, the way another
// project's test suite would: a plain map resolver written from scratch
// (not the suite's fakeZone), a table of RFC 7208 corners, and checks of
// everything a Verdict reports.

// auditResolver is a map-backed Resolver. Missing names answer
// *net.DNSError{IsNotFound: true}, or (nil, nil) when nilForMissing is
// set, as some custom resolvers do for an empty answer. Faults are keyed by
// "TYPE name." (PTR faults by "PTR <ip>").
type auditResolver struct {
	txt           map[string][]string
	a, aaaa       map[string][]netip.Addr
	mx            map[string][]*net.MX
	ptr           map[string][]string // by the address's String()
	faults        map[string]error
	nilForMissing bool
	log           []string
}

// Fault kinds for zone lines "name FAULT TYPE kind".
var auditFaults = map[string]func(name string) error{
	"servfail": func(n string) error {
		return &net.DNSError{Err: "server misbehaving", Name: n, IsTemporary: true}
	},
	"timeout": func(n string) error {
		return &net.DNSError{Err: "i/o timeout", Name: n, IsTimeout: true, IsTemporary: true}
	},
	// A resolver that does not speak *net.DNSError at all.
	"plain": func(n string) error { return errors.New("connection refused") },
	// A *net.DNSError with no flag set is still a failure, not "no record".
	"noflags": func(n string) error { return &net.DNSError{Err: "odd failure", Name: n} },
	// NXDOMAIN wrapped by a middleware: still "no record".
	"wrappednx": func(n string) error {
		return fmt.Errorf("cache: %w", &net.DNSError{Err: "no such host", Name: n, IsNotFound: true})
	},
}

func auditKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) + "." }

// newAuditResolver reads lines "name TYPE value": TXT (the rest of the
// line, one string per line, repeated lines give several records), A,
// AAAA, MX ("pref host"), PTR ("<ip> PTR name"), FAULT ("TYPE kind").
func newAuditResolver(t testing.TB, lines ...string) *auditResolver {
	t.Helper()
	r := &auditResolver{
		txt: map[string][]string{}, a: map[string][]netip.Addr{}, aaaa: map[string][]netip.Addr{},
		mx: map[string][]*net.MX{}, ptr: map[string][]string{}, faults: map[string]error{},
	}
	for _, l := range lines {
		name, rest, _ := strings.Cut(l, " ")
		typ, val, _ := strings.Cut(rest, " ")
		switch typ {
		case "TXT":
			r.txt[auditKey(name)] = append(r.txt[auditKey(name)], val)
		case "A", "AAAA":
			a := netip.MustParseAddr(val)
			if typ == "A" {
				r.a[auditKey(name)] = append(r.a[auditKey(name)], a)
			} else {
				r.aaaa[auditKey(name)] = append(r.aaaa[auditKey(name)], a)
			}
		case "MX":
			p, h, _ := strings.Cut(val, " ")
			n, err := strconv.Atoi(p)
			require.NoError(t, err, l)
			r.mx[auditKey(name)] = append(r.mx[auditKey(name)], &net.MX{Host: h, Pref: uint16(n)})
		case "PTR":
			ip := netip.MustParseAddr(name).String()
			r.ptr[ip] = append(r.ptr[ip], val)
		case "FAULT":
			qt, kind, _ := strings.Cut(val, " ")
			f, ok := auditFaults[kind]
			require.True(t, ok, l)
			if qt == "PTR" {
				r.faults["PTR "+netip.MustParseAddr(name).String()] = f(name)
			} else {
				r.faults[qt+" "+auditKey(name)] = f(name)
			}
		default:
			t.Fatalf("bad zone line %q", l)
		}
	}
	return r
}

func (r *auditResolver) missing(name string) error {
	if r.nilForMissing {
		return nil
	}
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (r *auditResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	r.log = append(r.log, "TXT "+name)
	if err := r.faults["TXT "+auditKey(name)]; err != nil {
		return nil, err
	}
	if v, ok := r.txt[auditKey(name)]; ok {
		return v, nil
	}
	return nil, r.missing(name)
}

func (r *auditResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	qt, m := "A", r.a
	if network == "ip6" {
		qt, m = "AAAA", r.aaaa
	}
	r.log = append(r.log, qt+" "+host)
	if err := r.faults[qt+" "+auditKey(host)]; err != nil {
		return nil, err
	}
	if v, ok := m[auditKey(host)]; ok {
		return v, nil
	}
	return nil, r.missing(host)
}

func (r *auditResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	r.log = append(r.log, "MX "+name)
	if err := r.faults["MX "+auditKey(name)]; err != nil {
		return nil, err
	}
	if v, ok := r.mx[auditKey(name)]; ok {
		return v, nil
	}
	return nil, r.missing(name)
}

func (r *auditResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	key := netip.MustParseAddr(addr).String()
	r.log = append(r.log, "PTR "+key)
	if err := r.faults["PTR "+key]; err != nil {
		return nil, err
	}
	if v, ok := r.ptr[key]; ok {
		return v, nil
	}
	return nil, r.missing(addr)
}

// auditCase is one evaluation and what must come out of it. Zero-valued
// expectations are not checked unless the matching flag says so.
type auditCase struct {
	name     string
	zone     []string
	nilEmpty bool   // resolver answers (nil, nil) for missing names
	ip       string // default 192.0.2.1
	helo     string // default mail.client.test
	from     string
	isHELO   bool // CheckHELO instead of Check
	c        Checker

	want    Result
	err     error  // errors.Is target, when set
	mech    string // Verdict.Mechanism, when set ("!" means empty)
	domain  string // Verdict.Domain, when set
	expl    string // Verdict.Explanation, when set ("!" means empty)
	lookups int    // Verdict.Lookups, when non-zero (zero: expect 0)
	voids   int    // Verdict.VoidLookups, when non-zero (zero: expect 0)
	check   func(t *testing.T, v Verdict, r *auditResolver)
}

// zero asks for a count of 0 in auditCase.lookups and voids.
const zero = -1

func runAudit(t *testing.T, cases []auditCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newAuditResolver(t, tc.zone...)
			r.nilForMissing = tc.nilEmpty
			c := tc.c
			c.Resolver = r
			c.Now = func() time.Time { return time.Unix(1700000000, 0) }
			ipText := tc.ip
			if ipText == "" {
				ipText = "192.0.2.1"
			}
			helo := tc.helo
			if helo == "" {
				helo = "mail.client.test"
			}
			ip := netip.MustParseAddr(ipText)
			var v Verdict
			var err error
			if tc.isHELO {
				v, err = c.CheckHELO(context.Background(), ip, helo)
			} else {
				v, err = c.Check(context.Background(), ip, helo, tc.from)
			}
			require.Equal(t, tc.want, v.Result, "verdict %+v\nerr %v\nqueries %q", v, err, r.log)
			// DESIGN.md: the error is non-nil exactly for TempError and
			// PermError, and Problem says the same.
			if v.Result == TempError || v.Result == PermError {
				require.Error(t, err)
				assert.Equal(t, err.Error(), v.Problem)
			} else {
				require.NoError(t, err)
				assert.Empty(t, v.Problem)
			}
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
			}
			expectString(t, "Mechanism", tc.mech, v.Mechanism)
			expectString(t, "Explanation", tc.expl, v.Explanation)
			if tc.domain != "" {
				assert.Equal(t, tc.domain, v.Domain, "Domain")
			}
			expectCount(t, "Lookups", tc.lookups, v.Lookups)
			expectCount(t, "VoidLookups", tc.voids, v.VoidLookups)
			if v.Result != Fail {
				assert.Empty(t, v.Explanation, "explanations only on fail (RFC 7208 §6.2)")
			}
			if tc.check != nil {
				tc.check(t, v, r)
			}
		})
	}
}

func expectCount(t *testing.T, what string, want, got int) {
	t.Helper()
	switch want {
	case 0:
	case zero:
		assert.Zero(t, got, what)
	default:
		assert.Equal(t, want, got, what)
	}
}

func expectString(t *testing.T, what, want, got string) {
	t.Helper()
	switch want {
	case "":
	case "!":
		assert.Empty(t, got, what)
	default:
		assert.Equal(t, want, got, what)
	}
}

// tenA is ten "a" terms on names that resolve but never match.
var tenA = strings.Repeat("a:nm.test ", 10)

// TestAuditDNSFailures: every way a lookup can fail.
func TestAuditDNSFailures(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "txt plain error", zone: []string{"d.test FAULT TXT plain"}, from: "u@d.test",
			want: TempError, err: ErrDNS, lookups: zero, voids: zero},
		{name: "txt servfail", zone: []string{"d.test FAULT TXT servfail"}, from: "u@d.test",
			want: TempError, err: ErrDNS, lookups: zero, voids: zero},
		{name: "txt timeout", zone: []string{"d.test FAULT TXT timeout"}, from: "u@d.test",
			want: TempError, err: ErrDNS, lookups: zero, voids: zero},
		{name: "txt DNSError without flags", zone: []string{"d.test FAULT TXT noflags"}, from: "u@d.test",
			want: TempError, err: ErrDNS, lookups: zero, voids: zero},
		{name: "txt wrapped NXDOMAIN is none", zone: []string{"d.test FAULT TXT wrappednx"}, from: "u@d.test",
			want: None, lookups: zero, voids: zero},
		{name: "a plain error", zone: []string{"d.test TXT v=spf1 a:h.test -all", "h.test FAULT A plain"},
			from: "u@d.test", want: TempError, err: ErrDNS, lookups: 1, voids: zero},
		{name: "aaaa timeout for IPv6 client", ip: "2001:db8::1",
			zone: []string{"d.test TXT v=spf1 a:h.test -all", "h.test A 192.0.2.1", "h.test FAULT AAAA timeout"},
			from: "u@d.test", want: TempError, err: ErrDNS},
		{name: "mx plain error", zone: []string{"d.test TXT v=spf1 mx -all", "d.test FAULT MX plain"},
			from: "u@d.test", want: TempError, err: ErrDNS},
		{name: "mx host servfail", zone: []string{"d.test TXT v=spf1 mx -all", "d.test MX 10 m.test", "m.test FAULT A servfail"},
			from: "u@d.test", want: TempError, err: ErrDNS},
		{name: "exists timeout", zone: []string{"d.test TXT v=spf1 exists:e.test -all", "e.test FAULT A timeout"},
			from: "u@d.test", want: TempError, err: ErrDNS},
		// RFC 7208 §5.5: a PTR lookup error makes "ptr" not match; an
		// address lookup error skips that name.
		{name: "ptr lookup error does not match", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 FAULT PTR plain"},
			from: "u@d.test", want: Fail, mech: "-all", voids: zero},
		{name: "ptr name error skipped", zone: []string{"d.test TXT v=spf1 ptr -all",
			"192.0.2.1 PTR bad.d.test.", "192.0.2.1 PTR good.d.test.",
			"bad.d.test FAULT A servfail", "good.d.test A 192.0.2.1"},
			from: "u@d.test", want: Pass, mech: "ptr"},
		// §5.2: temperror and permerror of an include end everything, even
		// when a later term would match.
		{name: "include temperror propagates", zone: []string{"d.test TXT v=spf1 include:i.test ip4:192.0.2.1 -all", "i.test FAULT TXT servfail"},
			from: "u@d.test", want: TempError, err: ErrDNS, lookups: 1},
		{name: "include plain error propagates", zone: []string{"d.test TXT v=spf1 include:i.test +all", "i.test FAULT TXT plain"},
			from: "u@d.test", want: TempError, err: ErrDNS},
		{name: "nested include temperror", zone: []string{"d.test TXT v=spf1 include:i.test +all",
			"i.test TXT v=spf1 a:x.test include:j.test -all", "x.test A 10.0.0.1", "j.test TXT v=spf1 mx", "j.test FAULT MX timeout"},
			from: "u@d.test", want: TempError, err: ErrDNS, lookups: 4},
		{name: "include permerror propagates", zone: []string{"d.test TXT v=spf1 include:i.test +all", "i.test TXT v=spf1 bogus"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "include of NXDOMAIN", zone: []string{"d.test TXT v=spf1 include:i.test +all"},
			from: "u@d.test", want: PermError, err: ErrNoRecord},
		{name: "include of a name with other TXT only", zone: []string{"d.test TXT v=spf1 include:i.test +all", "i.test TXT hello"},
			from: "u@d.test", want: PermError, err: ErrNoRecord},
		{name: "include of a name with no TXT (nil answer)", nilEmpty: true, zone: []string{"d.test TXT v=spf1 include:i.test +all"},
			from: "u@d.test", want: PermError, err: ErrNoRecord},
		{name: "redirect to no record", zone: []string{"d.test TXT v=spf1 redirect=r.test"},
			from: "u@d.test", want: PermError, err: ErrNoRecord, lookups: 1},
		{name: "redirect temperror", zone: []string{"d.test TXT v=spf1 redirect=r.test", "r.test FAULT TXT timeout"},
			from: "u@d.test", want: TempError, err: ErrDNS},
	})
}

// TestAuditNilAnswers: a resolver that answers (nil, nil) for an empty
// answer must be read as "no records", including for void lookups.
func TestAuditNilAnswers(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "no txt", nilEmpty: true, from: "u@d.test", want: None},
		{name: "two void a", nilEmpty: true, zone: []string{"d.test TXT v=spf1 a:v1.test a:v2.test ip4:192.0.2.1 -all"},
			from: "u@d.test", want: Pass, lookups: 2, voids: 2},
		{name: "three void a", nilEmpty: true, zone: []string{"d.test TXT v=spf1 a:v1.test a:v2.test a:v3.test ip4:192.0.2.1 -all"},
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit, voids: 3},
		{name: "void mx", nilEmpty: true, zone: []string{"d.test TXT v=spf1 mx mx:x.test mx:y.test +all"},
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
		{name: "void ptr", nilEmpty: true, zone: []string{"d.test TXT v=spf1 ptr ptr ptr +all"},
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
	})
}

// TestAuditRecordSelection: RFC 7208 §4.5 and §3 (record text).
func TestAuditRecordSelection(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "upper-case version", zone: []string{"d.test TXT V=SPF1 -ALL"}, from: "u@d.test", want: Fail, mech: "-ALL"},
		{name: "mixed-case version", zone: []string{"d.test TXT v=Spf1 ip4:192.0.2.1"}, from: "u@d.test", want: Pass},
		{name: "v=spf10 is not a record", zone: []string{"d.test TXT v=spf10 -all"}, from: "u@d.test", want: None},
		{name: "v=spf1x is not a record", zone: []string{"d.test TXT v=spf1x -all", "d.test TXT v=spf1 ~all"}, from: "u@d.test", want: SoftFail},
		{name: "leading space is not a record", zone: []string{"d.test TXT  v=spf1 -all"}, from: "u@d.test", want: None},
		{name: "bare version", zone: []string{"d.test TXT v=spf1"}, from: "u@d.test", want: Neutral, mech: "!", lookups: zero},
		{name: "version and trailing space", zone: []string{"d.test TXT v=spf1 "}, from: "u@d.test", want: Neutral},
		{name: "many spaces", zone: []string{"d.test TXT v=spf1   ip4:192.0.2.9    ip4:192.0.2.1   -all   "},
			from: "u@d.test", want: Pass, mech: "ip4:192.0.2.1"},
		// §4.5: the version ends at SP or the end; §4.6.1 terms are
		// separated by SP only.
		{name: "tab after version", zone: []string{"d.test TXT v=spf1\t-all"}, from: "u@d.test", want: None},
		{name: "tab between terms", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1\t-all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "CRLF at the end", zone: []string{"d.test TXT v=spf1 -all\r\n"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "two records", zone: []string{"d.test TXT v=spf1 -all", "d.test TXT v=spf1 +all"},
			from: "u@d.test", want: PermError, err: ErrMultipleRecords},
		{name: "two records of different case", zone: []string{"d.test TXT v=spf1 -all", "d.test TXT V=SPF1 +all"},
			from: "u@d.test", want: PermError, err: ErrMultipleRecords},
		{name: "other TXT records ignored", zone: []string{"d.test TXT google-site-verification=x", "d.test TXT v=spf1 +all", "d.test TXT v=DMARC1; p=none"},
			from: "u@d.test", want: Pass, mech: "+all"},
		// §3.3: the strings of one TXT record are joined by the resolver
		// (*net.Resolver does). Several strings in the answer are several
		// records: a record split by a custom resolver is not rejoined,
		// because it cannot be told apart from two records.
		{name: "strings are records", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.9", "d.test TXT  -all"},
			from: "u@d.test", want: Neutral},
		{name: "non-ASCII in the record", zone: []string{"d.test TXT v=spf1 a:bücher.test -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "non-ASCII in another TXT record", zone: []string{"d.test TXT grüße", "d.test TXT v=spf1 -all"}, from: "u@d.test", want: Fail},
		{name: "NUL in the record", zone: []string{"d.test TXT v=spf1 a:x\x00.test -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "record that does not parse, after a match", zone: []string{"d.test TXT v=spf1 +all foo:bar"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
	})
}

// TestAuditExplanation: RFC 7208 §6.2.
func TestAuditExplanation(t *testing.T) {
	long := strings.Repeat("%{l}", 10000)
	runAudit(t, []auditCase{
		{name: "macros", zone: []string{"d.test TXT v=spf1 -all exp=why.%{d}",
			"why.d.test TXT %{l} at %{o} via %{h} from %{i} (%{v}) for %{d}: see %{c}, %{r}, %{t}"},
			from: "who@d.test", c: Checker{Receiver: "mx.me.test"}, want: Fail,
			expl: "who at d.test via mail.client.test from 192.0.2.1 (in-addr) for d.test: see 192.0.2.1, mx.me.test, 1700000000"},
		{name: "escaping macros", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT s=%{S} l=%{L}"},
			from: "a+b c@d.test", want: Fail, expl: "s=a%2Bb%20c%40d.test l=a%2Bb%20c"},
		{name: "receiver unknown", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{r}"},
			from: "u@d.test", want: Fail, expl: "unknown"},
		{name: "non-ASCII text", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT Zugriff verweigert für %{i}"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "control character", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT bad\x07bell"},
			from: "u@d.test", want: Fail, expl: "!"},
		// §6.2: "the explanation string MUST be limited to [US-ASCII]": a
		// sender-controlled macro value cannot bring in anything else.
		{name: "non-ASCII from a macro", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{l} is not allowed"},
			from: "jörg@d.test", want: Fail, expl: "!"},
		{name: "CRLF from a macro", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{l} is not allowed"},
			from: "a\r\n550 injected@d.test", want: Fail, expl: "!"},
		{name: "exp name with l and a non-ASCII local-part", zone: []string{"d.test TXT v=spf1 -all exp=%{l}.d.test", "jörg.d.test TXT why"},
			from: "jörg@d.test", want: Fail, expl: "!"},
		{name: "escaped non-ASCII from a macro is fine", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{L} is not allowed"},
			from: "jörg@d.test", want: Fail, expl: "j%C3%B6rg is not allowed"},
		{name: "huge expansion is dropped", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT " + long},
			from: strings.Repeat("x", 2000) + "@d.test", want: Fail,
			check: func(t *testing.T, v Verdict, _ *auditResolver) { assert.Zero(t, len(v.Explanation)) }},
		{name: "two TXT records", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT one", "why.d.test TXT two"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "no TXT record", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test"},
			from: "u@d.test", want: Fail, expl: "!", voids: zero},
		{name: "TXT servfail", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test FAULT TXT servfail"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "invalid macro", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{x} no"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "exp name expands to nothing valid", zone: []string{"d.test TXT v=spf1 -all exp=%{l}.d.test"},
			from: "a..b@d.test", want: Fail, expl: "!"},
		{name: "not on softfail", zone: []string{"d.test TXT v=spf1 ~all exp=why.d.test", "why.d.test TXT nope"},
			from: "u@d.test", want: SoftFail},
		{name: "not on neutral", zone: []string{"d.test TXT v=spf1 ?all exp=why.d.test", "why.d.test TXT nope"},
			from: "u@d.test", want: Neutral},
		{name: "exp lookup is no DNS term", zone: []string{"d.test TXT v=spf1 " + tenA + "-all exp=why.d.test", "nm.test A 10.0.0.1", "why.d.test TXT nope"},
			from: "u@d.test", want: Fail, expl: "nope", lookups: 10},
		{name: "redirect uses the target's exp", zone: []string{"d.test TXT v=spf1 redirect=r.test exp=mine.test",
			"r.test TXT v=spf1 -all exp=theirs.test", "mine.test TXT mine", "theirs.test TXT theirs %{d} %{o}"},
			from: "u@d.test", want: Fail, expl: "theirs r.test d.test", domain: "r.test"},
		{name: "redirect target without exp", zone: []string{"d.test TXT v=spf1 redirect=r.test exp=mine.test",
			"r.test TXT v=spf1 -all", "mine.test TXT mine"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "include's exp is not used", zone: []string{"d.test TXT v=spf1 include:i.test -all exp=mine.test",
			"i.test TXT v=spf1 -all exp=theirs.test", "mine.test TXT mine", "theirs.test TXT theirs"},
			from: "u@d.test", want: Fail, expl: "mine", mech: "-all", domain: "d.test"},
		{name: "default explanation", zone: []string{"d.test TXT v=spf1 -all"},
			c: Checker{DefaultExplanation: "%{d} does not allow %{i}"}, from: "u@d.test", want: Fail, expl: "d.test does not allow 192.0.2.1"},
	})
}

// TestAuditEvaluationOrder: redirect, all and include (RFC 7208 §4.6.2,
// §5.1, §5.2, §6.1).
func TestAuditEvaluationOrder(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "all wins over redirect", zone: []string{"d.test TXT v=spf1 -all redirect=r.test", "r.test TXT v=spf1 +all"},
			from: "u@d.test", want: Fail, mech: "-all", lookups: zero, domain: "d.test"},
		{name: "redirect written first is still ignored", zone: []string{"d.test TXT v=spf1 redirect=r.test ~all", "r.test TXT v=spf1 +all"},
			from: "u@d.test", want: SoftFail, lookups: zero},
		{name: "redirect after no match", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.9 redirect=r.test", "r.test TXT v=spf1 ip4:192.0.2.0/24 -all"},
			from: "u@d.test", want: Pass, mech: "ip4:192.0.2.0/24", domain: "r.test", lookups: 1},
		{name: "redirect chain", zone: []string{"d.test TXT v=spf1 redirect=r1.test", "r1.test TXT v=spf1 redirect=r2.test", "r2.test TXT v=spf1 ?all"},
			from: "u@d.test", want: Neutral, mech: "?all", domain: "r2.test", lookups: 2},
		{name: "redirect to neutral default", zone: []string{"d.test TXT v=spf1 redirect=r.test", "r.test TXT v=spf1 ip4:192.0.2.9"},
			from: "u@d.test", want: Neutral, mech: "!", domain: "r.test"},
		{name: "redirect to self", zone: []string{"d.test TXT v=spf1 redirect=d.test"},
			from: "u@d.test", want: PermError},
		{name: "include pass", zone: []string{"d.test TXT v=spf1 include:i.test -all", "i.test TXT v=spf1 ip4:192.0.2.1 -all"},
			from: "u@d.test", want: Pass, mech: "include:i.test", domain: "d.test", lookups: 1},
		{name: "include fail is no match", zone: []string{"d.test TXT v=spf1 include:i.test ~all", "i.test TXT v=spf1 -all"},
			from: "u@d.test", want: SoftFail, mech: "~all"},
		{name: "include softfail is no match", zone: []string{"d.test TXT v=spf1 include:i.test ?all", "i.test TXT v=spf1 ~all"},
			from: "u@d.test", want: Neutral, mech: "?all"},
		{name: "include neutral is no match", zone: []string{"d.test TXT v=spf1 include:i.test -all", "i.test TXT v=spf1"},
			from: "u@d.test", want: Fail},
		{name: "qualified include", zone: []string{"d.test TXT v=spf1 -include:i.test +all", "i.test TXT v=spf1 +all"},
			from: "u@d.test", want: Fail, mech: "-include:i.test"},
		{name: "include redirects inside", zone: []string{"d.test TXT v=spf1 include:i.test -all", "i.test TXT v=spf1 redirect=j.test", "j.test TXT v=spf1 +all"},
			from: "u@d.test", want: Pass, mech: "include:i.test", lookups: 2},
		{name: "mutual include loop", zone: []string{"d.test TXT v=spf1 include:i.test -all", "i.test TXT v=spf1 include:d.test -all"},
			from: "u@d.test", want: PermError},
		{name: "match before a loop", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1 include:d.test -all"},
			from: "u@d.test", want: Pass},
		{name: "the same include twice is no loop", zone: []string{"d.test TXT v=spf1 include:i.test include:i.test ~all", "i.test TXT v=spf1 -all"},
			from: "u@d.test", want: SoftFail, lookups: 2},
		{name: "unknown modifiers ignored", zone: []string{"d.test TXT v=spf1 moo=cow moo=%{d} ip4:192.0.2.1 -all"},
			from: "u@d.test", want: Pass},
		{name: "unknown modifier with bad macro", zone: []string{"d.test TXT v=spf1 moo=%{z} ip4:192.0.2.1 -all"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "two redirects", zone: []string{"d.test TXT v=spf1 redirect=a.test REDIRECT=b.test"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "two exps", zone: []string{"d.test TXT v=spf1 -all exp=a.test exp=b.test"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "empty exp", zone: []string{"d.test TXT v=spf1 -all exp="},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "qualifier on a modifier", zone: []string{"d.test TXT v=spf1 +redirect=r.test", "r.test TXT v=spf1 +all"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
	})
}

// TestAuditLimits: RFC 7208 §4.6.4 at and just past each limit.
func TestAuditLimits(t *testing.T) {
	base := []string{"nm.test A 10.0.0.1", "hit.test A 192.0.2.1", "mxhit.test MX 10 hit.test",
		"192.0.2.1 PTR hit.ptr.test.", "hit.ptr.test A 192.0.2.1", "inc.test TXT v=spf1 +all"}
	zone := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	nine := strings.Repeat("a:nm.test ", 9)
	cases := []auditCase{
		{name: "ten terms, the tenth matches", zone: zone("d.test TXT v=spf1 " + nine + "a:hit.test -all"),
			from: "u@d.test", want: Pass, mech: "a:hit.test", lookups: 10},
		{name: "ten terms then ip4", zone: zone("d.test TXT v=spf1 " + tenA + "ip4:192.0.2.1 -all"),
			from: "u@d.test", want: Pass, mech: "ip4:192.0.2.1", lookups: 10},
		{name: "ten terms then all", zone: zone("d.test TXT v=spf1 " + tenA + "-all"),
			from: "u@d.test", want: Fail, lookups: 10},
		{name: "MaxLookups raised", zone: zone("d.test TXT v=spf1 " + tenA + "a:hit.test -all"), c: Checker{MaxLookups: 11},
			from: "u@d.test", want: Pass, lookups: 11},
		{name: "ten lookups across include", zone: zone("d.test TXT v=spf1 include:i.test a:hit.test", "i.test TXT v=spf1 "+strings.Repeat("a:nm.test ", 8)),
			from: "u@d.test", want: Pass, lookups: 10},
		{name: "eleven across include", zone: zone("d.test TXT v=spf1 include:i.test a:hit.test", "i.test TXT v=spf1 "+nine),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "redirect as the tenth", zone: zone("d.test TXT v=spf1 "+nine+"redirect=r.test", "r.test TXT v=spf1 ip4:192.0.2.1 -all"),
			from: "u@d.test", want: Pass, lookups: 10},
		{name: "redirect as the eleventh", zone: zone("d.test TXT v=spf1 "+tenA+"redirect=r.test", "r.test TXT v=spf1 ip4:192.0.2.1 -all"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "void at two", zone: zone("d.test TXT v=spf1 a:v1.test exists:v2.test ip4:192.0.2.1 -all"),
			from: "u@d.test", want: Pass, voids: 2, lookups: 2},
		{name: "void at three by exists", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test exists:v3.test"),
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit, voids: 3},
		{name: "void at three by mx", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test mx:nm.test"),
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
		{name: "void at three by ptr", ip: "192.0.2.77", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test ptr"),
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
		{name: "void at three inside include", zone: zone("d.test TXT v=spf1 a:v1.test include:i.test +all", "i.test TXT v=spf1 a:v2.test a:v3.test"),
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
		{name: "negative void limit is the default", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test a:v3.test a:v4.test -all"), c: Checker{MaxVoidLookups: -1},
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit, voids: 3},
		{name: "void limit raised", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test a:v3.test -all"), c: Checker{MaxVoidLookups: 3},
			from: "u@d.test", want: Fail, voids: 3},
		// An MX host without addresses is not a void term: the MX lookup
		// found records.
		{name: "mx hosts without addresses", zone: zone("d.test TXT v=spf1 mx ip4:192.0.2.1 -all",
			"d.test MX 1 g1.test", "d.test MX 2 g2.test", "d.test MX 3 g3.test"),
			from: "u@d.test", want: Pass, voids: zero},
		{name: "ten mx terms", zone: zone("d.test TXT v=spf1 "+strings.Repeat("mx:nm.test ", 9)+"mx:mxhit.test -all", "nm.test MX 1 nm.test"),
			from: "u@d.test", want: Pass, lookups: 10},
		{name: "eleventh term is mx", zone: zone("d.test TXT v=spf1 " + tenA + "mx:mxhit.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleventh term is ptr", zone: zone("d.test TXT v=spf1 " + tenA + "ptr:ptr.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleventh term is exists", zone: zone("d.test TXT v=spf1 " + tenA + "exists:hit.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleventh term is include", zone: zone("d.test TXT v=spf1 " + tenA + "include:inc.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleventh term matches nothing and is last", zone: zone("d.test TXT v=spf1 " + tenA + "a:nm.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleven ptr terms", zone: zone("d.test TXT v=spf1 " + strings.Repeat("ptr:no.test ", 11) + "-all"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
	}
	// §4.6.4: at most 10 MX records; 10 are evaluated, 11 are permerror
	// whatever the order (pyspf and the RFC 7208 suite's mx-limit agree).
	ten := []string{"d.test TXT v=spf1 mx -all"}
	for i := 1; i <= 10; i++ {
		ten = append(ten, fmt.Sprintf("d.test MX %d m%d.test", i, i), fmt.Sprintf("m%d.test A 10.0.1.%d", i, i))
	}
	cases = append(cases,
		auditCase{name: "ten MX, the tenth matches", ip: "10.0.1.10", zone: ten, from: "u@d.test", want: Pass, mech: "mx", lookups: 1},
		auditCase{name: "eleven MX", ip: "10.0.1.1", zone: append(ten, "d.test MX 11 m11.test"), from: "u@d.test", want: PermError, err: ErrMXLimit},
	)
	// §4.6.4: only the first 10 PTR names are looked at.
	ptrs := []string{"d.test TXT v=spf1 ptr -all"}
	for i := 1; i <= 10; i++ {
		ptrs = append(ptrs, fmt.Sprintf("192.0.2.1 PTR n%d.other.test.", i), fmt.Sprintf("n%d.other.test A 192.0.2.1", i))
	}
	cases = append(cases,
		auditCase{name: "eleventh PTR name ignored", zone: append(ptrs, "192.0.2.1 PTR mail.d.test.", "mail.d.test A 192.0.2.1"), from: "u@d.test", want: Fail},
		auditCase{name: "tenth PTR name used", zone: append(append([]string{}, ptrs[:len(ptrs)-2]...), "192.0.2.1 PTR mail.d.test.", "mail.d.test A 192.0.2.1"),
			from: "u@d.test", want: Pass},
	)
	runAudit(t, cases)
}

// TestAuditMechanisms: a, mx, ptr, ip4, ip6, exists (RFC 7208 §5).
func TestAuditMechanisms(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "a/0 any IPv4", ip: "203.0.113.9", zone: []string{"d.test TXT v=spf1 a/0 -all", "d.test A 10.0.0.1"},
			from: "u@d.test", want: Pass, mech: "a/0"},
		{name: "a/0 without A records", ip: "203.0.113.9", zone: []string{"d.test TXT v=spf1 a/0 -all", "d.test AAAA 2001:db8::1"},
			from: "u@d.test", want: Fail, voids: 1},
		{name: "a//0 any IPv6", ip: "2001:db8:ffff::9", zone: []string{"d.test TXT v=spf1 a//0 -all", "d.test AAAA 2001:db8::1"},
			from: "u@d.test", want: Pass, mech: "a//0"},
		{name: "a//0 does not widen IPv4", ip: "203.0.113.9", zone: []string{"d.test TXT v=spf1 a//0 -all", "d.test A 10.0.0.1"},
			from: "u@d.test", want: Fail},
		{name: "a dual cidr", ip: "2001:db8::ffff", zone: []string{"d.test TXT v=spf1 a:h.test/24//64 -all", "h.test AAAA 2001:db8::1"},
			from: "u@d.test", want: Pass, mech: "a:h.test/24//64"},
		{name: "a dual cidr v4 side", ip: "192.0.2.200", zone: []string{"d.test TXT v=spf1 a:h.test/24//64 -all", "h.test A 192.0.2.1"},
			from: "u@d.test", want: Pass},
		{name: "a/33", zone: []string{"d.test TXT v=spf1 a/33 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a//129", zone: []string{"d.test TXT v=spf1 a//129 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a/024", zone: []string{"d.test TXT v=spf1 a/024 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a/ empty", zone: []string{"d.test TXT v=spf1 a/ -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a: empty", zone: []string{"d.test TXT v=spf1 a: -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a numeric toplabel", zone: []string{"d.test TXT v=spf1 a:192.0.2.1 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a trailing dot", zone: []string{"d.test TXT v=spf1 a:h.test. -all", "h.test A 192.0.2.1"}, from: "u@d.test", want: Pass},
		{name: "a IPv6 client ignores A", ip: "2001:db8::1", zone: []string{"d.test TXT v=spf1 a -all", "d.test A 192.0.2.1"},
			from: "u@d.test", want: Fail, voids: 1},
		{name: "IPv4-mapped client matches A", ip: "::ffff:192.0.2.1", zone: []string{"d.test TXT v=spf1 a -all", "d.test A 192.0.2.1"},
			from: "u@d.test", want: Pass, check: func(t *testing.T, v Verdict, r *auditResolver) {
				assert.Equal(t, "192.0.2.1", v.ClientIP.String())
				assert.Contains(t, r.log, "A d.test.")
				assert.NotContains(t, r.log, "AAAA d.test.")
			}},
		{name: "mx cidr", ip: "192.0.2.3", zone: []string{"d.test TXT v=spf1 mx/30 -all", "d.test MX 10 m.test", "m.test A 192.0.2.1"},
			from: "u@d.test", want: Pass, mech: "mx/30"},
		{name: "mx null MX", zone: []string{"d.test TXT v=spf1 mx -all", "d.test MX 0 .", "d.test A 192.0.2.1"},
			from: "u@d.test", want: Fail, voids: zero},
		{name: "mx missing host skipped", zone: []string{"d.test TXT v=spf1 mx -all", "d.test MX 1 gone.test", "d.test MX 2 m.test", "m.test A 192.0.2.1"},
			from: "u@d.test", want: Pass},
		{name: "ptr exact", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR d.test.", "d.test A 192.0.2.1"},
			from: "u@d.test", want: Pass},
		{name: "ptr subdomain, any case", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR Mail.D.Test.", "mail.d.test A 192.0.2.1"},
			from: "u@d.test", want: Pass},
		{name: "ptr not at a label boundary", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR notd.test.", "notd.test A 192.0.2.1"},
			from: "u@d.test", want: Fail},
		{name: "ptr not validated", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR mail.d.test.", "mail.d.test A 192.0.2.99"},
			from: "u@d.test", want: Fail},
		{name: "ptr validated by another family only", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR mail.d.test.", "mail.d.test AAAA ::ffff:192.0.2.1"},
			from: "u@d.test", want: Fail},
		{name: "ptr target", zone: []string{"d.test TXT v=spf1 ptr:o.test -all", "192.0.2.1 PTR x.o.test.", "x.o.test A 192.0.2.1"},
			from: "u@d.test", want: Pass, mech: "ptr:o.test"},
		{name: "ptr IPv6", ip: "2001:db8::7", zone: []string{"d.test TXT v=spf1 ptr -all", "2001:db8::7 PTR h.d.test.", "h.d.test AAAA 2001:db8::7"},
			from: "u@d.test", want: Pass},
		{name: "ip4 leading zero", zone: []string{"d.test TXT v=spf1 ip4:192.0.02.1 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 three octets", zone: []string{"d.test TXT v=spf1 ip4:192.0.2 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 over 255", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.256 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 /33", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1/33 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 empty cidr", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1/ -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 IPv6 text", zone: []string{"d.test TXT v=spf1 ip4:::1 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 port", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1:25 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 /0", ip: "203.0.113.1", zone: []string{"d.test TXT v=spf1 ip4:0.0.0.0/0 -all"}, from: "u@d.test", want: Pass},
		{name: "ip4 host bits set", ip: "192.0.2.200", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.77/24 -all"}, from: "u@d.test", want: Pass, mech: "ip4:192.0.2.77/24"},
		{name: "ip4 never matches IPv6", ip: "2001:db8::1", zone: []string{"d.test TXT v=spf1 ip4:0.0.0.0/0 -all"}, from: "u@d.test", want: Fail},
		{name: "ip6 upper case", ip: "2001:db8::1", zone: []string{"d.test TXT v=spf1 IP6:2001:DB8::/32 -all"}, from: "u@d.test", want: Pass, mech: "IP6:2001:DB8::/32"},
		{name: "ip6 embedded IPv4 notation", ip: "2001:db8::c000:201", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::192.0.2.1 -all"}, from: "u@d.test", want: Pass},
		{name: "ip6 zone", zone: []string{"d.test TXT v=spf1 ip6:fe80::1%eth0 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 IPv4 text", zone: []string{"d.test TXT v=spf1 ip6:192.0.2.1 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 /129", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::/129 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 /048", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::/048 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 dual cidr", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::/32//64 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 never matches IPv4", zone: []string{"d.test TXT v=spf1 ip6:::/0 -all"}, from: "u@d.test", want: Fail},
		// §5: an IPv4-mapped client is IPv4; an ip6 network written in
		// the mapped form does not match it.
		{name: "mapped ip6 network, mapped client", ip: "::ffff:192.0.2.1", zone: []string{"d.test TXT v=spf1 ip6:::ffff:192.0.2.0/120 -all"},
			from: "u@d.test", want: Fail},
		{name: "exists IPv6 client looks up A", ip: "2001:db8::1", zone: []string{"d.test TXT v=spf1 exists:e.test -all", "e.test A 127.0.0.2"},
			from: "u@d.test", want: Pass},
		{name: "exists with AAAA only", zone: []string{"d.test TXT v=spf1 exists:e.test -all", "e.test AAAA ::1"},
			from: "u@d.test", want: Fail, voids: 1},
		{name: "all with argument", zone: []string{"d.test TXT v=spf1 -all:foo"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "unknown mechanism after a match", zone: []string{"d.test TXT v=spf1 +all foo"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "include without a name", zone: []string{"d.test TXT v=spf1 include -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "exists without a name", zone: []string{"d.test TXT v=spf1 exists: -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
	})
}

// TestAuditMacros: RFC 7208 §7 through exists.
func TestAuditMacros(t *testing.T) {
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

// TestAuditIdentities: RFC 7208 §2.3, §2.4, §4.3.
func TestAuditIdentities(t *testing.T) {
	noQuery := func(t *testing.T, v Verdict, r *auditResolver) {
		assert.Empty(t, r.log, "no DNS query for a malformed identity")
	}
	runAudit(t, []auditCase{
		{name: "helo address literal", isHELO: true, helo: "[192.0.2.1]", want: None, check: noQuery},
		{name: "helo IPv6 literal", isHELO: true, helo: "[IPv6:2001:db8::1]", want: None, check: noQuery},
		{name: "helo bare address", isHELO: true, helo: "192.0.2.1", want: None, check: noQuery},
		{name: "helo single label", isHELO: true, helo: "localhost", want: None, check: noQuery},
		{name: "helo numeric toplabel", isHELO: true, helo: "host.123", want: None, check: noQuery},
		{name: "helo empty", isHELO: true, helo: " ", want: None, check: noQuery},
		{name: "helo trailing dot", isHELO: true, helo: "mail.h.test.", zone: []string{"mail.h.test TXT v=spf1 +all"}, want: Pass,
			domain: "mail.h.test", check: func(t *testing.T, v Verdict, _ *auditResolver) {
				assert.Equal(t, "spf=pass smtp.helo=mail.h.test", v.AuthResult())
			}},
		{name: "helo check", isHELO: true, helo: "mail.h.test", zone: []string{"mail.h.test TXT v=spf1 exists:%{s}.%{l}.%{o}.%{h}.m.test -all",
			"postmaster@mail.h.test.postmaster.mail.h.test.mail.h.test.m.test A 127.0.0.2"}, want: Pass,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				assert.Equal(t, IdentityHELO, v.Identity)
				assert.Equal(t, "postmaster@mail.h.test", v.Sender)
				assert.Equal(t, "spf=pass smtp.helo=mail.h.test", v.AuthResult())
				h := v.ReceivedSPF("mx.me.test")
				assert.Contains(t, h, "identity=helo;")
				assert.Contains(t, h, "helo=mail.h.test;")
				assert.NotContains(t, h, "envelope-from=")
			}},
		{name: "mail from literal", from: "u@[192.0.2.1]", want: None, check: noQuery},
		{name: "mail from without domain", from: "u@", want: None, check: noQuery},
		{name: "mail from single label", from: "u@localhost", want: None, check: noQuery},
		{name: "mail from empty label", from: "u@a..test", want: None, check: noQuery},
		{name: "mail from long label", from: "u@" + strings.Repeat("a", 64) + ".test", want: None, check: noQuery},
		{name: "mail from with quoted local part", zone: []string{"d.test TXT v=spf1 exists:%{l}.m.test -all", "\"a@b\".m.test A 127.0.0.2"},
			from: "\"a@b\"@d.test", want: Pass},
		{name: "null sender with bad helo", from: "", helo: "[192.0.2.1]", want: None, check: noQuery},
		{name: "IDN sender domain", zone: []string{"xn--bcher-kva.test TXT v=spf1 exists:%{o}.%{d}.m.test -all",
			"xn--bcher-kva.test.xn--bcher-kva.test.m.test A 127.0.0.2"}, from: "u@bücher.test", want: Pass,
			domain: "xn--bcher-kva.test", check: func(t *testing.T, v Verdict, _ *auditResolver) {
				assert.Equal(t, "spf=pass smtp.mailfrom=xn--bcher-kva.test", v.AuthResult())
			}},
		{name: "upper-case sender domain", zone: []string{"d.test TXT v=spf1 exists:%{d}.M.test -all", "d.test.m.test A 127.0.0.2"},
			from: "U@D.Test", want: Pass, check: func(t *testing.T, v Verdict, r *auditResolver) {
				assert.Equal(t, "U@D.Test", v.Sender)
				// Names are queried in lower case, for resolvers keyed on
				// exact names.
				assert.Equal(t, []string{"TXT d.test.", "A d.test.m.test."}, r.log)
			}},
	})
}

// TestAuditHeaders: Received-SPF (RFC 7208 §9.1) and the RFC 8601 method.
func TestAuditHeaders(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "default mechanism", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.9"}, from: "u@d.test", want: Neutral,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				// §9.1: "if no mechanisms matched, substitute the word
				// "default"".
				assert.Contains(t, h, "mechanism=default;")
				assert.True(t, strings.HasPrefix(h, "Received-SPF: neutral (mx.me.test: 192.0.2.1 is neither permitted nor denied by domain of u@d.test)"), h)
				assert.Equal(t, "spf=neutral smtp.mailfrom=d.test", v.AuthResult())
			}},
		{name: "matched mechanism", ip: "2001:db8::5", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::/32 -all"}, from: "u@d.test", want: Pass,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				for _, kv := range []string{`client-ip="2001:db8::5";`, `envelope-from="u@d.test";`, `helo=mail.client.test;`,
					`receiver=mx.me.test;`, `identity=mailfrom;`, `mechanism="ip6:2001:db8::/32";`} {
					assert.Contains(t, h, kv)
				}
				assert.NotContains(t, h, "problem=")
				assert.Equal(t, "spf=pass smtp.mailfrom=d.test", v.AuthResult())
			}},
		{name: "none has no mechanism", from: "u@d.test", want: None,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				assert.NotContains(t, h, "mechanism=")
				assert.Contains(t, h, "Received-SPF: none (mx.me.test: domain of u@d.test does not designate permitted sender hosts)")
				assert.Equal(t, "spf=none smtp.mailfrom=d.test", v.AuthResult())
			}},
		{name: "temperror has a problem", zone: []string{"d.test FAULT TXT timeout"}, from: "u@d.test", want: TempError,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				assert.Contains(t, h, "problem=")
				assert.NotContains(t, h, "mechanism=")
				assert.Equal(t, "spf=temperror smtp.mailfrom=d.test", v.AuthResult())
			}},
		{name: "permerror has a problem", zone: []string{"d.test TXT v=spf1 ip4:300.0.0.1"}, from: "u@d.test", want: PermError,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				assert.Contains(t, h, `problem="spf: invalid term \"ip4:300.0.0.1\"`)
				assert.NotContains(t, h, "mechanism=")
				assertBalanced(t, h)
			}},
		{name: "fail with explanation", zone: []string{"d.test TXT v=spf1 -all exp=e.d.test", "e.d.test TXT go away"}, from: "u@d.test", want: Fail, expl: "go away",
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("")
				assert.True(t, strings.HasPrefix(h, "Received-SPF: fail (domain of u@d.test does not designate 192.0.2.1 as permitted sender)"), h)
				assert.Contains(t, h, "mechanism=-all;")
				assert.NotContains(t, h, "receiver=")
			}},
	})
}

// TestAuditDoubleCheck: a Checker is reusable and its zero value works
// with a resolver; results do not leak between evaluations.
func TestAuditDoubleCheck(t *testing.T) {
	r := newAuditResolver(t, "d.test TXT v=spf1 exists:%{p}.m.test ip4:192.0.2.1 -all", "unknown.m.test A 127.0.0.2",
		"192.0.2.7 PTR h.d.test.", "h.d.test A 192.0.2.7")
	c := &Checker{Resolver: r}
	for _, tt := range []struct {
		ip   string
		want Result
	}{{"192.0.2.1", Pass}, {"192.0.2.7", Fail}, {"192.0.2.1", Pass}} {
		v, err := c.Check(context.Background(), netip.MustParseAddr(tt.ip), "h.test", "u@d.test")
		require.NoError(t, err)
		assert.Equal(t, tt.want, v.Result, tt.ip)
		assert.Equal(t, 1, v.Lookups)
	}
}

// TestAuditParseRoundTrip: Parse(r.String()) gives back an equal Record,
// whatever the spelling of the input.
func TestAuditParseRoundTrip(t *testing.T) {
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

// TestAuditRFC4408Suite runs the older OpenSPF RFC 4408 suite (testdata,
// see PROVENANCE.md) through the same runner as the RFC 7208 suite.
func TestAuditRFC4408Suite(t *testing.T) {
	passed, total := runSuite(t, "testdata/rfc4408-tests.yml")
	t.Logf("RFC 4408 suite: %d/%d passed", passed, total)
	require.Equal(t, 191, total, "the suite has 191 cases")
}

// TestAuditAppendixA evaluates the simple examples of RFC 7208 Appendix
// A.1 against the zone of Appendix A: for each record, exactly the listed
// clients pass and every other client of the zone fails.
func TestAuditAppendixA(t *testing.T) {
	zone := []string{
		"example.com A 192.0.2.10", "example.com A 192.0.2.11",
		"amy.example.com A 192.0.2.65", "bob.example.com A 192.0.2.66",
		"mail-a.example.com A 192.0.2.129", "mail-b.example.com A 192.0.2.130",
		"mail-c.example.org A 192.0.2.140",
		"example.com MX 10 mail-a.example.com", "example.com MX 20 mail-b.example.com",
		"example.org MX 10 mail-c.example.org",
		"192.0.2.10 PTR example.com.", "192.0.2.11 PTR example.com.",
		"192.0.2.65 PTR amy.example.com.", "192.0.2.66 PTR bob.example.com.",
		"192.0.2.129 PTR mail-a.example.com.", "192.0.2.130 PTR mail-b.example.com.",
		"192.0.2.140 PTR mail-c.example.org.", "10.0.0.4 PTR bob.example.com.",
	}
	clients := []string{"192.0.2.10", "192.0.2.11", "192.0.2.65", "192.0.2.66", "192.0.2.129", "192.0.2.130", "192.0.2.140", "10.0.0.4"}
	for _, tt := range []struct {
		record string
		pass   []string
	}{
		{"v=spf1 a -all", []string{"192.0.2.10", "192.0.2.11"}},
		{"v=spf1 a:example.org -all", nil},
		{"v=spf1 mx -all", []string{"192.0.2.129", "192.0.2.130"}},
		{"v=spf1 mx:example.org -all", []string{"192.0.2.140"}},
		{"v=spf1 mx mx:example.org -all", []string{"192.0.2.129", "192.0.2.130", "192.0.2.140"}},
		{"v=spf1 mx/30 mx:example.org/30 -all", []string{"192.0.2.129", "192.0.2.130", "192.0.2.140"}},
		{"v=spf1 ptr -all", []string{"192.0.2.10", "192.0.2.11", "192.0.2.65", "192.0.2.66", "192.0.2.129", "192.0.2.130"}},
		{"v=spf1 ip4:192.0.2.128/28 -all", []string{"192.0.2.129", "192.0.2.130", "192.0.2.140"}},
	} {
		r := newAuditResolver(t, append([]string{"example.com TXT " + tt.record}, zone...)...)
		c := &Checker{Resolver: r}
		for _, ip := range clients {
			want := Fail
			for _, p := range tt.pass {
				if p == ip {
					want = Pass
				}
			}
			v, err := c.Check(context.Background(), netip.MustParseAddr(ip), "h.example.net", "u@example.com")
			require.NoError(t, err)
			assert.Equal(t, want, v.Result, "%s from %s", tt.record, ip)
		}
	}
}
