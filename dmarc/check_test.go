package dmarc

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name      string
		records   []string
		discovery Discovery
		in        Input
		result    Result
		dis       Policy
		published Policy
		spf, dkim bool
		policyDom string
		orgDom    string
	}{
		{
			name:    "B.3.1 both aligned",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-feedback@example.com")},
			in:      Input{FromDomain: "example.com", SPFDomain: "mail.example.com", SPFPass: true, DKIMDomains: []string{"example.com"}},
			result:  Pass, dis: PolicyNone, spf: true, dkim: true, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "no record: none",
			records: nil,
			in:      Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: true},
			result:  None, dis: PolicyNone, orgDom: "example.com",
		},
		{
			name:    "fail with p=reject",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject")},
			in:      Input{FromDomain: "example.com", SPFDomain: "evil.example.net", SPFPass: true, DKIMDomains: []string{"evil.example.net"}},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "SPF pass not counted when SPFPass is false",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=quarantine")},
			in:      Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: false},
			result:  Fail, dis: PolicyQuarantine, published: PolicyQuarantine, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "relaxed SPF alignment through the organizational domain",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject")},
			in:      Input{FromDomain: "example.com", SPFDomain: "bounce.mail.example.com", SPFPass: true},
			result:  Pass, dis: PolicyNone, spf: true, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "strict SPF alignment fails for a subdomain",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; aspf=s")},
			in:      Input{FromDomain: "example.com", SPFDomain: "bounce.example.com", SPFPass: true},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "strict DKIM alignment: identical names pass",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; adkim=s")},
			in:      Input{FromDomain: "Example.COM.", DKIMDomains: []string{"other.example", "example.com"}},
			result:  Pass, dis: PolicyNone, dkim: true, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "strict DKIM, subdomain signature fails",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=quarantine; adkim=s")},
			in:      Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}},
			result:  Fail, dis: PolicyQuarantine, published: PolicyQuarantine, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "relaxed DKIM: parent signs for child (B.1.2 example 2)",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject")},
			in:      Input{FromDomain: "child.example.com", DKIMDomains: []string{"example.com"}},
			result:  Pass, dis: PolicyNone, dkim: true, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "IDN: U-label From and A-label signature align",
			records: []string{dmarcTXT("xn--bcher-kva.example", "v=DMARC1; p=reject; adkim=s")},
			in:      Input{FromDomain: "BÜCHER.example", DKIMDomains: []string{"XN--BCHER-KVA.EXAMPLE."}},
			result:  Pass, dis: PolicyNone, dkim: true, policyDom: "xn--bcher-kva.example", orgDom: "xn--bcher-kva.example",
		},
		{
			name:    "B.4.1 simple example",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject"), dmarcTXT("signing.example.com", "v=DMARC1; p=none")},
			in:      Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: true, DKIMDomains: []string{"signing.example.com"}},
			result:  Pass, dis: PolicyNone, spf: true, dkim: true, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "B.4.2 deep tree walk",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject"), dmarcTXT("signing.example.com", "v=DMARC1; p=none")},
			in:      Input{FromDomain: "a.b.c.d.e.f.g.h.i.j.k.example.com", SPFDomain: "example.com", SPFPass: true, DKIMDomains: []string{"signing.example.com"}},
			result:  Pass, dis: PolicyNone, spf: true, dkim: true, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "B.4.3 PSD: SPF aligned, DKIM not",
			records: []string{dmarcTXT("bank.example", "v=DMARC1; p=reject; psd=y"), dmarcTXT("giant.bank.example", "v=DMARC1; p=quarantine")},
			in:      Input{FromDomain: "giant.bank.example", SPFDomain: "mail.giant.bank.example", SPFPass: true, DKIMDomains: []string{"mail.mega.bank.example"}},
			result:  Pass, dis: PolicyNone, spf: true, policyDom: "giant.bank.example", orgDom: "giant.bank.example",
		},
		{
			name:    "B.4.3 PSD: only the sibling signature fails",
			records: []string{dmarcTXT("bank.example", "v=DMARC1; p=reject; psd=y"), dmarcTXT("giant.bank.example", "v=DMARC1; p=quarantine")},
			in:      Input{FromDomain: "giant.bank.example", DKIMDomains: []string{"mail.mega.bank.example"}},
			result:  Fail, dis: PolicyQuarantine, published: PolicyQuarantine, policyDom: "giant.bank.example", orgDom: "giant.bank.example",
		},
		{
			name:    "tree walk: sibling subdomains under a psd=n record align",
			records: []string{dmarcTXT("dept.example.com", "v=DMARC1; p=reject; psd=n"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			in:      Input{FromDomain: "a.dept.example.com", DKIMDomains: []string{"b.dept.example.com"}},
			result:  Pass, dis: PolicyNone, dkim: true, policyDom: "dept.example.com", orgDom: "dept.example.com",
		},
		{
			name:    "tree walk: psd=n splits organizations",
			records: []string{dmarcTXT("dept.example.com", "v=DMARC1; p=reject; psd=n"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			in:      Input{FromDomain: "a.dept.example.com", DKIMDomains: []string{"example.com"}},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "dept.example.com", orgDom: "dept.example.com",
		},
		{
			name:      "PSL mode: psd=n is not consulted",
			records:   []string{dmarcTXT("dept.example.com", "v=DMARC1; p=reject; psd=n"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			discovery: PSL,
			in:        Input{FromDomain: "a.dept.example.com", DKIMDomains: []string{"example.com"}},
			result:    Pass, dis: PolicyNone, dkim: true, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:      "PSL mode: private suffix separates blogs",
			records:   []string{dmarcTXT("alice.blogspot.com", "v=DMARC1; p=reject")},
			discovery: PSL,
			in:        Input{FromDomain: "alice.blogspot.com", DKIMDomains: []string{"bob.blogspot.com"}},
			result:    Fail, dis: PolicyReject, published: PolicyReject, policyDom: "alice.blogspot.com", orgDom: "alice.blogspot.com",
		},
		{
			name:    "unrelated TLDs never align and need no walk",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=none")},
			in:      Input{FromDomain: "example.com", DKIMDomains: []string{"example.net"}},
			result:  Fail, dis: PolicyNone, published: PolicyNone, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "subdomain policy sp",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; sp=quarantine")},
			in:      Input{FromDomain: "www.example.com"},
			result:  Fail, dis: PolicyQuarantine, published: PolicyQuarantine, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "sp ignored for the domain itself",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; sp=none")},
			in:      Input{FromDomain: "example.com"},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "np for a non-existent subdomain",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=none; sp=quarantine; np=reject")},
			in:      Input{FromDomain: "nope.example.com"},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "np not used when the subdomain has an MX",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=none; sp=quarantine; np=reject"), "mail.example.com. 300 IN MX 10 mx.example.net."},
			in:      Input{FromDomain: "mail.example.com"},
			result:  Fail, dis: PolicyQuarantine, published: PolicyQuarantine, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "np not used when the subdomain has only an AAAA",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=none; np=reject"), "v6.example.com. 300 IN AAAA 2001:db8::1"},
			in:      Input{FromDomain: "v6.example.com"},
			result:  Fail, dis: PolicyNone, published: PolicyNone, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "np used when the name exists but has no A, AAAA or MX (NODATA)",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=none; np=reject"), txt("txtonly.example.com", "hello")},
			in:      Input{FromDomain: "txtonly.example.com"},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "np absent falls back to sp",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; sp=quarantine")},
			in:      Input{FromDomain: "nope.example.com"},
			result:  Fail, dis: PolicyQuarantine, published: PolicyQuarantine, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "np and sp absent fall back to p",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject")},
			in:      Input{FromDomain: "nope.example.com"},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "PSD np for non-existent organizational domain",
			records: []string{dmarcTXT("bank.example", "v=DMARC1; p=none; psd=y; np=reject")},
			in:      Input{FromDomain: "fake.bank.example"},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "bank.example", orgDom: "fake.bank.example",
		},
		{
			name:    "t=y lowers reject to quarantine",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; t=y")},
			in:      Input{FromDomain: "example.com"},
			result:  Fail, dis: PolicyQuarantine, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "t=y lowers quarantine to none",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=quarantine; t=y")},
			in:      Input{FromDomain: "example.com"},
			result:  Fail, dis: PolicyNone, published: PolicyQuarantine, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "pct ignored in tree walk mode",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; pct=0")},
			in:      Input{FromDomain: "example.com"},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:      "pct=0 in PSL mode lowers the disposition",
			records:   []string{dmarcTXT("example.com", "v=DMARC1; p=reject; pct=0")},
			discovery: PSL,
			in:        Input{FromDomain: "example.com"},
			result:    Fail, dis: PolicyQuarantine, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "missing p with a valid rua acts as p=none",
			records: []string{dmarcTXT("example.com", "v=DMARC1; rua=mailto:r@example.com")},
			in:      Input{FromDomain: "example.com"},
			result:  Fail, dis: PolicyNone, published: PolicyNone, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "invalid sp with a valid rua acts as p=none",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; sp=bogus; rua=mailto:r@example.com")},
			in:      Input{FromDomain: "www.example.com"},
			result:  Fail, dis: PolicyNone, published: PolicyNone, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "missing p without rua: no DMARC processing",
			records: []string{dmarcTXT("example.com", "v=DMARC1; adkim=s")},
			in:      Input{FromDomain: "example.com"},
			result:  None, dis: PolicyNone, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "invalid p without valid rua: no DMARC processing",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=block; rua=example.com")},
			in:      Input{FromDomain: "example.com"},
			result:  None, dis: PolicyNone, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "malformed record: permerror",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; adkim=s; adkim=r")},
			in:      Input{FromDomain: "example.com"},
			result:  PermError, dis: PolicyNone, orgDom: "example.com",
		},
		{
			name:   "invalid From domain: permerror",
			in:     Input{FromDomain: "not a domain"},
			result: PermError, dis: PolicyNone,
		},
		{
			name:    "trailing dots and case in identifiers",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject; aspf=s")},
			in:      Input{FromDomain: "example.com.", SPFDomain: "EXAMPLE.COM.", SPFPass: true},
			result:  Pass, dis: PolicyNone, spf: true, policyDom: "example.com", orgDom: "example.com",
		},
		{
			name:    "invalid identifier never aligns",
			records: []string{dmarcTXT("example.com", "v=DMARC1; p=reject")},
			in:      Input{FromDomain: "example.com", SPFDomain: "exa mple.com", SPFPass: true, DKIMDomains: []string{"", "..."}},
			result:  Fail, dis: PolicyReject, published: PolicyReject, policyDom: "example.com", orgDom: "example.com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := serve(t, append(tt.records, "zz.invalid. 300 IN A 192.0.2.1")...)
			c.Discovery = tt.discovery
			c.Rand = rand.New(rand.NewPCG(1, 2))
			v, err := c.Check(ctx(t), tt.in)
			if tt.result == TempError || tt.result == PermError {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.result, v.Result, "result")
			assert.Equal(t, tt.dis, v.Disposition, "disposition")
			assert.Equal(t, tt.spf, v.SPFAligned, "SPF aligned")
			assert.Equal(t, tt.dkim, v.DKIMAligned, "DKIM aligned")
			assert.Equal(t, tt.policyDom, v.PolicyDomain, "policy domain")
			assert.Equal(t, tt.orgDom, v.OrgDomain, "org domain")
			if tt.result == Fail {
				assert.Equal(t, tt.published, v.PublishedPolicy, "published policy")
			}
		})
	}
}

func TestCheckTempErrors(t *testing.T) {
	base := []string{dmarcTXT("example.com", "v=DMARC1; p=reject; np=quarantine"), "zz.invalid. 300 IN A 192.0.2.1"}
	t.Run("policy lookup", func(t *testing.T) {
		srv, c := serve(t, base...)
		srv.Fault("_dmarc.example.com.", dnstest.TypeTXT, dnstest.ServFail)
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: true})
		assert.ErrorIs(t, err, ErrTemporary)
		assert.Equal(t, TempError, v.Result)
		assert.Equal(t, PolicyNone, v.Disposition)
	})
	t.Run("walk for an identifier; nothing else aligns", func(t *testing.T) {
		srv, c := serve(t, base...)
		srv.Fault("_dmarc.mail.example.com.", dnstest.TypeTXT, dnstest.Refused)
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}})
		assert.ErrorIs(t, err, ErrTemporary)
		assert.Equal(t, TempError, v.Result)
	})
	t.Run("walk for an identifier; another aligns", func(t *testing.T) {
		srv, c := serve(t, base...)
		srv.Fault("_dmarc.mail.example.com.", dnstest.TypeTXT, dnstest.ServFail)
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: true, DKIMDomains: []string{"mail.example.com"}})
		require.NoError(t, err)
		assert.Equal(t, Pass, v.Result)
		assert.True(t, v.SPFAligned)
	})
	t.Run("existence test for np", func(t *testing.T) {
		srv, c := serve(t, base...)
		srv.Fault("nope.example.com.", dnstest.TypeMX, dnstest.ServFail)
		v, err := c.Check(ctx(t), Input{FromDomain: "nope.example.com"})
		assert.ErrorIs(t, err, ErrTemporary)
		assert.Equal(t, TempError, v.Result)
	})
	t.Run("existence answered by A despite MX failure", func(t *testing.T) {
		srv, c := serve(t, append(base, "www.example.com. 300 IN A 192.0.2.7")...)
		srv.Fault("www.example.com.", dnstest.TypeMX, dnstest.ServFail)
		v, err := c.Check(ctx(t), Input{FromDomain: "www.example.com"})
		require.NoError(t, err)
		assert.Equal(t, Fail, v.Result)
		assert.Equal(t, PolicyReject, v.Disposition)
		assert.False(t, v.NonExistent)
	})
}

