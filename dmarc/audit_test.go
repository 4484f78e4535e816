package dmarc

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuditParse(t *testing.T) {
	type want struct {
		p, sp, np      Policy
		psd            PSDFlag
		testing        bool
		adkim, aspf    AlignmentMode
		pct            int
		rua            int
		asNone, usable bool
	}
	tests := []struct {
		name, txt string
		err       error
		want      want
	}{
		{"minimal", "v=DMARC1; p=reject", nil, want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"upper case values", "V=DMARC1;p=REJECT;sp=Quarantine;np=None;adkim=S;aspf=s;psd=Y;t=Y",
			nil, want{p: "reject", sp: "quarantine", np: "none", psd: "y", testing: true, adkim: "s", aspf: "s", pct: 100, usable: true}},
		// RFC 9989 §4.8 quotes every tag name: case-insensitive (RFC
		// 5234 §2.3).
		{"upper case tag names", "V=DMARC1;P=REJECT;SP=Quarantine;ADKIM=S;RUA=mailto:d@example.com",
			nil, want{p: "reject", sp: "quarantine", adkim: "s", aspf: "r", psd: "u", pct: 100, rua: 1, usable: true}},
		{"upper case name repeats a tag", "v=DMARC1; p=reject; P=none", ErrDuplicateTag, want{}},
		{"no spaces, trailing semicolon", "v=DMARC1;p=none;", nil, want{p: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"white space around = and ;", "v = DMARC1 ;\tp = quarantine ; sp = none ; ", nil,
			want{p: "quarantine", sp: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"several trailing semicolons", "v=DMARC1; p=reject;;;", nil, want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"v not first", "p=reject; v=DMARC1", ErrNotDMARC, want{}},
		{"v value is case sensitive", "v=dmarc1; p=reject", ErrNotDMARC, want{}},
		{"wrong version", "v=DMARC2; p=reject", ErrNotDMARC, want{}},
		{"version glued to the next tag", "v=DMARC1p=reject", ErrNotDMARC, want{}},
		{"version with a trailing character", "v=DMARC10; p=reject", ErrNotDMARC, want{}},
		{"empty", "", ErrNotDMARC, want{}},
		{"SPF record", "v=spf1 -all", ErrNotDMARC, want{}},
		{"version only", "v=DMARC1", nil, want{adkim: "r", aspf: "r", psd: "u", pct: 100}},
		{"version only with semicolon", "v=DMARC1;", nil, want{adkim: "r", aspf: "r", psd: "u", pct: 100}},
		{"p missing, rua valid", "v=DMARC1; rua=mailto:d@example.com", nil, want{adkim: "r", aspf: "r", psd: "u", pct: 100, rua: 1, asNone: true, usable: true}},
		{"p invalid, rua valid", "v=DMARC1; p=bogus; rua=mailto:d@example.com", nil, want{adkim: "r", aspf: "r", psd: "u", pct: 100, rua: 1, asNone: true, usable: true}},
		{"p invalid, no rua", "v=DMARC1; p=bogus", nil, want{adkim: "r", aspf: "r", psd: "u", pct: 100}},
		{"p invalid, rua invalid", "v=DMARC1; p=bogus; rua=d@example.com", nil, want{adkim: "r", aspf: "r", psd: "u", pct: 100}},
		{"sp invalid, no rua", "v=DMARC1; p=reject; sp=bogus", nil, want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100}},
		{"np invalid with rua", "v=DMARC1; p=reject; np=x; rua=mailto:d@example.com", nil,
			want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, rua: 1, asNone: true, usable: true}},
		{"empty p", "v=DMARC1; p=", nil, want{adkim: "r", aspf: "r", psd: "u", pct: 100}},
		{"invalid alignment, psd and t keep defaults", "v=DMARC1; p=reject; adkim=x; aspf=relaxed; psd=maybe; t=yes", nil,
			want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"pct 0", "v=DMARC1; p=reject; pct=0", nil, want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 0, usable: true}},
		{"pct over 100 keeps the default", "v=DMARC1; p=reject; pct=101", nil, want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"pct negative keeps the default", "v=DMARC1; p=reject; pct=-5", nil, want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"unknown tags and fragments ignored", "v=DMARC1; p=reject; foo=bar; junk; x1=2; =y", nil,
			want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"rua list with spaces and size", "v=DMARC1; p=none; rua=mailto:a@example.com , mailto:b@example.net!10m", nil,
			want{p: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, rua: 2, usable: true}},
		{"rua keeps its valid entries", "v=DMARC1; p=none; rua=bogus,mailto:a@example.com", nil,
			want{p: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, rua: 1, usable: true}},
		{"duplicate p", "v=DMARC1; p=reject; p=none", ErrDuplicateTag, want{}},
		{"leading white space is not a DMARC record (§4.8 ABNF)", "  v=DMARC1; p=reject", ErrNotDMARC, want{}},
		{"RFC 9989 B.2.5 record", "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net; t=y", nil,
			want{p: "quarantine", testing: true, adkim: "r", aspf: "r", psd: "u", pct: 100, rua: 2, usable: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.txt)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Nil(t, r)
				return
			}
			require.NoError(t, err)
			got := want{
				p: r.Policy, sp: r.SubdomainPolicy, np: r.NonExistentPolicy, psd: r.EffectivePSD(), testing: r.Testing,
				adkim: r.EffectiveDKIMAlignment(), aspf: r.EffectiveSPFAlignment(), pct: r.EffectivePercent(), rua: len(r.AggregateReportURIs),
			}
			got.asNone, got.usable = r.PolicyUsable()
			assert.Equal(t, tt.want, got)
			back, err := Parse(r.String())
			require.NoError(t, err, r.String())
			assert.Equal(t, r, back, "String round trip of %q: %q", tt.txt, r.String())
		})
	}
}

