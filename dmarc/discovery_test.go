package dmarc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
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
		srv.Fault("_dmarc.a.example.com.", dnstest.TypeTXT, dnstest.ServFail)
		_, _, err := c.Lookup(ctx(t), "a.example.com")
		assert.ErrorIs(t, err, ErrTemporary)
	})
	t.Run("timeout during the walk", func(t *testing.T) {
		srv, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject"))
		srv.Fault("_dmarc.com.", dnstest.TypeTXT, dnstest.Drop)
		_, _, err := c.Lookup(ctx(t), "a.example.com")
		assert.ErrorIs(t, err, ErrTemporary)
	})
	t.Run("failure after the author record is irrelevant", func(t *testing.T) {
		srv, c := serve(t, dmarcTXT("a.example.com", "v=DMARC1; p=reject"))
		srv.Fault("_dmarc.example.com.", dnstest.TypeTXT, dnstest.ServFail)
		rec, dom, err := c.Lookup(ctx(t), "a.example.com")
		require.NoError(t, err)
		assert.Equal(t, "a.example.com", dom)
		assert.NotNil(t, rec)
	})
	t.Run("truncated answer retried over TCP", func(t *testing.T) {
		long := "v=DMARC1; p=reject; rua=" + strings.Repeat("mailto:reports@example.com,", 40) + "mailto:last@example.com"
		srv, c := serve(t, dmarcTXT("example.com", long))
		srv.Fault("_dmarc.example.com.", dnstest.TypeTXT, dnstest.Truncate)
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

func TestTreeWalkQueries(t *testing.T) {
	tests := []struct {
		name    string
		dns     *zoneSpec
		from    string
		policy  string // "" when no record applies
		queries []string
	}{
		{
			name: "ten labels: author, then the 7-label suffix and its parents (8 queries)",
			dns:  newZone(), from: "a.b.c.d.e.f.g.h.example.com",
			queries: []string{"_dmarc.a.b.c.d.e.f.g.h.example.com", "_dmarc.d.e.f.g.h.example.com", "_dmarc.e.f.g.h.example.com",
				"_dmarc.f.g.h.example.com", "_dmarc.g.h.example.com", "_dmarc.h.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "eight labels: 8 queries",
			dns:  newZone(), from: "a.b.c.d.e.f.example.com",
			queries: []string{"_dmarc.a.b.c.d.e.f.example.com", "_dmarc.b.c.d.e.f.example.com", "_dmarc.c.d.e.f.example.com",
				"_dmarc.d.e.f.example.com", "_dmarc.e.f.example.com", "_dmarc.f.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "seven labels: 7 queries",
			dns:  newZone(), from: "b.c.d.e.f.example.com",
			queries: []string{"_dmarc.b.c.d.e.f.example.com", "_dmarc.c.d.e.f.example.com",
				"_dmarc.d.e.f.example.com", "_dmarc.e.f.example.com", "_dmarc.f.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "RFC 9989 §4.10 example: thirteen labels",
			dns:  newZone(), from: "a.b.c.d.e.f.g.h.i.j.mail.example.com",
			queries: []string{"_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com", "_dmarc.g.h.i.j.mail.example.com", "_dmarc.h.i.j.mail.example.com",
				"_dmarc.i.j.mail.example.com", "_dmarc.j.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "record skipped by the shortcut is never seen (§5.1.8)",
			dns:  newZone().dmarc("b.c.d.e.f.g.example.com", "v=DMARC1; p=reject; psd=n").dmarc("example.com", "v=DMARC1; p=none"),
			from: "mail.a.b.c.d.e.f.g.example.com", policy: "example.com",
			queries: []string{"_dmarc.mail.a.b.c.d.e.f.g.example.com", "_dmarc.c.d.e.f.g.example.com", "_dmarc.d.e.f.g.example.com",
				"_dmarc.e.f.g.example.com", "_dmarc.f.g.example.com", "_dmarc.g.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "trailing dot and upper case in the From domain",
			dns:  newZone().dmarc("example.com", "v=DMARC1; p=reject"), from: "Mail.Example.COM.", policy: "example.com",
			queries: []string{"_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "record at the author domain: one query",
			dns:  newZone().dmarc("mail.example.com", "v=DMARC1; p=none").dmarc("example.com", "v=DMARC1; p=reject"),
			from: "mail.example.com", policy: "mail.example.com",
			queries: []string{"_dmarc.mail.example.com"},
		},
		{
			name: "IDN author domain queried as A-labels",
			dns:  newZone().dmarc("xn--bcher-kva.example", "v=DMARC1; p=reject"), from: "Bücher.example", policy: "xn--bcher-kva.example",
			queries: []string{"_dmarc.xn--bcher-kva.example"},
		},
		{
			name: "psd=y stops the walk; the PSD record applies when the org domain has none",
			dns:  newZone().dmarc("bank.example", "v=DMARC1; p=reject; psd=y"),
			from: "a.giant.bank.example", policy: "bank.example",
			queries: []string{"_dmarc.a.giant.bank.example", "_dmarc.giant.bank.example", "_dmarc.bank.example"},
		},
		{
			name: "psd=n stops the walk",
			dns:  newZone().dmarc("mail.example.com", "v=DMARC1; p=reject; psd=n").dmarc("example.com", "v=DMARC1; p=none"),
			from: "a.mail.example.com", policy: "mail.example.com",
			queries: []string{"_dmarc.a.mail.example.com", "_dmarc.mail.example.com"},
		},
		{
			name: "psd=u does not stop the walk; the highest record is the org domain",
			dns:  newZone().dmarc("mail.example.com", "v=DMARC1; p=reject; psd=u").dmarc("example.com", "v=DMARC1; p=none"),
			from: "a.mail.example.com", policy: "example.com",
			queries: []string{"_dmarc.a.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "several DMARC records at the author are discarded, the walk goes on",
			dns:  newZone().dmarc("a.example.com", "v=DMARC1; p=none", "v=DMARC1; p=reject").dmarc("example.com", "v=DMARC1; p=quarantine"),
			from: "a.example.com", policy: "example.com",
			queries: []string{"_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "non-DMARC TXT records next to a DMARC record are ignored",
			dns:  newZone().dmarc("example.com", "v=spf1 -all", "google-site-verification=abc", "v=DMARC1; p=reject"),
			from: "example.com", policy: "example.com",
			queries: []string{"_dmarc.example.com"},
		},
		{
			name:    "only non-DMARC TXT records: no policy",
			dns:     newZone().dmarc("example.com", "v=spf1 -all"),
			from:    "example.com",
			queries: []string{"_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "single-label author domain",
			dns:  newZone().dmarc("example", "v=DMARC1; p=reject; psd=y"),
			from: "example", policy: "example",
			queries: []string{"_dmarc.example"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Resolver: tt.dns.resolver(t)}
			rec, dom, err := c.Lookup(context.Background(), tt.from)
			require.NoError(t, err)
			assert.Equal(t, tt.policy, dom)
			assert.Equal(t, tt.policy != "", rec != nil)
			assert.Equal(t, tt.queries, tt.dns.txtQueries())
			assert.LessOrEqual(t, len(tt.dns.txtQueries()), MaxTreeWalkQueries)

			// The Organizational Domain walk of the same name never
			// queries more than eight names either.
			tt.dns.reset()
			_, err = c.OrganizationalDomain(context.Background(), tt.from)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(tt.dns.txtQueries()), MaxTreeWalkQueries)
		})
	}
}

func TestOrganizationalDomainRules(t *testing.T) {
	tests := []struct {
		name, domain, want string
		dns                *zoneSpec
	}{
		{"§4.10.2 example 1", "a.mail.example.com", "example.com",
			newZone().dmarc("mail.example.com", "v=DMARC1; p=none").dmarc("example.com", "v=DMARC1; p=none")},
		{"§4.10.2 example 2: psd=n", "a.mail.example.com", "mail.example.com",
			newZone().dmarc("mail.example.com", "v=DMARC1; p=none; psd=n").dmarc("example.com", "v=DMARC1; p=none")},
		{"§4.10.2 example 3: psd=y at the top", "a.mail.example.com", "example.com",
			newZone().dmarc("com", "v=DMARC1; p=none; psd=y")},
		{"no record: the domain itself", "a.mail.example.com", "a.mail.example.com", newZone()},
		{"psd=y at the start does not count", "bank.example", "bank.example",
			newZone().dmarc("bank.example", "v=DMARC1; p=reject; psd=y")},
		// §4.10 step 2 stops the walk at the psd=y record at the start;
		// rule 2 of §4.10.2 excludes it, so rule 3 names the start.
		{"psd=y at the start stops the walk before a record above", "bank.example", "bank.example",
			newZone().dmarc("bank.example", "v=DMARC1; p=reject; psd=y").dmarc("example", "v=DMARC1; p=none")},
		{"B.4.3 author", "giant.bank.example", "giant.bank.example",
			newZone().dmarc("bank.example", "v=DMARC1; p=reject; psd=y").dmarc("giant.bank.example", "v=DMARC1; p=none")},
		{"B.4.3 DKIM identifier", "mail.mega.bank.example", "mega.bank.example",
			newZone().dmarc("bank.example", "v=DMARC1; p=reject; psd=y").dmarc("giant.bank.example", "v=DMARC1; p=none")},
		{"psd=n at the start", "a.example.com", "a.example.com",
			newZone().dmarc("a.example.com", "v=DMARC1; p=none; psd=n").dmarc("example.com", "v=DMARC1; p=none")},
		{"psd=n below a psd=y: psd=n wins (longest first)", "x.a.example.com", "a.example.com",
			newZone().dmarc("a.example.com", "v=DMARC1; p=none; psd=n").dmarc("com", "v=DMARC1; p=none; psd=y")},
		{"duplicate records are not records", "a.example.com", "example.com",
			newZone().dmarc("example.com", "v=DMARC1; p=none").dmarc("com", "v=DMARC1; p=none", "v=DMARC1; p=reject")},
		{"after the shortcut", "a.b.c.d.e.f.g.h.example.com", "h.example.com",
			newZone().dmarc("example.com", "v=DMARC1; p=none; psd=y")},
		{"trailing dot and case", "A.Mail.Example.COM.", "example.com",
			newZone().dmarc("example.com", "v=DMARC1; p=none")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Resolver: tt.dns.resolver(t)}
			got, err := c.OrganizationalDomain(context.Background(), tt.domain)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLookupPSLQueries(t *testing.T) {
	tests := []struct {
		name, from, policy string
		dns                *zoneSpec
		queries            []string
	}{
		{"author record", "a.example.co.uk", "a.example.co.uk",
			newZone().dmarc("a.example.co.uk", "v=DMARC1; p=none").dmarc("example.co.uk", "v=DMARC1; p=reject"),
			[]string{"_dmarc.a.example.co.uk"}},
		{"organizational domain by the list", "x.y.example.co.uk", "example.co.uk",
			newZone().dmarc("example.co.uk", "v=DMARC1; p=reject"),
			[]string{"_dmarc.x.y.example.co.uk", "_dmarc.example.co.uk"}},
		{"several records at the author end discovery (RFC 7489 §6.6.3 step 5)", "a.example.com", "",
			newZone().dmarc("a.example.com", "v=DMARC1; p=none", "v=DMARC1; p=reject").dmarc("example.com", "v=DMARC1; p=reject"),
			[]string{"_dmarc.a.example.com"}},
		{"non-DMARC TXT at the author does not stop discovery", "a.example.com", "example.com",
			newZone().dmarc("a.example.com", "v=spf1 -all").dmarc("example.com", "v=DMARC1; p=reject"),
			[]string{"_dmarc.a.example.com", "_dmarc.example.com"}},
		{"organizational domain is the author", "example.com", "",
			newZone().dmarc("com", "v=DMARC1; p=reject; psd=y"),
			[]string{"_dmarc.example.com"}},
		{"deep names still make two queries", "a.b.c.d.e.f.g.h.example.com", "example.com",
			newZone().dmarc("example.com", "v=DMARC1; p=reject"),
			[]string{"_dmarc.a.b.c.d.e.f.g.h.example.com", "_dmarc.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Resolver: tt.dns.resolver(t), Discovery: PSL}
			rec, dom, err := c.Lookup(context.Background(), tt.from)
			require.NoError(t, err)
			assert.Equal(t, tt.policy, dom)
			assert.Equal(t, tt.policy != "", rec != nil)
			assert.Equal(t, tt.queries, tt.dns.txtQueries())
		})
	}
	assert.Equal(t, "example.co.uk", OrganizationalDomain("A.B.Example.CO.UK."))
	assert.Equal(t, "co.uk", OrganizationalDomain("co.uk"))
	assert.Equal(t, "xn--bcher-kva.example", OrganizationalDomain("www.bücher.example"))
}

// A _dmarc name over 253 octets cannot exist (RFC 1035 §2.3.4): it is not
// queried, and the walk goes on with the parents.
func TestOverlongDMARCName(t *testing.T) {
	l := strings.Repeat("a", 60)
	author := l + "." + l + "." + l + "." + l + ".example" // 251 octets
	require.Len(t, author, 251)
	d := newZone().dmarc("example", "v=DMARC1; p=reject; psd=y")
	c := &Checker{Resolver: d.resolver(t)}
	rec, dom, err := c.Lookup(context.Background(), author)
	require.NoError(t, err)
	require.NotNil(t, rec)
	assert.Equal(t, "example", dom)
	q := d.txtQueries()
	assert.NotContains(t, q, "_dmarc."+author)
	assert.Equal(t, "_dmarc."+strings.SplitN(author, ".", 2)[1], q[0])
	assert.LessOrEqual(t, len(q), MaxTreeWalkQueries)
	v, err := c.Check(context.Background(), Input{FromDomain: author})
	require.NoError(t, err)
	assert.Equal(t, Fail, v.Result)
	assert.Equal(t, PolicyReject, v.Disposition)
}

// TestWildcardRecords: a wildcard TXT owner synthesizes a record at
// _dmarc.<name> for names that do not exist (RFC 4592), so such an Author
// Domain has "its own" record and its p applies; DMARC adds no wildcard
// logic of its own.
func TestWildcardRecords(t *testing.T) {
	srv := dnstest.New(t, zone(
		`*.wild.example. 300 IN TXT "v=DMARC1; p=quarantine"`,
		`_dmarc.wild.example. 300 IN TXT "v=DMARC1; p=reject; sp=none; np=none"`,
		`*._report._dmarc.rua.example. 300 IN TXT "v=DMARC1"`,
	))
	c := &Checker{Resolver: srv.Resolver()}
	tests := []struct {
		from      string
		dis       Policy
		policyDom string
	}{
		{"wild.example", PolicyReject, "wild.example"},
		{"foo.wild.example", PolicyQuarantine, "foo.wild.example"},
		{"a.b.wild.example", PolicyQuarantine, "a.b.wild.example"},
	}
	for _, tt := range tests {
		v, err := c.Check(context.Background(), Input{FromDomain: tt.from})
		require.NoError(t, err, tt.from)
		assert.Equal(t, Fail, v.Result, tt.from)
		assert.Equal(t, tt.dis, v.Disposition, tt.from)
		assert.Equal(t, tt.policyDom, v.PolicyDomain, tt.from)
	}
	ok, err := c.VerifyExternalDestination(context.Background(), "anyone.example", "rua.example")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = c.VerifyExternalDestination(context.Background(), "anyone.example", "other.example")
	require.NoError(t, err)
	assert.False(t, ok)
}

// When the tree walk finds no DMARC record, the Organizational Domain is
// the Author Domain itself (RFC 9989 §4.10.2), also when the records at
// a parent were discarded because there were several.
func TestOrgDomainWithoutRecord(t *testing.T) {
	tests := []struct {
		name, from string
		txt        map[string][]string
	}{
		{"nothing published", "a.b.example.com", nil},
		{"several records at the parent", "a.b.example.com", map[string][]string{
			"_dmarc.example.com.": {"v=DMARC1; p=reject", "v=DMARC1; p=none"}}},
		{"several records at two parents", "mail.example.com", map[string][]string{
			"_dmarc.example.com.": {"v=DMARC1; p=reject", "v=DMARC1; p=none"},
			"_dmarc.com.":         {"v=DMARC1; p=none; psd=y", "v=DMARC1; p=reject; psd=y"}}},
		{"only non-DMARC text", "www.example.org", map[string][]string{
			"_dmarc.example.org.": {"v=spf1 -all", " v=DMARC1; p=reject"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, disc := range []Discovery{TreeWalk} {
				c := &Checker{Resolver: txtZone(tt.txt).resolver(t), Discovery: disc}
				v, err := c.Check(ctx(t), Input{FromDomain: tt.from, SPFDomain: tt.from, SPFPass: true})
				require.NoError(t, err)
				assert.Equal(t, None, v.Result)
				assert.Equal(t, tt.from, v.OrgDomain, "Verdict.OrgDomain")
				org, err := c.OrganizationalDomain(ctx(t), tt.from)
				require.NoError(t, err)
				assert.Equal(t, tt.from, org, "Checker.OrganizationalDomain")
			}
		})
	}
}

// A TXT string with white space before v=DMARC1 is not a DMARC record
// (RFC 9989 §4.8 ABNF): it is not counted, so it neither applies nor
// makes a second record that discards the real one.
func TestLeadingWhiteSpaceNotDMARC(t *testing.T) {
	for _, disc := range []Discovery{TreeWalk, PSL} {
		_, c := memory(t, dmarcTXT("example.com", " v=DMARC1; p=reject"),
			dmarcTXT("example.net", "\tv=DMARC1; p=none"), dmarcTXT("example.net", "v=DMARC1; p=reject"))
		c.Discovery = disc
		rec, _, err := c.Lookup(ctx(t), "example.com")
		require.NoError(t, err, disc)
		assert.Nil(t, rec, "%v: white space before v=DMARC1", disc)
		rec, dom, err := c.Lookup(ctx(t), "example.net")
		require.NoError(t, err, disc)
		require.NotNil(t, rec, disc)
		assert.Equal(t, "example.net", dom)
		assert.Equal(t, PolicyReject, rec.Policy, disc)
	}
}