// TestCheckPercentSampling: in PSL mode pct selects the messages the
// policy applies to; the others get the next less strict policy.
func TestCheckPercentSampling(t *testing.T) {
	_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; pct=30"))
	c.Discovery = PSL
	c.Rand = rand.New(rand.NewPCG(7, 7))
	counts := map[Policy]int{}
	for range 400 {
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com"})
		require.NoError(t, err)
		require.Equal(t, Fail, v.Result)
		counts[v.Disposition]++
		assert.Equal(t, v.Disposition == PolicyQuarantine, v.SampledOut)
	}
	assert.Equal(t, 400, counts[PolicyReject]+counts[PolicyQuarantine])
	assert.InDelta(t, 120, counts[PolicyReject], 45, "%v", counts)

	// The same seed gives the same sequence.
	seq := func() []Policy {
		c.Rand = rand.New(rand.NewPCG(3, 4))
		var out []Policy
		for range 20 {
			v, _ := c.Check(ctx(t), Input{FromDomain: "example.com"})
			out = append(out, v.Disposition)
		}
		return out
	}
	assert.Equal(t, seq(), seq())

	// The tree walk ignores pct (historic in RFC 9989).
	c.Discovery = TreeWalk
	for range 50 {
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com"})
		require.NoError(t, err)
		require.Equal(t, PolicyReject, v.Disposition)
		require.False(t, v.SampledOut)
	}
}