func TestAuditTreeWalkQueries(t *testing.T) {
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

func TestAuditOrganizationalDomain(t *testing.T) {
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

func TestAuditCheck(t *testing.T) {
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
			dns: func() *zoneSpec {
				d := newZone().dmarc("example.com", "v=DMARC1; p=reject; sp=quarantine; np=none")
				d.addA("mail.example.com")
				return d
			}(),
			in: Input{FromDomain: "mail.example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
		{name: "existing subdomain without sp: p",
			dns: func() *zoneSpec {
				d := newZone().dmarc("example.com", "v=DMARC1; p=reject; np=none")
				d.addMX("mail.example.com")
				return d
			}(),
			in: Input{FromDomain: "mail.example.com"}, result: Fail, dis: PolicyReject, policyDom: "example.com"},
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
			dns: func() *zoneSpec {
				d := newZone().dmarc("example", "v=DMARC1; p=reject; sp=quarantine; psd=y")
				d.addA("org.example")
				return d
			}(),
			in: Input{FromDomain: "org.example"}, result: Fail, dis: PolicyQuarantine, policyDom: "example"},

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
			dns: func() *zoneSpec {
				d := newZone().dmarc("example.com", "v=DMARC1; p=none; sp=reject; t=y")
				d.addA("www.example.com")
				return d
			}(),
			in: Input{FromDomain: "www.example.com"}, result: Fail, dis: PolicyQuarantine, policyDom: "example.com"},
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

func TestAuditCheckDNSErrors(t *testing.T) {
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
				assert.ErrorIs(t, err, ErrTempError)
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
		assert.ErrorIs(t, err, ErrTempError, name)
	}
}

func TestAuditPercentSampling(t *testing.T) {
	d := newZone().dmarc("example.com", "v=DMARC1; p=reject; pct=30")
	c := &Checker{Resolver: d.resolver(t), Discovery: PSL, Rand: rand.New(rand.NewPCG(7, 9))}
	applied := 0
	const n = 2000
	for range n {
		v, err := c.Check(context.Background(), Input{FromDomain: "example.com"})
		require.NoError(t, err)
		require.Equal(t, Fail, v.Result)
		switch v.Disposition {
		case PolicyReject:
			applied++
		case PolicyQuarantine: // sampled out: one step less strict
		default:
			t.Fatalf("unexpected disposition %q", v.Disposition)
		}
	}
	assert.InDelta(t, 0.30, float64(applied)/n, 0.05)

	// Tree walk mode ignores pct (historic in RFC 9989).
	c.Discovery = TreeWalk
	for range 50 {
		v, err := c.Check(context.Background(), Input{FromDomain: "example.com"})
		require.NoError(t, err)
		require.Equal(t, PolicyReject, v.Disposition)
	}
}

func TestAuditVerifyExternalDestination(t *testing.T) {
	d := newZone()
	d.addTXT("example.com._report._dmarc.thirdparty.example.net", "v=DMARC1;")
	d.addTXT("multi.example._report._dmarc.thirdparty.example.net", "v=spf1 -all", "some text", "v=DMARC1; rua=mailto:r@thirdparty.example.net")
	d.addTXT("nondmarc.example._report._dmarc.thirdparty.example.net", "v=spf1 -all", "hello")
	d.addTXT("two.example._report._dmarc.thirdparty.example.net", "v=DMARC1", "v=DMARC1; p=none")
	d.addTXT("lower.example._report._dmarc.thirdparty.example.net", "v=dmarc1")
	d.addTXT("notfirst.example._report._dmarc.thirdparty.example.net", "p=none; v=DMARC1")
	d.addTXT("xn--bcher-kva.example._report._dmarc.xn--mnchen-3ya.example", "v=DMARC1")
	d.failing("temp.example._report._dmarc.thirdparty.example.net")
	tests := []struct {
		policy, report string
		want, temp     bool
	}{
		{"example.com", "thirdparty.example.net", true, false},
		{"EXAMPLE.COM.", "Thirdparty.Example.Net.", true, false},
		{"multi.example", "thirdparty.example.net", true, false},
		{"nondmarc.example", "thirdparty.example.net", false, false},
		{"two.example", "thirdparty.example.net", true, false},
		{"lower.example", "thirdparty.example.net", false, false},
		{"notfirst.example", "thirdparty.example.net", false, false},
		{"absent.example", "thirdparty.example.net", false, false},
		{"bücher.example", "münchen.example", true, false},
		{"temp.example", "thirdparty.example.net", false, true},
	}
	c := &Checker{Resolver: d.resolver(t)}
	for _, tt := range tests {
		d.reset()
		got, err := c.VerifyExternalDestination(context.Background(), tt.policy, tt.report)
		if tt.temp {
			assert.ErrorIs(t, err, ErrTempError, tt.policy)
		} else {
			assert.NoError(t, err, tt.policy)
		}
		assert.Equal(t, tt.want, got, "%s -> %s", tt.policy, tt.report)
		q := d.txtQueries()
		require.Len(t, q, 1, tt.policy)
		assert.True(t, strings.Contains(q[0], "._report._dmarc."), q[0])
	}
}

func TestAuditAuthResult(t *testing.T) {
	d := newZone().dmarc("example.com", "v=DMARC1; p=reject").dmarc("example.org", "v=DMARC1; p=quarantine; t=y")
	d.failing("_dmarc.example.net")
	c := &Checker{Resolver: d.resolver(t)}
	tests := []struct {
		in   Input
		want string
	}{
		{Input{FromDomain: "example.com"}, "dmarc=fail (p=reject dis=reject) header.from=example.com"},
		{Input{FromDomain: "EXAMPLE.com.", DKIMDomains: []string{"example.com"}}, "dmarc=pass (p=reject dis=none) header.from=example.com"},
		{Input{FromDomain: "example.org"}, "dmarc=fail (p=quarantine dis=none) header.from=example.org"},
		{Input{FromDomain: "example.net"}, "dmarc=temperror header.from=example.net"},
		{Input{FromDomain: "none.example"}, "dmarc=none header.from=none.example"},
		{Input{FromDomain: "bad..example"}, "dmarc=permerror"},
	}
	for _, tt := range tests {
		v, _ := c.Check(context.Background(), tt.in)
		assert.Equal(t, tt.want, v.AuthResult(), tt.in.FromDomain)
	}
}

func TestAuditPSLQueries(t *testing.T) {
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

// Verdict flags and the documented readings for t=y and pct together.
func TestAuditVerdictFlags(t *testing.T) {
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

// A _dmarc name over 253 octets cannot exist (RFC 1035 §2.3.4): it is not
// queried, and the walk goes on with the parents.
func TestAuditOverlongDMARCName(t *testing.T) {
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

// Guard the sentinel error contract the audit relies on.
func TestAuditErrors(t *testing.T) {
	_, err := Parse("v=DMARC1; p=reject; sp=none; sp=reject")
	assert.True(t, errors.Is(err, ErrDuplicateTag))
	assert.True(t, strings.HasPrefix(err.Error(), "dmarc: "))
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

// TestAuditWireMatchesMemory checks that Check gives the same verdict over
// real DNS (Go's resolver against dnstest) as with the in-memory resolver,
// and makes the same _dmarc queries.
func TestAuditWireMatchesMemory(t *testing.T) {
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

// TestAuditWildcard: a wildcard TXT owner synthesizes a record at
// _dmarc.<name> for names that do not exist (RFC 4592), so such an Author
// Domain has "its own" record and its p applies; DMARC adds no wildcard
// logic of its own.
func TestAuditWildcard(t *testing.T) {
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
