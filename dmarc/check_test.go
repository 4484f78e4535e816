package dmarc

import (
	"math/rand/v2"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/miekg/dns"
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
		srv.Fault("_dmarc.example.com.", dns.TypeTXT, dnstest.ServFail)
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: true})
		assert.ErrorIs(t, err, ErrTempError)
		assert.Equal(t, TempError, v.Result)
		assert.Equal(t, PolicyNone, v.Disposition)
	})
	t.Run("walk for an identifier; nothing else aligns", func(t *testing.T) {
		srv, c := serve(t, base...)
		srv.Fault("_dmarc.mail.example.com.", dns.TypeTXT, dnstest.Refused)
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}})
		assert.ErrorIs(t, err, ErrTempError)
		assert.Equal(t, TempError, v.Result)
	})
	t.Run("walk for an identifier; another aligns", func(t *testing.T) {
		srv, c := serve(t, base...)
		srv.Fault("_dmarc.mail.example.com.", dns.TypeTXT, dnstest.ServFail)
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: true, DKIMDomains: []string{"mail.example.com"}})
		require.NoError(t, err)
		assert.Equal(t, Pass, v.Result)
		assert.True(t, v.SPFAligned)
	})
	t.Run("existence test for np", func(t *testing.T) {
		srv, c := serve(t, base...)
		srv.Fault("nope.example.com.", dns.TypeMX, dnstest.ServFail)
		v, err := c.Check(ctx(t), Input{FromDomain: "nope.example.com"})
		assert.ErrorIs(t, err, ErrTempError)
		assert.Equal(t, TempError, v.Result)
	})
	t.Run("existence answered by A despite MX failure", func(t *testing.T) {
		srv, c := serve(t, append(base, "www.example.com. 300 IN A 192.0.2.7")...)
		srv.Fault("www.example.com.", dns.TypeMX, dnstest.ServFail)
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
}