func TestAuthResult(t *testing.T) {
	_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; sp=quarantine; t=y"), dmarcTXT("example.org", "v=DMARC1; p=none"))
	tests := []struct {
		in   Input
		want string
	}{
		{Input{FromDomain: "example.com"}, "dmarc=fail (p=reject dis=quarantine) header.from=example.com"},
		{Input{FromDomain: "www.example.com"}, "dmarc=fail (p=quarantine dis=none) header.from=www.example.com"},
		{Input{FromDomain: "Example.ORG", DKIMDomains: []string{"example.org"}}, "dmarc=pass (p=none dis=none) header.from=example.org"},
		{Input{FromDomain: "example.net"}, "dmarc=none header.from=example.net"},
	}
	for _, tt := range tests {
		v, err := c.Check(ctx(t), tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, v.AuthResult())
	}
	v := Verdict{Result: Fail, Disposition: PolicyReject, PublishedPolicy: PolicyReject, Record: &Record{Policy: PolicyReject}, FromDomain: "example.com"}
	assert.Equal(t, "dmarc=fail (p=reject dis=reject) header.from=example.com", v.AuthResult())
	assert.Equal(t, "dmarc=temperror header.from=example.com", Verdict{Result: TempError, FromDomain: "example.com"}.AuthResult())

	// temperror and permerror carry no policy comment; String is
	// AuthResult.
	m, c := memory(t, dmarcTXT("example.net", "v=DMARC1; p=reject"))
	m.Fault("_dmarc.example.net.", dnstest.TypeTXT, dnstest.ServFail)
	for from, want := range map[string]string{
		"example.net":  "dmarc=temperror header.from=example.net",
		"bad..example": "dmarc=permerror",
	} {
		v, err := c.Check(ctx(t), Input{FromDomain: from})
		require.Error(t, err, from)
		assert.Equal(t, want, v.AuthResult(), from)
		assert.Equal(t, want, v.String(), from)
	}
}

