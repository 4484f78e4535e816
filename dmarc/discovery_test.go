package dmarc

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTreeWalkTargets(t *testing.T) {
	assert.Equal(t, []string{"example.com", "com"}, treeWalkTargets("example.com"))
	assert.Equal(t, []string{"com"}, treeWalkTargets("com"))
	// RFC 9989 §4.10 example.
	assert.Equal(t, []string{
		"a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
		"i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com",
	}, treeWalkTargets("a.b.c.d.e.f.g.h.i.j.mail.example.com"))
	for n := 1; n <= 127; n++ {
		d := strings.Repeat("x.", n-1) + "test"
		got := treeWalkTargets(d)
		assert.LessOrEqual(t, len(got), MaxTreeWalkQueries, "labels=%d", n)
		assert.Equal(t, d, got[0])
		assert.Equal(t, "test", got[len(got)-1])
		for i := 1; i < len(got); i++ {
			assert.LessOrEqual(t, labelCount(got[i]), 7)
		}
	}
}

// TestLookupTreeWalk runs policy discovery (RFC 9989 §4.10.1) over the
// wire and checks the record found, where, and the exact queries made.
func TestLookupTreeWalk(t *testing.T) {
	tests := []struct {
		name       string
		records    []string
		author     string
		wantDomain string // "" for no record
		wantP      Policy
		queries    []string
	}{
		{
			name:       "record at author domain stops discovery",
			records:    []string{dmarcTXT("a.example.com", "v=DMARC1; p=reject"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			author:     "a.example.com",
			wantDomain: "a.example.com", wantP: PolicyReject,
			queries: []string{"_dmarc.a.example.com"},
		},
		{
			name:       "organizational domain",
			records:    []string{dmarcTXT("example.com", "v=DMARC1; p=quarantine")},
			author:     "a.example.com",
			wantDomain: "example.com", wantP: PolicyQuarantine,
			queries: []string{"_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name:       "highest record is the organizational domain and its record applies",
			records:    []string{dmarcTXT("mail.example.com", "v=DMARC1; p=reject"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			author:     "a.mail.example.com",
			wantDomain: "example.com", wantP: PolicyNone,
			queries: []string{"_dmarc.a.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name:       "psd=n stops the walk",
			records:    []string{dmarcTXT("mail.example.com", "v=DMARC1; p=reject; psd=n"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			author:     "a.mail.example.com",
			wantDomain: "mail.example.com", wantP: PolicyReject,
			queries: []string{"_dmarc.a.mail.example.com", "_dmarc.mail.example.com"},
		},
		{
			name:       "deep tree walk (RFC 9989 B.4.2)",
			records:    []string{dmarcTXT("example.com", "v=DMARC1; p=reject"), dmarcTXT("signing.example.com", "v=DMARC1; p=none")},
			author:     "a.b.c.d.e.f.g.h.i.j.k.example.com",
			wantDomain: "example.com", wantP: PolicyReject,
			queries: []string{"_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com", "_dmarc.g.h.i.j.k.example.com", "_dmarc.h.i.j.k.example.com",
				"_dmarc.i.j.k.example.com", "_dmarc.j.k.example.com", "_dmarc.k.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name:       "record skipped by the 7-label shortcut is never seen (RFC 9989 §5.1.8)",
			records:    []string{dmarcTXT("b.c.d.e.f.g.example.com", "v=DMARC1; p=reject; psd=n"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			author:     "mail.a.b.c.d.e.f.g.example.com",
			wantDomain: "example.com", wantP: PolicyNone,
			queries: []string{"_dmarc.mail.a.b.c.d.e.f.g.example.com", "_dmarc.c.d.e.f.g.example.com", "_dmarc.d.e.f.g.example.com",
				"_dmarc.e.f.g.example.com", "_dmarc.f.g.example.com", "_dmarc.g.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name:       "PSD record applies when the organizational domain has none",
			records:    []string{dmarcTXT("bank.example", "v=DMARC1; p=reject; psd=y")},
			author:     "mail.giant.bank.example",
			wantDomain: "bank.example", wantP: PolicyReject,
			queries: []string{"_dmarc.mail.giant.bank.example", "_dmarc.giant.bank.example", "_dmarc.bank.example"},
		},
		{
			name:       "organizational domain below a PSD (RFC 9989 B.4.3)",
			records:    []string{dmarcTXT("bank.example", "v=DMARC1; p=reject; psd=y"), dmarcTXT("giant.bank.example", "v=DMARC1; p=quarantine")},
			author:     "mail.giant.bank.example",
			wantDomain: "giant.bank.example", wantP: PolicyQuarantine,
			queries: []string{"_dmarc.mail.giant.bank.example", "_dmarc.giant.bank.example", "_dmarc.bank.example"},
		},
		{
			name: "several records at one name are discarded and the walk goes on",
			records: []string{dmarcTXT("a.example.com", "v=DMARC1; p=reject"), dmarcTXT("a.example.com", "v=DMARC1; p=none"),
				dmarcTXT("example.com", "v=DMARC1; p=quarantine")},
			author:     "a.example.com",
			wantDomain: "example.com", wantP: PolicyQuarantine,
			queries: []string{"_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name:       "non-DMARC TXT records are ignored",
			records:    []string{dmarcTXT("a.example.com", "v=spf1 -all"), dmarcTXT("a.example.com", "v=DMARC1; p=reject"), dmarcTXT("a.example.com", "hello")},
			author:     "a.example.com",
			wantDomain: "a.example.com", wantP: PolicyReject,
			queries: []string{"_dmarc.a.example.com"},
		},
		{
			name:    "no record anywhere",
			records: []string{txt("example.com", "v=spf1 -all")},
			author:  "a.example.com",
			queries: []string{"_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name:       "record split into several strings is concatenated",
			records:    []string{`_dmarc.example.org. 300 IN TXT "v=DMARC1; " "p=reject; " "adkim=s"`},
			author:     "EXAMPLE.org.",
			wantDomain: "example.org", wantP: PolicyReject,
			queries: []string{"_dmarc.example.org"},
		},
		{
			name:       "IDN author domain is queried as A-labels",
			records:    []string{dmarcTXT("xn--bcher-kva.example", "v=DMARC1; p=reject")},
			author:     "Bücher.example",
			wantDomain: "xn--bcher-kva.example", wantP: PolicyReject,
			queries: []string{"_dmarc.xn--bcher-kva.example"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := serve(t, append(tt.records, "zz.invalid. 300 IN A 192.0.2.1")...)
			rec, dom, err := c.Lookup(ctx(t), tt.author)
			require.NoError(t, err)
			assert.Equal(t, tt.wantDomain, dom)
			if tt.wantDomain == "" {
				assert.Nil(t, rec)
			} else {
				require.NotNil(t, rec)
				assert.Equal(t, tt.wantP, rec.Policy)
			}
			assert.Equal(t, tt.queries, dmarcQueries(srv))
			assert.LessOrEqual(t, len(dmarcQueries(srv)), MaxTreeWalkQueries)
		})
	}
}

// TestOrganizationalDomainTreeWalk follows RFC 9989 §4.10.2 and its
// examples.
func TestOrganizationalDomainTreeWalk(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		domain  string
		want    string
	}{
		{"§4.10.2 first example", []string{dmarcTXT("mail.example.com", "v=DMARC1; p=none"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			"a.mail.example.com", "example.com"},
		{"§4.10.2 psd=n", []string{dmarcTXT("mail.example.com", "v=DMARC1; p=none; psd=n"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			"a.mail.example.com", "mail.example.com"},
		{"§4.10.2 psd=y at the top", []string{dmarcTXT("com", "v=DMARC1; p=none; psd=y")},
			"a.mail.example.com", "example.com"},
		{"no records: the domain itself", nil, "a.mail.example.com", "a.mail.example.com"},
		{"psd=y at the start is not skipped", []string{dmarcTXT("bank.example", "v=DMARC1; p=reject; psd=y")},
			"bank.example", "bank.example"},
		{"psd=n at the start", []string{dmarcTXT("a.example.com", "v=DMARC1; p=reject; psd=n"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			"a.example.com", "a.example.com"},
		{"B.4.3 DKIM identifier", []string{dmarcTXT("bank.example", "v=DMARC1; p=reject; psd=y"), dmarcTXT("giant.bank.example", "v=DMARC1; p=none")},
			"mail.mega.bank.example", "mega.bank.example"},
		{"psd=y one label below the start", []string{dmarcTXT("bank.example", "v=DMARC1; p=reject; psd=y")},
			"giant.bank.example", "giant.bank.example"},
		{"duplicate records at the top are ignored", []string{dmarcTXT("example.com", "v=DMARC1; p=none"), dmarcTXT("com", "v=DMARC1; p=none"), dmarcTXT("com", "v=DMARC1; p=reject")},
			"x.example.com", "example.com"},
		{"psd=y found after the shortcut", []string{dmarcTXT("example", "v=DMARC1; p=reject; psd=y")},
			"a.b.c.d.e.f.g.h.i.example", "i.example"},
		{"psd=y on a 7-label name right after the shortcut",
			[]string{dmarcTXT("c.d.e.f.g.h.example", "v=DMARC1; p=reject; psd=y")},
			"z.y.a.b.c.d.e.f.g.h.example", "b.c.d.e.f.g.h.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := serve(t, append(tt.records, "zz.invalid. 300 IN A 192.0.2.1")...)
			got, err := c.OrganizationalDomain(ctx(t), tt.domain)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, len(dmarcQueries(srv)), MaxTreeWalkQueries)
		})
	}
}

// TestTreeWalkQueryLimit checks over the wire that no walk, for any depth,
// makes more than eight queries.
func TestTreeWalkQueryLimit(t *testing.T) {
	srv := dnstest.New(t, zone("zz.invalid. 300 IN A 192.0.2.1"))
	c := &Checker{Resolver: srv.Resolver()}
	for n := 1; n <= 40; n += 3 {
		labels := make([]string, n)
		for i := range labels {
			labels[i] = fmt.Sprintf("l%d", i)
		}
		d := strings.Join(labels, ".")
		srv.ResetLog()
		rec, _, err := c.Lookup(ctx(t), d)
		require.NoError(t, err)
		assert.Nil(t, rec)
		assert.Len(t, dmarcQueries(srv), min(n, MaxTreeWalkQueries), "labels=%d", n)
		srv.ResetLog()
		org, err := c.OrganizationalDomain(ctx(t), d)
		require.NoError(t, err)
		assert.Equal(t, d, org)
		assert.LessOrEqual(t, len(dmarcQueries(srv)), MaxTreeWalkQueries, "labels=%d", n)
	}
}

func TestLookupErrors(t *testing.T) {
	t.Run("SERVFAIL at the author domain", func(t *testing.T) {
		srv, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject"))
		srv.Fault("_dmarc.a.example.com.", dns.TypeTXT, dnstest.ServFail)
		_, _, err := c.Lookup(ctx(t), "a.example.com")
		assert.ErrorIs(t, err, ErrTempError)
	})
	t.Run("timeout during the walk", func(t *testing.T) {
		srv, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject"))
		srv.Fault("_dmarc.com.", dns.TypeTXT, dnstest.Drop)
		_, _, err := c.Lookup(ctx(t), "a.example.com")
		assert.ErrorIs(t, err, ErrTempError)
	})
	t.Run("failure after the author record is irrelevant", func(t *testing.T) {
		srv, c := serve(t, dmarcTXT("a.example.com", "v=DMARC1; p=reject"))
		srv.Fault("_dmarc.example.com.", dns.TypeTXT, dnstest.ServFail)
		rec, dom, err := c.Lookup(ctx(t), "a.example.com")
		require.NoError(t, err)
		assert.Equal(t, "a.example.com", dom)
		assert.NotNil(t, rec)
	})
	t.Run("truncated answer retried over TCP", func(t *testing.T) {
		long := "v=DMARC1; p=reject; rua=" + strings.Repeat("mailto:reports@example.com,", 40) + "mailto:last@example.com"
		srv, c := serve(t, dmarcTXT("example.com", long))
		srv.Fault("_dmarc.example.com.", dns.TypeTXT, dnstest.Truncate)
		rec, dom, err := c.Lookup(ctx(t), "example.com")
		require.NoError(t, err)
		assert.Equal(t, "example.com", dom)
		require.NotNil(t, rec)
		assert.Len(t, rec.AggregateReportURIs, 41)
	})
	t.Run("malformed only record", func(t *testing.T) {
		_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; p=none"))
		rec, _, err := c.Lookup(ctx(t), "example.com")
		assert.Nil(t, rec)
		assert.ErrorIs(t, err, ErrMalformedRecord)
		assert.ErrorIs(t, err, ErrDuplicateTag)
	})
	t.Run("invalid domain", func(t *testing.T) {
		c := &Checker{Resolver: dnstest.NewMemory(t)}
		for _, d := range []string{"", ".", "a..b", strings.Repeat("a", 64) + ".com", "exa mple.com", "a@b.com"} {
			_, _, err := c.Lookup(ctx(t), d)
			assert.True(t, errors.Is(err, ErrInvalidDomain), "%q: %v", d, err)
		}
	})
}

func TestLookupPSL(t *testing.T) {
	tests := []struct {
		name       string
		records    []string
		author     string
		wantDomain string
		queries    []string
	}{
		{"author record", []string{dmarcTXT("a.example.com", "v=DMARC1; p=reject")}, "a.example.com", "a.example.com", []string{"_dmarc.a.example.com"}},
		{"organizational domain by PSL", []string{dmarcTXT("example.co.uk", "v=DMARC1; p=reject")}, "a.b.example.co.uk", "example.co.uk",
			[]string{"_dmarc.a.b.example.co.uk", "_dmarc.example.co.uk"}},
		{"intermediate records are not consulted", []string{dmarcTXT("b.example.com", "v=DMARC1; p=reject")}, "a.b.example.com", "",
			[]string{"_dmarc.a.b.example.com", "_dmarc.example.com"}},
		{"several records at the author end discovery (RFC 7489 §6.6.3 step 5)",
			[]string{dmarcTXT("a.example.com", "v=DMARC1; p=reject"), dmarcTXT("a.example.com", "v=DMARC1; p=none"), dmarcTXT("example.com", "v=DMARC1; p=none")},
			"a.example.com", "", []string{"_dmarc.a.example.com"}},
		{"public suffix is never queried", []string{dmarcTXT("com", "v=DMARC1; p=reject; psd=y")}, "example.com", "", []string{"_dmarc.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := serve(t, append(tt.records, "zz.invalid. 300 IN A 192.0.2.1")...)
			c.Discovery = PSL
			rec, dom, err := c.Lookup(ctx(t), tt.author)
			require.NoError(t, err)
			assert.Equal(t, tt.wantDomain, dom)
			assert.Equal(t, tt.wantDomain != "", rec != nil)
			assert.Equal(t, tt.queries, dmarcQueries(srv))
		})
	}
}

func TestOrganizationalDomainPSL(t *testing.T) {
	for in, want := range map[string]string{
		"example.com":           "example.com",
		"a.b.example.com":       "example.com",
		"A.B.Example.COM.":      "example.com",
		"mail.example.co.uk":    "example.co.uk",
		"co.uk":                 "co.uk",
		"com":                   "com",
		"x.y.example.invalid":   "example.invalid",
		"bücher.example.de":     "example.de",
		"www.xn--bcher-kva.de":  "xn--bcher-kva.de",
		"foo.bar.blogspot.com":  "bar.blogspot.com",
		"a.b.c.d.e.f.g.h.i.com": "i.com",
	} {
		assert.Equal(t, want, OrganizationalDomain(in), in)
	}
}