func TestCheckPolicies(t *testing.T) {
	tests := []struct {
		name      string
		dns       *zoneSpec
		disc      Discovery
		in        Input
		result    Result
		dis       Policy
		policyDom string
		spf, dkim bool
	}{
		// Alignment (§4.4, §3.2.10, B.1).
		{name: "B.1.1 ex. 2: SPF child of the author, relaxed",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     Input{FromDomain: "example.com", SPFDomain: "child.example.com", SPFPass: true},
			result: Pass, dis: PolicyNone, policyDom: "example.com", spf: true},
		{name: "B.1.1 ex. 3: SPF unrelated",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     Input{FromDomain: "child.example.com", SPFDomain: "example.net", SPFPass: true},
			result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "SPF parent of the author, relaxed",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     Input{FromDomain: "a.b.example.com", SPFDomain: "example.com", SPFPass: true},
			result: Pass, dis: PolicyNone, policyDom: "example.com", spf: true},
		{name: "SPF sibling, relaxed",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     Input{FromDomain: "news.example.com", SPFDomain: "foo.example.com", SPFPass: true},
			result: Pass, dis: PolicyNone, policyDom: "example.com", spf: true},
		{name: "SPF child, strict",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject; aspf=s"),
			in:     Input{FromDomain: "example.com", SPFDomain: "child.example.com", SPFPass: true},
			result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "SPF parent, strict",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject; aspf=s"),
			in:     Input{FromDomain: "child.example.com", SPFDomain: "example.com", SPFPass: true},
			result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "SPF identical, strict, case and trailing dot differ",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject; aspf=s"),
			in:     Input{FromDomain: "Example.com.", SPFDomain: "EXAMPLE.COM", SPFPass: true},
			result: Pass, dis: PolicyNone, policyDom: "example.com", spf: true},
		{name: "SPF identical but did not pass",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=quarantine"),
			in:     Input{FromDomain: "example.com", SPFDomain: "example.com"},
			result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
		{name: "B.1.2 ex. 2: DKIM parent, relaxed",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     Input{FromDomain: "child.example.com", DKIMDomains: []string{"example.com"}},
			result: Pass, dis: PolicyNone, policyDom: "example.com", dkim: true},
		{name: "DKIM child, strict fails; relaxed SPF child passes",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject; adkim=s"),
			in:     Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}, SPFDomain: "bounce.example.com", SPFPass: true},
			result: Pass, dis: PolicyNone, policyDom: "example.com", spf: true},
		{name: "multiple DKIM domains, one aligned",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     Input{FromDomain: "example.com", DKIMDomains: []string{"esp.example.net", "", "mail.example.com", "other.example"}},
			result: Pass, dis: PolicyNone, policyDom: "example.com", dkim: true},
		{name: "multiple DKIM domains, none aligned",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     Input{FromDomain: "example.com", DKIMDomains: []string{"esp.example.net", "example.com.evil.example"}},
			result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "suffix lookalike is not a subdomain",
			dns:    newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     Input{FromDomain: "example.com", DKIMDomains: []string{"badexample.com"}},
			result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "IDN From and A-label signature",
			dns:    newZone().dmarc("xn--bcher-kva.example", "v=DMARC1; p=reject; adkim=s"),
			in:     Input{FromDomain: "bücher.example", DKIMDomains: []string{"XN--BCHER-KVA.example."}},
			result: Pass, dis: PolicyNone, policyDom: "xn--bcher-kva.example", dkim: true},
		{name: "relaxed: sibling under psd=n records do not align",
			dns:    newZone().dmarc("a.example.com", "v=DMARC1; p=reject; psd=n").dmarc("example.com", "v=DMARC1; p=none"),
			in:     Input{FromDomain: "a.example.com", DKIMDomains: []string{"b.example.com"}},
			result: Fail, dis: PolicyReject, policyDom: "a.example.com"},
		{name: "relaxed: author under a psd=y record aligns with its own subdomain only",
			dns:    newZone().dmarc("bank.example", "v=DMARC1; p=reject; psd=y").dmarc("giant.bank.example", "v=DMARC1; p=quarantine"),
			in:     Input{FromDomain: "giant.bank.example", SPFDomain: "mail.giant.bank.example", SPFPass: true, DKIMDomains: []string{"mail.mega.bank.example"}},
			result: Pass, dis: PolicyNone, policyDom: "giant.bank.example", spf: true},

		// Which policy applies (§4.10.1, §4.7 sp/np).
		{name: "record at the author: p, sp ignored",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=reject; sp=none; np=none"),
			in:  Input{FromDomain: "example.com"}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "record at a subdomain author: its p, not the org's sp",
			dns: newZone().dmarc("mail.example.com", "v=DMARC1; p=quarantine; sp=reject").dmarc("example.com", "v=DMARC1; p=none; sp=none"),
			in:  Input{FromDomain: "mail.example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "mail.example.com"},
		{name: "existing subdomain: sp",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=reject; sp=quarantine; np=none").addA("mail.example.com"),
			in:  Input{FromDomain: "mail.example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
		{name: "existing subdomain without sp: p",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=reject; np=none").addMX("mail.example.com"),
			in:  Input{FromDomain: "mail.example.com"}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "non-existent subdomain: np",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=none; sp=quarantine; np=reject"),
			in:  Input{FromDomain: "nx.example.com"}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "non-existent subdomain without np: sp",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=none; sp=quarantine"),
			in:  Input{FromDomain: "nx.example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
		{name: "non-existent subdomain without np or sp: p",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			in:  Input{FromDomain: "nx.example.com"}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "np does not apply to the org domain itself",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=quarantine; np=reject"),
			in:  Input{FromDomain: "example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
		{name: "np of a PSD record for a non-existent org domain",
			dns: newZone().dmarc("example", "v=DMARC1; p=none; psd=y; np=reject"),
			in:  Input{FromDomain: "nx.example"}, result: Fail, dis: PolicyReject, policyDom: "example"},
		{name: "PSD record not used when the org domain has a record",
			dns: newZone().dmarc("example", "v=DMARC1; p=reject; psd=y").dmarc("org.example", "v=DMARC1; p=none"),
			in:  Input{FromDomain: "a.org.example"}, result: Fail, dis: PolicyNone, policyDom: "org.example"},
		{name: "intermediate record that is neither author nor org is not used",
			dns: newZone().dmarc("mail.example.com", "v=DMARC1; p=none").dmarc("example.com", "v=DMARC1; p=reject"),
			in:  Input{FromDomain: "a.mail.example.com"}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "PSD sp applies to existing org domains",
			dns: newZone().dmarc("example", "v=DMARC1; p=reject; sp=quarantine; psd=y").addA("org.example"),
			in:  Input{FromDomain: "org.example"}, result: Fail, dis: PolicyQuarantine, policyDom: "example"},

		// t=y (§4.7).
		{name: "t=y: reject becomes quarantine",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=reject; t=y"),
			in:  Input{FromDomain: "example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
		{name: "t=y: quarantine becomes none",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=quarantine; t=y"),
			in:  Input{FromDomain: "example.com"}, result: Fail, dis: PolicyNone, policyDom: "example.com"},
		{name: "t=y: none stays none",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=none; t=y"),
			in:  Input{FromDomain: "example.com"}, result: Fail, dis: PolicyNone, policyDom: "example.com"},
		{name: "t=y lowers sp too",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=none; sp=reject; t=y").addA("www.example.com"),
			in:  Input{FromDomain: "www.example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
		{name: "t=n is the default",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=reject; t=n"),
			in:  Input{FromDomain: "example.com"}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "t=y with a pass: no disposition",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=reject; t=y"),
			in:  Input{FromDomain: "example.com", DKIMDomains: []string{"example.com"}}, result: Pass, dis: PolicyNone, policyDom: "example.com", dkim: true},

		// Unusable records (§4.10.1).
		{name: "no p, valid rua: acts as p=none",
			dns: newZone().dmarc("example.com", "v=DMARC1; sp=reject; rua=mailto:d@example.com"),
			in:  Input{FromDomain: "www.example.com"}, result: Fail, dis: PolicyNone, policyDom: "example.com"},
		{name: "no p, no rua: no DMARC processing",
			dns: newZone().dmarc("example.com", "v=DMARC1; sp=reject"),
			in:  Input{FromDomain: "example.com"}, result: None, dis: PolicyNone, policyDom: "example.com"},
		{name: "invalid p, valid rua: p=none",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=rejekt; rua=mailto:d@example.com"),
			in:  Input{FromDomain: "example.com"}, result: Fail, dis: PolicyNone, policyDom: "example.com"},
		{name: "upper case values",
			dns: newZone().dmarc("example.com", "V=DMARC1; p=REJECT; adkim=S"),
			in:  Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "upper case tag names: a reject policy",
			dns: newZone().dmarc("example.com", "V=DMARC1; P=REJECT; RUA=mailto:d@example.com"),
			in:  Input{FromDomain: "example.com"}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "PSL: upper case tag names are RFC 7489 literals",
			dns: newZone().dmarc("example.com", "V=DMARC1; P=REJECT; ADKIM=S"), disc: PSL,
			in: Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
		{name: "no record anywhere: none",
			dns: newZone(),
			in:  Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: true}, result: None, dis: PolicyNone},
		{name: "record with v not first is no record",
			dns: newZone().dmarc("example.com", "p=reject; v=DMARC1"),
			in:  Input{FromDomain: "example.com"}, result: None, dis: PolicyNone},

		// PSL mode (RFC 7489).
		{name: "PSL: organizational domain record, sp",
			dns: newZone().dmarc("example.co.uk", "v=DMARC1; p=reject; sp=quarantine"), disc: PSL,
			in: Input{FromDomain: "a.b.example.co.uk", SPFDomain: "example.co.uk"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.co.uk"},
		{name: "PSL: relaxed alignment by the list",
			dns: newZone().dmarc("example.co.uk", "v=DMARC1; p=reject"), disc: PSL,
			in: Input{FromDomain: "a.example.co.uk", SPFDomain: "b.example.co.uk", SPFPass: true}, result: Pass, dis: PolicyNone, policyDom: "example.co.uk", spf: true},
		{name: "PSL: different registrable domains under co.uk do not align",
			dns: newZone().dmarc("example.co.uk", "v=DMARC1; p=reject"), disc: PSL,
			in: Input{FromDomain: "example.co.uk", SPFDomain: "other.co.uk", SPFPass: true}, result: Fail, dis: PolicyReject, policyDom: "example.co.uk"},
		{name: "PSL: pct=0 lowers reject",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=reject; pct=0"), disc: PSL,
			in: Input{FromDomain: "example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
		{name: "PSL: pct=100 applies",
			dns: newZone().dmarc("example.com", "v=DMARC1; p=quarantine; pct=100"), disc: PSL,
			in: Input{FromDomain: "example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
		{name: "PSL: intermediate record not consulted",
			dns: newZone().dmarc("b.example.com", "v=DMARC1; p=reject"), disc: PSL,
			in: Input{FromDomain: "a.b.example.com"}, result: None, dis: PolicyNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Resolver: tt.dns.resolver(t), Discovery: tt.disc, Rand: rand.New(rand.NewPCG(1, 2))}
			v, err := c.Check(context.Background(), tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.result, v.Result, "result")
			assert.Equal(t, tt.dis, v.Disposition, "disposition")
			assert.Equal(t, tt.policyDom, v.PolicyDomain, "policy domain")
			assert.Equal(t, tt.spf, v.SPFAligned, "SPF aligned")
			assert.Equal(t, tt.dkim, v.DKIMAligned, "DKIM aligned")
		})
	}
}

func TestCheckTempErrorScope(t *testing.T) {
	failing := func(d *zoneSpec, names ...string) *zoneSpec {
		for _, n := range names {
			d.failing(n)
		}
		return d
	}
	tests := []struct {
		name   string
		dns    *zoneSpec
		in     Input
		result Result
		dis    Policy
	}{
		{"temperror at the author domain", failing(newZone().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.example.com"),
			Input{FromDomain: "example.com"}, TempError, PolicyNone},
		{"temperror further up the walk, no author record", failing(newZone().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.com"),
			Input{FromDomain: "mail.example.com"}, TempError, PolicyNone},
		{"temperror above an author record does not matter for a strict pass", failing(newZone().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.com"),
			Input{FromDomain: "example.com", DKIMDomains: []string{"example.com"}}, Pass, PolicyNone},
		{"temperror above an author record: fail without identifiers is still fail", failing(newZone().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.com"),
			Input{FromDomain: "example.com"}, Fail, PolicyReject},
		{"temperror in the walk relaxed alignment needs", failing(newZone().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.com"),
			Input{FromDomain: "example.com", SPFDomain: "bounce.example.com", SPFPass: true}, TempError, PolicyNone},
		{"temperror in the existence test for np", failing(newZone().dmarc("example.com", "v=DMARC1; p=none; np=reject"), "nx.example.com"),
			Input{FromDomain: "nx.example.com"}, TempError, PolicyNone},
		{"temperror in an unrelated identifier's walk does not hide a pass", failing(newZone().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.mail.example.com"),
			Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com", "example.com"}}, Pass, PolicyNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Resolver: tt.dns.resolver(t)}
			v, err := c.Check(context.Background(), tt.in)
			assert.Equal(t, tt.result, v.Result)
			assert.Equal(t, tt.dis, v.Disposition)
			if tt.result == TempError {
				assert.ErrorIs(t, err, ErrTemporary)
			} else {
				assert.NoError(t, err)
			}
		})
	}

	// PSL mode: a failure at the author or at the organizational domain.
	for _, name := range []string{"_dmarc.a.example.com", "_dmarc.example.com"} {
		d := failing(newZone().dmarc("example.com", "v=DMARC1; p=reject"), name)
		v, err := (&Checker{Resolver: d.resolver(t), Discovery: PSL}).Check(context.Background(), Input{FromDomain: "a.example.com"})
		assert.Equal(t, TempError, v.Result, name)
		assert.ErrorIs(t, err, ErrTemporary, name)
	}
}

// Verdict flags and the documented readings for t=y and pct together.
func TestVerdictFlags(t *testing.T) {
	d := newZone().
		dmarc("example.com", "v=DMARC1; p=reject; sp=quarantine; np=reject; t=y; pct=0").
		dmarc("example.org", "v=DMARC1; p=reject; pct=0")
	d.addA("www.example.com")
	check := func(disc Discovery, from string) Verdict {
		t.Helper()
		v, err := (&Checker{Resolver: d.resolver(t), Discovery: disc}).Check(context.Background(), Input{FromDomain: from})
		require.NoError(t, err)
		require.Equal(t, Fail, v.Result)
		return v
	}

	v := check(TreeWalk, "nx.example.com") // np, lowered by t=y
	assert.True(t, v.NonExistent)
	assert.True(t, v.Testing)
	assert.False(t, v.SampledOut)
	assert.Equal(t, PolicyReject, v.PublishedPolicy)
	assert.Equal(t, PolicyQuarantine, v.Disposition)
	assert.Equal(t, "example.com", v.OrgDomain)

	v = check(TreeWalk, "www.example.com") // sp, lowered by t=y
	assert.False(t, v.NonExistent)
	assert.Equal(t, PolicyQuarantine, v.PublishedPolicy)
	assert.Equal(t, PolicyNone, v.Disposition)

	// t=y and pct=0 lower by one step together, not two (PSL mode).
	v = check(PSL, "example.com")
	assert.Equal(t, PolicyQuarantine, v.Disposition)
	assert.True(t, v.Testing)

	// pct alone in PSL mode; ignored by the tree walk.
	v = check(PSL, "example.org")
	assert.True(t, v.SampledOut)
	assert.Equal(t, PolicyQuarantine, v.Disposition)
	v = check(TreeWalk, "example.org")
	assert.False(t, v.SampledOut)
	assert.Equal(t, PolicyReject, v.Disposition)
}

// wireScenario is DNS data served both by the in-memory resolver and,
// over the wire, by a dnstest.Server, so the two resolver paths can be
// compared.
type wireScenario struct {
	txt map[string][]string // owner name (no trailing dot) -> TXT values
	a   []string            // names with an A record
}

func (w wireScenario) zone() *zoneSpec {
	z := newZone()
	for name, vals := range w.txt {
		z.addTXT(name, vals...)
	}
	for _, n := range w.a {
		z.addA(n)
	}
	return z
}

// TestCheckWireMatchesMemory checks that Check gives the same verdict over
// real DNS (Go's resolver against dnstest) as with the in-memory resolver,
// and makes the same _dmarc queries.
func TestCheckWireMatchesMemory(t *testing.T) {
	w := wireScenario{
		txt: map[string][]string{
			"_dmarc.example.com":           {"v=DMARC1; p=reject; sp=quarantine; np=none", "v=spf1 -all"},
			"_dmarc.mail.example.com":      {"v=DMARC1; p=none; psd=n"},
			"_dmarc.dup.example.com":       {"v=DMARC1; p=none", "v=DMARC1; p=reject"},
			"_dmarc.upper.example.com":     {"V=DMARC1; P=REJECT"},
			"_dmarc.bank.example":          {"v=DMARC1; p=reject; np=quarantine; psd=y"},
			"_dmarc.giant.bank.example":    {"v=DMARC1; p=quarantine; adkim=s"},
			"_dmarc.xn--bcher-kva.example": {"v=DMARC1; p=reject; t=y"},
		},
		a: []string{"www.example.com", "real.bank.example"},
	}
	l := strings.Repeat("a", 60)
	long := l + "." + l + "." + l + "." + l[:56] + ".example.com" // 251 octets: _dmarc.<long> is too long
	inputs := []Input{
		{FromDomain: "example.com", SPFDomain: "bounce.example.com", SPFPass: true},
		{FromDomain: "www.example.com"},
		{FromDomain: "nx.example.com"},
		{FromDomain: "a.mail.example.com", DKIMDomains: []string{"example.com"}},
		{FromDomain: "dup.example.com"},
		{FromDomain: "upper.example.com"},
		{FromDomain: "giant.bank.example", DKIMDomains: []string{"mail.giant.bank.example"}},
		{FromDomain: "real.bank.example"},
		{FromDomain: "fake.bank.example"},
		{FromDomain: "Bücher.example.", DKIMDomains: []string{"xn--bcher-kva.example"}},
		{FromDomain: "a.b.c.d.e.f.g.h.example.com", SPFDomain: "x.example.com", SPFPass: true},
		{FromDomain: long},
		{FromDomain: "none.example"},
	}
	srv := dnstest.New(t, w.zone().text())
	for _, in := range inputs {
		mem := w.zone()
		vm, errm := (&Checker{Resolver: mem.resolver(t)}).Check(context.Background(), in)
		srv.ResetLog()
		vw, errw := (&Checker{Resolver: srv.Resolver()}).Check(context.Background(), in)
		require.Equal(t, errm == nil, errw == nil, "%s: %v / %v", in.FromDomain, errm, errw)
		vm.Record, vw.Record = nil, nil
		assert.Equal(t, vm, vw, in.FromDomain)
		var wire []string
		for _, q := range srv.Queries() {
			if q.Type == 16 && q.Net == "udp" { // TXT
				wire = append(wire, strings.TrimSuffix(q.Name, "."))
			}
		}
		assert.NotEmpty(t, wire, in.FromDomain)
		assert.ElementsMatch(t, mem.txtQueries(), wire, in.FromDomain)
	}
}

// TestCheckDiscoveryModesDiffer shows where the tree walk and the Public
// Suffix List disagree on relaxed alignment.
func TestCheckDiscoveryModesDiffer(t *testing.T) {
	zone := []string{
		dmarcTXT("example.com", "v=DMARC1; p=reject"),
		dmarcTXT("com", "v=DMARC1; p=none"), // a TLD record without psd=y
	}
	in := Input{FromDomain: "example.com", DKIMDomains: []string{"other.com"}}
	_, c := serve(t, zone...)
	v, err := c.Check(ctx(t), in)
	require.NoError(t, err)
	// Tree walk: the record with the fewest labels is "com", so both
	// domains have the Organizational Domain "com" and align (§4.10.2
	// rule 3) - which is why PSOs must publish psd=y (§5.2).
	assert.Equal(t, Pass, v.Result)
	assert.Equal(t, "com", v.OrgDomain)

	c.Discovery = PSL
	v, err = c.Check(ctx(t), in)
	require.NoError(t, err)
	assert.Equal(t, Fail, v.Result)
	assert.Equal(t, "example.com", v.OrgDomain)
}

func TestCheckPercentBounds(t *testing.T) {
	for _, tt := range []struct {
		pct  string
		want Policy
	}{{"100", PolicyReject}, {"0", PolicyQuarantine}} {
		_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; pct="+tt.pct))
		c.Discovery = PSL
		for range 50 {
			v, err := c.Check(ctx(t), Input{FromDomain: "example.com"})
			require.NoError(t, err)
			assert.Equal(t, tt.want, v.Disposition, "pct=%s", tt.pct)
		}
	}
	// t=y and pct=0 lower one step only.
	_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; pct=0; t=y"))
	c.Discovery = PSL
	v, err := c.Check(ctx(t), Input{FromDomain: "example.com"})
	require.NoError(t, err)
	assert.Equal(t, PolicyQuarantine, v.Disposition)
	assert.True(t, v.Testing)
	assert.False(t, v.SampledOut)
}

func TestCheckDKIMDomainLimit(t *testing.T) {
	m, c := memory(t, dmarcTXT("example.com", "v=DMARC1; p=reject"))
	var doms []string
	for i := range 100 {
		doms = append(doms, fmt.Sprintf("s%d.example.com", i))
	}
	v, err := c.Check(ctx(t), Input{FromDomain: "example.com", DKIMDomains: doms})
	require.NoError(t, err)
	assert.Equal(t, Pass, v.Result) // the first one aligns
	doms = append(doms[:0:0], "evil.example.net")
	for i := range 100 {
		doms = append(doms, fmt.Sprintf("x%d.example.org", i))
	}
	m.Data().ResetLog()
	v, err = c.Check(ctx(t), Input{FromDomain: "example.com", DKIMDomains: doms})
	require.NoError(t, err)
	assert.Equal(t, Fail, v.Result)
	assert.LessOrEqual(t, len(m.Data().Queries()), MaxTreeWalkQueries*(MaxDKIMDomains+1))
}

// FuzzCheck feeds arbitrary names to Check over a fixed in-memory zone:
// it must not panic, and the error must be set exactly for TempError and
// PermError.
func FuzzCheck(f *testing.F) {
	f.Add("example.com", "bounce.example.com", "example.com", true)
	f.Add("a.b.c.d.e.f.g.h.i.j.example.com", "x.bank.example", "bank.example", false)
	f.Add("BÜCHER.example.", "", "xn--bcher-kva.example", true)
	f.Add("", "..", "a..b", true)
	f.Add("fail.example.com", "fail.example.com", "z", true)
	res := txtZone(map[string][]string{
		"_dmarc.example.com.":           {"v=DMARC1; p=reject; sp=quarantine; np=reject"},
		"_dmarc.bank.example.":          {"v=DMARC1; p=reject; psd=y"},
		"_dmarc.xn--bcher-kva.example.": {"v=DMARC1; p=none; adkim=s", "v=spf1 -all"},
		"_dmarc.dup.example.":           {"v=DMARC1; p=none", "v=DMARC1; p=reject"},
		"_dmarc.bad.example.":           {"v=DMARC1; p=none; p=none"},
	}).failing("_dmarc.fail.example.com").resolver(f)
	f.Fuzz(func(t *testing.T, from, spf, dkim string, spfPass bool) {
		res.Data().ResetLog() // the log and counts stay small however long the run
		for _, d := range []Discovery{TreeWalk, PSL} {
			c := &Checker{Resolver: res, Discovery: d, Rand: rand.New(rand.NewPCG(1, 1))}
			v, err := c.Check(t.Context(), Input{FromDomain: from, SPFDomain: spf, SPFPass: spfPass, DKIMDomains: []string{dkim}})
			if (err != nil) != (v.Result == TempError || v.Result == PermError) {
				t.Fatalf("result %s with error %v", v.Result, err)
			}
			if v.Result != Fail && v.Disposition != PolicyNone {
				t.Fatalf("result %s with disposition %s", v.Result, v.Disposition)
			}
			_ = v.AuthResult()
		}
	})
}

// TestCheckConcurrent: one Checker (nil Rand) shared by goroutines; run
// with -race.
func TestCheckConcurrent(t *testing.T) {
	_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; pct=50; np=quarantine"))
	c.Discovery = PSL
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			for j := range 10 {
				in := Input{FromDomain: fmt.Sprintf("h%d-%d.example.com", i, j), DKIMDomains: []string{"example.com"}}
				if j%2 == 0 {
					in.DKIMDomains = nil
				}
				v, err := c.Check(t.Context(), in)
				if err != nil {
					errs <- err
					return
				}
				if (j%2 == 0) != (v.Result == Fail) {
					errs <- fmt.Errorf("%s: %s", in.FromDomain, v.Result)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		require.NoError(t, <-errs)
	}
}

// Tag names are case-insensitive in both modes (RFC 5234 §2.3): a record
// written in capitals is a reject policy, not "no policy".
func TestUpperCaseTagNamesBothModes(t *testing.T) {
	for _, disc := range []Discovery{TreeWalk, PSL} {
		_, c := memory(t, dmarcTXT("example.com", "V=DMARC1; P=reject; SP=quarantine; ADKIM=s"))
		c.Discovery = disc
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}})
		require.NoError(t, err, disc)
		assert.Equal(t, Fail, v.Result, disc)
		assert.Equal(t, PolicyReject, v.Disposition, disc)
		assert.Equal(t, "dmarc=fail (p=reject dis=reject) header.from=example.com", v.AuthResult(), disc)
		v, err = c.Check(ctx(t), Input{FromDomain: "www.example.com", SPFDomain: "example.net", SPFPass: true})
		require.NoError(t, err, disc)
		assert.Equal(t, PolicyQuarantine, v.Disposition, "%v: SP", disc)
	}
}
