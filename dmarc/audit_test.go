package dmarc_test

// Black-box audit of the exported API against RFC 9989 (DMARCbis) and RFC
// 7489 (PSL mode), with an in-memory resolver of its own: missing names
// answer *net.DNSError{IsNotFound: true}, names marked as failing answer
// IsTemporary, and every query is logged so the tree walk's names and
// count can be checked.

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// auditDNS is an in-memory resolver. Names are stored lower case without
// the trailing dot; queries must use absolute names (trailing dot).
type auditDNS struct {
	mu    sync.Mutex
	txt   map[string][]string
	a     map[string]bool // names with an A record
	aaaa  map[string]bool // names with an AAAA record
	mx    map[string]bool // names with an MX record
	fail  map[string]bool // names whose every query fails temporarily
	log   []string        // "TYPE name" as queried
	notFQ []string        // names queried without a trailing dot
}

func newAuditDNS() *auditDNS {
	return &auditDNS{txt: map[string][]string{}, a: map[string]bool{}, aaaa: map[string]bool{}, mx: map[string]bool{}, fail: map[string]bool{}}
}

// with adds TXT records at _dmarc.<domain>.
func (d *auditDNS) dmarc(domain string, records ...string) *auditDNS {
	d.txt["_dmarc."+domain] = append(d.txt["_dmarc."+domain], records...)
	return d
}

func (d *auditDNS) key(typ, name string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log = append(d.log, typ+" "+name)
	if !strings.HasSuffix(name, ".") {
		d.notFQ = append(d.notFQ, name)
	}
	k := strings.ToLower(strings.TrimSuffix(name, "."))
	if d.fail[k] {
		return k, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
	}
	return k, nil
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (d *auditDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	k, err := d.key("TXT", name)
	if err != nil {
		return nil, err
	}
	if v, ok := d.txt[k]; ok {
		return v, nil
	}
	return nil, notFound(name)
}

func (d *auditDNS) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	k, err := d.key("IP:"+network, host)
	if err != nil {
		return nil, err
	}
	switch {
	case network == "ip4" && d.a[k]:
		return []netip.Addr{netip.MustParseAddr("192.0.2.1")}, nil
	case network == "ip6" && d.aaaa[k]:
		return []netip.Addr{netip.MustParseAddr("2001:db8::1")}, nil
	case network == "ip" && (d.a[k] || d.aaaa[k]):
		return []netip.Addr{netip.MustParseAddr("192.0.2.1")}, nil
	}
	return nil, notFound(host)
}

func (d *auditDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	k, err := d.key("MX", name)
	if err != nil {
		return nil, err
	}
	if d.mx[k] {
		return []*net.MX{{Host: "mx." + k + ".", Pref: 10}}, nil
	}
	return nil, notFound(name)
}

// txtQueries returns the TXT names queried, without the trailing dot.
func (d *auditDNS) txtQueries() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, l := range d.log {
		if name, ok := strings.CutPrefix(l, "TXT "); ok {
			out = append(out, strings.TrimSuffix(name, "."))
		}
	}
	return out
}

func (d *auditDNS) reset() {
	d.mu.Lock()
	d.log, d.notFQ = nil, nil
	d.mu.Unlock()
}

func TestAuditParse(t *testing.T) {
	type want struct {
		p, sp, np      dmarc.Policy
		psd            dmarc.PSDFlag
		testing        bool
		adkim, aspf    dmarc.AlignmentMode
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
		{"upper case name repeats a tag", "v=DMARC1; p=reject; P=none", dmarc.ErrDuplicateTag, want{}},
		{"no spaces, trailing semicolon", "v=DMARC1;p=none;", nil, want{p: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"white space around = and ;", "v = DMARC1 ;\tp = quarantine ; sp = none ; ", nil,
			want{p: "quarantine", sp: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"several trailing semicolons", "v=DMARC1; p=reject;;;", nil, want{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, usable: true}},
		{"v not first", "p=reject; v=DMARC1", dmarc.ErrNotDMARC, want{}},
		{"v value is case sensitive", "v=dmarc1; p=reject", dmarc.ErrNotDMARC, want{}},
		{"wrong version", "v=DMARC2; p=reject", dmarc.ErrNotDMARC, want{}},
		{"version glued to the next tag", "v=DMARC1p=reject", dmarc.ErrNotDMARC, want{}},
		{"version with a trailing character", "v=DMARC10; p=reject", dmarc.ErrNotDMARC, want{}},
		{"empty", "", dmarc.ErrNotDMARC, want{}},
		{"SPF record", "v=spf1 -all", dmarc.ErrNotDMARC, want{}},
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
		{"duplicate p", "v=DMARC1; p=reject; p=none", dmarc.ErrDuplicateTag, want{}},
		{"leading white space is not a DMARC record (§4.8 ABNF)", "  v=DMARC1; p=reject", dmarc.ErrNotDMARC, want{}},
		{"RFC 9989 B.2.5 record", "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net; t=y", nil,
			want{p: "quarantine", testing: true, adkim: "r", aspf: "r", psd: "u", pct: 100, rua: 2, usable: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := dmarc.Parse(tt.txt)
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
			back, err := dmarc.Parse(r.String())
			require.NoError(t, err, r.String())
			assert.Equal(t, r, back, "String round trip of %q: %q", tt.txt, r.String())
		})
	}
}

func TestAuditTreeWalkQueries(t *testing.T) {
	tests := []struct {
		name    string
		dns     *auditDNS
		from    string
		policy  string // "" when no record applies
		queries []string
	}{
		{
			name: "ten labels: author, then the 7-label suffix and its parents (8 queries)",
			dns:  newAuditDNS(), from: "a.b.c.d.e.f.g.h.example.com",
			queries: []string{"_dmarc.a.b.c.d.e.f.g.h.example.com", "_dmarc.d.e.f.g.h.example.com", "_dmarc.e.f.g.h.example.com",
				"_dmarc.f.g.h.example.com", "_dmarc.g.h.example.com", "_dmarc.h.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "eight labels: 8 queries",
			dns:  newAuditDNS(), from: "a.b.c.d.e.f.example.com",
			queries: []string{"_dmarc.a.b.c.d.e.f.example.com", "_dmarc.b.c.d.e.f.example.com", "_dmarc.c.d.e.f.example.com",
				"_dmarc.d.e.f.example.com", "_dmarc.e.f.example.com", "_dmarc.f.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "seven labels: 7 queries",
			dns:  newAuditDNS(), from: "b.c.d.e.f.example.com",
			queries: []string{"_dmarc.b.c.d.e.f.example.com", "_dmarc.c.d.e.f.example.com",
				"_dmarc.d.e.f.example.com", "_dmarc.e.f.example.com", "_dmarc.f.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "RFC 9989 §4.10 example: thirteen labels",
			dns:  newAuditDNS(), from: "a.b.c.d.e.f.g.h.i.j.mail.example.com",
			queries: []string{"_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com", "_dmarc.g.h.i.j.mail.example.com", "_dmarc.h.i.j.mail.example.com",
				"_dmarc.i.j.mail.example.com", "_dmarc.j.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "record skipped by the shortcut is never seen (§5.1.8)",
			dns:  newAuditDNS().dmarc("b.c.d.e.f.g.example.com", "v=DMARC1; p=reject; psd=n").dmarc("example.com", "v=DMARC1; p=none"),
			from: "mail.a.b.c.d.e.f.g.example.com", policy: "example.com",
			queries: []string{"_dmarc.mail.a.b.c.d.e.f.g.example.com", "_dmarc.c.d.e.f.g.example.com", "_dmarc.d.e.f.g.example.com",
				"_dmarc.e.f.g.example.com", "_dmarc.f.g.example.com", "_dmarc.g.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "trailing dot and upper case in the From domain",
			dns:  newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"), from: "Mail.Example.COM.", policy: "example.com",
			queries: []string{"_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "record at the author domain: one query",
			dns:  newAuditDNS().dmarc("mail.example.com", "v=DMARC1; p=none").dmarc("example.com", "v=DMARC1; p=reject"),
			from: "mail.example.com", policy: "mail.example.com",
			queries: []string{"_dmarc.mail.example.com"},
		},
		{
			name: "IDN author domain queried as A-labels",
			dns:  newAuditDNS().dmarc("xn--bcher-kva.example", "v=DMARC1; p=reject"), from: "Bücher.example", policy: "xn--bcher-kva.example",
			queries: []string{"_dmarc.xn--bcher-kva.example"},
		},
		{
			name: "psd=y stops the walk; the PSD record applies when the org domain has none",
			dns:  newAuditDNS().dmarc("bank.example", "v=DMARC1; p=reject; psd=y"),
			from: "a.giant.bank.example", policy: "bank.example",
			queries: []string{"_dmarc.a.giant.bank.example", "_dmarc.giant.bank.example", "_dmarc.bank.example"},
		},
		{
			name: "psd=n stops the walk",
			dns:  newAuditDNS().dmarc("mail.example.com", "v=DMARC1; p=reject; psd=n").dmarc("example.com", "v=DMARC1; p=none"),
			from: "a.mail.example.com", policy: "mail.example.com",
			queries: []string{"_dmarc.a.mail.example.com", "_dmarc.mail.example.com"},
		},
		{
			name: "psd=u does not stop the walk; the highest record is the org domain",
			dns:  newAuditDNS().dmarc("mail.example.com", "v=DMARC1; p=reject; psd=u").dmarc("example.com", "v=DMARC1; p=none"),
			from: "a.mail.example.com", policy: "example.com",
			queries: []string{"_dmarc.a.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "several DMARC records at the author are discarded, the walk goes on",
			dns:  newAuditDNS().dmarc("a.example.com", "v=DMARC1; p=none", "v=DMARC1; p=reject").dmarc("example.com", "v=DMARC1; p=quarantine"),
			from: "a.example.com", policy: "example.com",
			queries: []string{"_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "non-DMARC TXT records next to a DMARC record are ignored",
			dns:  newAuditDNS().dmarc("example.com", "v=spf1 -all", "google-site-verification=abc", "v=DMARC1; p=reject"),
			from: "example.com", policy: "example.com",
			queries: []string{"_dmarc.example.com"},
		},
		{
			name:    "only non-DMARC TXT records: no policy",
			dns:     newAuditDNS().dmarc("example.com", "v=spf1 -all"),
			from:    "example.com",
			queries: []string{"_dmarc.example.com", "_dmarc.com"},
		},
		{
			name: "single-label author domain",
			dns:  newAuditDNS().dmarc("example", "v=DMARC1; p=reject; psd=y"),
			from: "example", policy: "example",
			queries: []string{"_dmarc.example"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &dmarc.Checker{Resolver: tt.dns}
			rec, dom, err := c.Lookup(context.Background(), tt.from)
			require.NoError(t, err)
			assert.Equal(t, tt.policy, dom)
			assert.Equal(t, tt.policy != "", rec != nil)
			assert.Equal(t, tt.queries, tt.dns.txtQueries())
			assert.LessOrEqual(t, len(tt.dns.txtQueries()), dmarc.MaxTreeWalkQueries)
			assert.Empty(t, tt.dns.notFQ, "queries must use absolute names")

			// The Organizational Domain walk of the same name never
			// queries more than eight names either.
			tt.dns.reset()
			_, err = c.OrganizationalDomain(context.Background(), tt.from)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(tt.dns.txtQueries()), dmarc.MaxTreeWalkQueries)
		})
	}
}

func TestAuditOrganizationalDomain(t *testing.T) {
	tests := []struct {
		name, domain, want string
		dns                *auditDNS
	}{
		{"§4.10.2 example 1", "a.mail.example.com", "example.com",
			newAuditDNS().dmarc("mail.example.com", "v=DMARC1; p=none").dmarc("example.com", "v=DMARC1; p=none")},
		{"§4.10.2 example 2: psd=n", "a.mail.example.com", "mail.example.com",
			newAuditDNS().dmarc("mail.example.com", "v=DMARC1; p=none; psd=n").dmarc("example.com", "v=DMARC1; p=none")},
		{"§4.10.2 example 3: psd=y at the top", "a.mail.example.com", "example.com",
			newAuditDNS().dmarc("com", "v=DMARC1; p=none; psd=y")},
		{"no record: the domain itself", "a.mail.example.com", "a.mail.example.com", newAuditDNS()},
		{"psd=y at the start does not count", "bank.example", "bank.example",
			newAuditDNS().dmarc("bank.example", "v=DMARC1; p=reject; psd=y")},
		// §4.10 step 2 stops the walk at the psd=y record at the start;
		// rule 2 of §4.10.2 excludes it, so rule 3 names the start.
		{"psd=y at the start stops the walk before a record above", "bank.example", "bank.example",
			newAuditDNS().dmarc("bank.example", "v=DMARC1; p=reject; psd=y").dmarc("example", "v=DMARC1; p=none")},
		{"B.4.3 author", "giant.bank.example", "giant.bank.example",
			newAuditDNS().dmarc("bank.example", "v=DMARC1; p=reject; psd=y").dmarc("giant.bank.example", "v=DMARC1; p=none")},
		{"B.4.3 DKIM identifier", "mail.mega.bank.example", "mega.bank.example",
			newAuditDNS().dmarc("bank.example", "v=DMARC1; p=reject; psd=y").dmarc("giant.bank.example", "v=DMARC1; p=none")},
		{"psd=n at the start", "a.example.com", "a.example.com",
			newAuditDNS().dmarc("a.example.com", "v=DMARC1; p=none; psd=n").dmarc("example.com", "v=DMARC1; p=none")},
		{"psd=n below a psd=y: psd=n wins (longest first)", "x.a.example.com", "a.example.com",
			newAuditDNS().dmarc("a.example.com", "v=DMARC1; p=none; psd=n").dmarc("com", "v=DMARC1; p=none; psd=y")},
		{"duplicate records are not records", "a.example.com", "example.com",
			newAuditDNS().dmarc("example.com", "v=DMARC1; p=none").dmarc("com", "v=DMARC1; p=none", "v=DMARC1; p=reject")},
		{"after the shortcut", "a.b.c.d.e.f.g.h.example.com", "h.example.com",
			newAuditDNS().dmarc("example.com", "v=DMARC1; p=none; psd=y")},
		{"trailing dot and case", "A.Mail.Example.COM.", "example.com",
			newAuditDNS().dmarc("example.com", "v=DMARC1; p=none")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &dmarc.Checker{Resolver: tt.dns}
			got, err := c.OrganizationalDomain(context.Background(), tt.domain)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAuditCheck(t *testing.T) {
	tests := []struct {
		name      string
		dns       *auditDNS
		disc      dmarc.Discovery
		in        dmarc.Input
		result    dmarc.Result
		dis       dmarc.Policy
		policyDom string
		spf, dkim bool
	}{
		// Alignment (§4.4, §3.2.10, B.1).
		{name: "B.1.1 ex. 2: SPF child of the author, relaxed",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     dmarc.Input{FromDomain: "example.com", SPFDomain: "child.example.com", SPFPass: true},
			result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "example.com", spf: true},
		{name: "B.1.1 ex. 3: SPF unrelated",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     dmarc.Input{FromDomain: "child.example.com", SPFDomain: "example.net", SPFPass: true},
			result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "SPF parent of the author, relaxed",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     dmarc.Input{FromDomain: "a.b.example.com", SPFDomain: "example.com", SPFPass: true},
			result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "example.com", spf: true},
		{name: "SPF sibling, relaxed",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     dmarc.Input{FromDomain: "news.example.com", SPFDomain: "foo.example.com", SPFPass: true},
			result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "example.com", spf: true},
		{name: "SPF child, strict",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; aspf=s"),
			in:     dmarc.Input{FromDomain: "example.com", SPFDomain: "child.example.com", SPFPass: true},
			result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "SPF parent, strict",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; aspf=s"),
			in:     dmarc.Input{FromDomain: "child.example.com", SPFDomain: "example.com", SPFPass: true},
			result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "SPF identical, strict, case and trailing dot differ",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; aspf=s"),
			in:     dmarc.Input{FromDomain: "Example.com.", SPFDomain: "EXAMPLE.COM", SPFPass: true},
			result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "example.com", spf: true},
		{name: "SPF identical but did not pass",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=quarantine"),
			in:     dmarc.Input{FromDomain: "example.com", SPFDomain: "example.com"},
			result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example.com"},
		{name: "B.1.2 ex. 2: DKIM parent, relaxed",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     dmarc.Input{FromDomain: "child.example.com", DKIMDomains: []string{"example.com"}},
			result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "example.com", dkim: true},
		{name: "DKIM child, strict fails; relaxed SPF child passes",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; adkim=s"),
			in:     dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}, SPFDomain: "bounce.example.com", SPFPass: true},
			result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "example.com", spf: true},
		{name: "multiple DKIM domains, one aligned",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"esp.example.net", "", "mail.example.com", "other.example"}},
			result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "example.com", dkim: true},
		{name: "multiple DKIM domains, none aligned",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"esp.example.net", "example.com.evil.example"}},
			result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "suffix lookalike is not a subdomain",
			dns:    newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			in:     dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"badexample.com"}},
			result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "IDN From and A-label signature",
			dns:    newAuditDNS().dmarc("xn--bcher-kva.example", "v=DMARC1; p=reject; adkim=s"),
			in:     dmarc.Input{FromDomain: "bücher.example", DKIMDomains: []string{"XN--BCHER-KVA.example."}},
			result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "xn--bcher-kva.example", dkim: true},
		{name: "relaxed: sibling under psd=n records do not align",
			dns:    newAuditDNS().dmarc("a.example.com", "v=DMARC1; p=reject; psd=n").dmarc("example.com", "v=DMARC1; p=none"),
			in:     dmarc.Input{FromDomain: "a.example.com", DKIMDomains: []string{"b.example.com"}},
			result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "a.example.com"},
		{name: "relaxed: author under a psd=y record aligns with its own subdomain only",
			dns:    newAuditDNS().dmarc("bank.example", "v=DMARC1; p=reject; psd=y").dmarc("giant.bank.example", "v=DMARC1; p=quarantine"),
			in:     dmarc.Input{FromDomain: "giant.bank.example", SPFDomain: "mail.giant.bank.example", SPFPass: true, DKIMDomains: []string{"mail.mega.bank.example"}},
			result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "giant.bank.example", spf: true},

		// Which policy applies (§4.10.1, §4.7 sp/np).
		{name: "record at the author: p, sp ignored",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; sp=none; np=none"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "record at a subdomain author: its p, not the org's sp",
			dns: newAuditDNS().dmarc("mail.example.com", "v=DMARC1; p=quarantine; sp=reject").dmarc("example.com", "v=DMARC1; p=none; sp=none"),
			in:  dmarc.Input{FromDomain: "mail.example.com"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "mail.example.com"},
		{name: "existing subdomain: sp",
			dns: func() *auditDNS {
				d := newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; sp=quarantine; np=none")
				d.a["mail.example.com"] = true
				return d
			}(),
			in: dmarc.Input{FromDomain: "mail.example.com"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example.com"},
		{name: "existing subdomain without sp: p",
			dns: func() *auditDNS {
				d := newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; np=none")
				d.mx["mail.example.com"] = true
				return d
			}(),
			in: dmarc.Input{FromDomain: "mail.example.com"}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "non-existent subdomain: np",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=none; sp=quarantine; np=reject"),
			in:  dmarc.Input{FromDomain: "nx.example.com"}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "non-existent subdomain without np: sp",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=none; sp=quarantine"),
			in:  dmarc.Input{FromDomain: "nx.example.com"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example.com"},
		{name: "non-existent subdomain without np or sp: p",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			in:  dmarc.Input{FromDomain: "nx.example.com"}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "np does not apply to the org domain itself",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=quarantine; np=reject"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example.com"},
		{name: "np of a PSD record for a non-existent org domain",
			dns: newAuditDNS().dmarc("example", "v=DMARC1; p=none; psd=y; np=reject"),
			in:  dmarc.Input{FromDomain: "nx.example"}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example"},
		{name: "PSD record not used when the org domain has a record",
			dns: newAuditDNS().dmarc("example", "v=DMARC1; p=reject; psd=y").dmarc("org.example", "v=DMARC1; p=none"),
			in:  dmarc.Input{FromDomain: "a.org.example"}, result: dmarc.Fail, dis: dmarc.PolicyNone, policyDom: "org.example"},
		{name: "intermediate record that is neither author nor org is not used",
			dns: newAuditDNS().dmarc("mail.example.com", "v=DMARC1; p=none").dmarc("example.com", "v=DMARC1; p=reject"),
			in:  dmarc.Input{FromDomain: "a.mail.example.com"}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "PSD sp applies to existing org domains",
			dns: func() *auditDNS {
				d := newAuditDNS().dmarc("example", "v=DMARC1; p=reject; sp=quarantine; psd=y")
				d.a["org.example"] = true
				return d
			}(),
			in: dmarc.Input{FromDomain: "org.example"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example"},

		// t=y (§4.7).
		{name: "t=y: reject becomes quarantine",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; t=y"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example.com"},
		{name: "t=y: quarantine becomes none",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=quarantine; t=y"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyNone, policyDom: "example.com"},
		{name: "t=y: none stays none",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=none; t=y"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyNone, policyDom: "example.com"},
		{name: "t=y lowers sp too",
			dns: func() *auditDNS {
				d := newAuditDNS().dmarc("example.com", "v=DMARC1; p=none; sp=reject; t=y")
				d.a["www.example.com"] = true
				return d
			}(),
			in: dmarc.Input{FromDomain: "www.example.com"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example.com"},
		{name: "t=n is the default",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; t=n"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "t=y with a pass: no disposition",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; t=y"),
			in:  dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"example.com"}}, result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "example.com", dkim: true},

		// Unusable records (§4.10.1).
		{name: "no p, valid rua: acts as p=none",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; sp=reject; rua=mailto:d@example.com"),
			in:  dmarc.Input{FromDomain: "www.example.com"}, result: dmarc.Fail, dis: dmarc.PolicyNone, policyDom: "example.com"},
		{name: "no p, no rua: no DMARC processing",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; sp=reject"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.None, dis: dmarc.PolicyNone, policyDom: "example.com"},
		{name: "invalid p, valid rua: p=none",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=rejekt; rua=mailto:d@example.com"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyNone, policyDom: "example.com"},
		{name: "upper case values",
			dns: newAuditDNS().dmarc("example.com", "V=DMARC1; p=REJECT; adkim=S"),
			in:  dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "upper case tag names: a reject policy",
			dns: newAuditDNS().dmarc("example.com", "V=DMARC1; P=REJECT; RUA=mailto:d@example.com"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "PSL: upper case tag names are RFC 7489 literals",
			dns: newAuditDNS().dmarc("example.com", "V=DMARC1; P=REJECT; ADKIM=S"), disc: dmarc.PSL,
			in: dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.com"},
		{name: "no record anywhere: none",
			dns: newAuditDNS(),
			in:  dmarc.Input{FromDomain: "example.com", SPFDomain: "example.com", SPFPass: true}, result: dmarc.None, dis: dmarc.PolicyNone},
		{name: "record with v not first is no record",
			dns: newAuditDNS().dmarc("example.com", "p=reject; v=DMARC1"),
			in:  dmarc.Input{FromDomain: "example.com"}, result: dmarc.None, dis: dmarc.PolicyNone},

		// PSL mode (RFC 7489).
		{name: "PSL: organizational domain record, sp",
			dns: newAuditDNS().dmarc("example.co.uk", "v=DMARC1; p=reject; sp=quarantine"), disc: dmarc.PSL,
			in: dmarc.Input{FromDomain: "a.b.example.co.uk", SPFDomain: "example.co.uk"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example.co.uk"},
		{name: "PSL: relaxed alignment by the list",
			dns: newAuditDNS().dmarc("example.co.uk", "v=DMARC1; p=reject"), disc: dmarc.PSL,
			in: dmarc.Input{FromDomain: "a.example.co.uk", SPFDomain: "b.example.co.uk", SPFPass: true}, result: dmarc.Pass, dis: dmarc.PolicyNone, policyDom: "example.co.uk", spf: true},
		{name: "PSL: different registrable domains under co.uk do not align",
			dns: newAuditDNS().dmarc("example.co.uk", "v=DMARC1; p=reject"), disc: dmarc.PSL,
			in: dmarc.Input{FromDomain: "example.co.uk", SPFDomain: "other.co.uk", SPFPass: true}, result: dmarc.Fail, dis: dmarc.PolicyReject, policyDom: "example.co.uk"},
		{name: "PSL: pct=0 lowers reject",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; pct=0"), disc: dmarc.PSL,
			in: dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example.com"},
		{name: "PSL: pct=100 applies",
			dns: newAuditDNS().dmarc("example.com", "v=DMARC1; p=quarantine; pct=100"), disc: dmarc.PSL,
			in: dmarc.Input{FromDomain: "example.com"}, result: dmarc.Fail, dis: dmarc.PolicyQuarantine, policyDom: "example.com"},
		{name: "PSL: intermediate record not consulted",
			dns: newAuditDNS().dmarc("b.example.com", "v=DMARC1; p=reject"), disc: dmarc.PSL,
			in: dmarc.Input{FromDomain: "a.b.example.com"}, result: dmarc.None, dis: dmarc.PolicyNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &dmarc.Checker{Resolver: tt.dns, Discovery: tt.disc, Rand: rand.New(rand.NewPCG(1, 2))}
			v, err := c.Check(context.Background(), tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.result, v.Result, "result")
			assert.Equal(t, tt.dis, v.Disposition, "disposition")
			assert.Equal(t, tt.policyDom, v.PolicyDomain, "policy domain")
			assert.Equal(t, tt.spf, v.SPFAligned, "SPF aligned")
			assert.Equal(t, tt.dkim, v.DKIMAligned, "DKIM aligned")
			assert.Empty(t, tt.dns.notFQ, "queries must use absolute names")
		})
	}
}

func TestAuditCheckDNSErrors(t *testing.T) {
	failing := func(d *auditDNS, names ...string) *auditDNS {
		for _, n := range names {
			d.fail[n] = true
		}
		return d
	}
	tests := []struct {
		name   string
		dns    *auditDNS
		in     dmarc.Input
		result dmarc.Result
		dis    dmarc.Policy
	}{
		{"temperror at the author domain", failing(newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.example.com"),
			dmarc.Input{FromDomain: "example.com"}, dmarc.TempError, dmarc.PolicyNone},
		{"temperror further up the walk, no author record", failing(newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.com"),
			dmarc.Input{FromDomain: "mail.example.com"}, dmarc.TempError, dmarc.PolicyNone},
		{"temperror above an author record does not matter for a strict pass", failing(newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.com"),
			dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"example.com"}}, dmarc.Pass, dmarc.PolicyNone},
		{"temperror above an author record: fail without identifiers is still fail", failing(newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.com"),
			dmarc.Input{FromDomain: "example.com"}, dmarc.Fail, dmarc.PolicyReject},
		{"temperror in the walk relaxed alignment needs", failing(newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.com"),
			dmarc.Input{FromDomain: "example.com", SPFDomain: "bounce.example.com", SPFPass: true}, dmarc.TempError, dmarc.PolicyNone},
		{"temperror in the existence test for np", failing(newAuditDNS().dmarc("example.com", "v=DMARC1; p=none; np=reject"), "nx.example.com"),
			dmarc.Input{FromDomain: "nx.example.com"}, dmarc.TempError, dmarc.PolicyNone},
		{"temperror in an unrelated identifier's walk does not hide a pass", failing(newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"), "_dmarc.mail.example.com"),
			dmarc.Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com", "example.com"}}, dmarc.Pass, dmarc.PolicyNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &dmarc.Checker{Resolver: tt.dns}
			v, err := c.Check(context.Background(), tt.in)
			assert.Equal(t, tt.result, v.Result)
			assert.Equal(t, tt.dis, v.Disposition)
			if tt.result == dmarc.TempError {
				assert.ErrorIs(t, err, dmarc.ErrTempError)
			} else {
				assert.NoError(t, err)
			}
		})
	}

	// PSL mode: a failure at the author or at the organizational domain.
	for _, name := range []string{"_dmarc.a.example.com", "_dmarc.example.com"} {
		d := failing(newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"), name)
		v, err := (&dmarc.Checker{Resolver: d, Discovery: dmarc.PSL}).Check(context.Background(), dmarc.Input{FromDomain: "a.example.com"})
		assert.Equal(t, dmarc.TempError, v.Result, name)
		assert.ErrorIs(t, err, dmarc.ErrTempError, name)
	}
}

func TestAuditPercentSampling(t *testing.T) {
	d := newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject; pct=30")
	c := &dmarc.Checker{Resolver: d, Discovery: dmarc.PSL, Rand: rand.New(rand.NewPCG(7, 9))}
	applied := 0
	const n = 2000
	for range n {
		v, err := c.Check(context.Background(), dmarc.Input{FromDomain: "example.com"})
		require.NoError(t, err)
		require.Equal(t, dmarc.Fail, v.Result)
		switch v.Disposition {
		case dmarc.PolicyReject:
			applied++
		case dmarc.PolicyQuarantine: // sampled out: one step less strict
		default:
			t.Fatalf("unexpected disposition %q", v.Disposition)
		}
	}
	assert.InDelta(t, 0.30, float64(applied)/n, 0.05)

	// Tree walk mode ignores pct (historic in RFC 9989).
	c.Discovery = dmarc.TreeWalk
	for range 50 {
		v, err := c.Check(context.Background(), dmarc.Input{FromDomain: "example.com"})
		require.NoError(t, err)
		require.Equal(t, dmarc.PolicyReject, v.Disposition)
	}
}

func TestAuditVerifyExternalDestination(t *testing.T) {
	d := newAuditDNS()
	d.txt["example.com._report._dmarc.thirdparty.example.net"] = []string{"v=DMARC1;"}
	d.txt["multi.example._report._dmarc.thirdparty.example.net"] = []string{"v=spf1 -all", "some text", "v=DMARC1; rua=mailto:r@thirdparty.example.net"}
	d.txt["nondmarc.example._report._dmarc.thirdparty.example.net"] = []string{"v=spf1 -all", "hello"}
	d.txt["two.example._report._dmarc.thirdparty.example.net"] = []string{"v=DMARC1", "v=DMARC1; p=none"}
	d.txt["lower.example._report._dmarc.thirdparty.example.net"] = []string{"v=dmarc1"}
	d.txt["notfirst.example._report._dmarc.thirdparty.example.net"] = []string{"p=none; v=DMARC1"}
	d.txt["xn--bcher-kva.example._report._dmarc.xn--mnchen-3ya.example"] = []string{"v=DMARC1"}
	d.fail["temp.example._report._dmarc.thirdparty.example.net"] = true
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
	c := &dmarc.Checker{Resolver: d}
	for _, tt := range tests {
		d.reset()
		got, err := c.VerifyExternalDestination(context.Background(), tt.policy, tt.report)
		if tt.temp {
			assert.ErrorIs(t, err, dmarc.ErrTempError, tt.policy)
		} else {
			assert.NoError(t, err, tt.policy)
		}
		assert.Equal(t, tt.want, got, "%s -> %s", tt.policy, tt.report)
		q := d.txtQueries()
		require.Len(t, q, 1, tt.policy)
		assert.True(t, strings.Contains(q[0], "._report._dmarc."), q[0])
		assert.Empty(t, d.notFQ)
	}
}

func TestAuditAuthResult(t *testing.T) {
	d := newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject").dmarc("example.org", "v=DMARC1; p=quarantine; t=y")
	d.fail["_dmarc.example.net"] = true
	c := &dmarc.Checker{Resolver: d}
	tests := []struct {
		in   dmarc.Input
		want string
	}{
		{dmarc.Input{FromDomain: "example.com"}, "dmarc=fail (p=reject dis=reject) header.from=example.com"},
		{dmarc.Input{FromDomain: "EXAMPLE.com.", DKIMDomains: []string{"example.com"}}, "dmarc=pass (p=reject dis=none) header.from=example.com"},
		{dmarc.Input{FromDomain: "example.org"}, "dmarc=fail (p=quarantine dis=none) header.from=example.org"},
		{dmarc.Input{FromDomain: "example.net"}, "dmarc=temperror header.from=example.net"},
		{dmarc.Input{FromDomain: "none.example"}, "dmarc=none header.from=none.example"},
		{dmarc.Input{FromDomain: "bad..example"}, "dmarc=permerror"},
	}
	for _, tt := range tests {
		v, _ := c.Check(context.Background(), tt.in)
		assert.Equal(t, tt.want, v.AuthResult(), tt.in.FromDomain)
	}
}

func TestAuditPSLQueries(t *testing.T) {
	tests := []struct {
		name, from, policy string
		dns                *auditDNS
		queries            []string
	}{
		{"author record", "a.example.co.uk", "a.example.co.uk",
			newAuditDNS().dmarc("a.example.co.uk", "v=DMARC1; p=none").dmarc("example.co.uk", "v=DMARC1; p=reject"),
			[]string{"_dmarc.a.example.co.uk"}},
		{"organizational domain by the list", "x.y.example.co.uk", "example.co.uk",
			newAuditDNS().dmarc("example.co.uk", "v=DMARC1; p=reject"),
			[]string{"_dmarc.x.y.example.co.uk", "_dmarc.example.co.uk"}},
		{"several records at the author end discovery (RFC 7489 §6.6.3 step 5)", "a.example.com", "",
			newAuditDNS().dmarc("a.example.com", "v=DMARC1; p=none", "v=DMARC1; p=reject").dmarc("example.com", "v=DMARC1; p=reject"),
			[]string{"_dmarc.a.example.com"}},
		{"non-DMARC TXT at the author does not stop discovery", "a.example.com", "example.com",
			newAuditDNS().dmarc("a.example.com", "v=spf1 -all").dmarc("example.com", "v=DMARC1; p=reject"),
			[]string{"_dmarc.a.example.com", "_dmarc.example.com"}},
		{"organizational domain is the author", "example.com", "",
			newAuditDNS().dmarc("com", "v=DMARC1; p=reject; psd=y"),
			[]string{"_dmarc.example.com"}},
		{"deep names still make two queries", "a.b.c.d.e.f.g.h.example.com", "example.com",
			newAuditDNS().dmarc("example.com", "v=DMARC1; p=reject"),
			[]string{"_dmarc.a.b.c.d.e.f.g.h.example.com", "_dmarc.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &dmarc.Checker{Resolver: tt.dns, Discovery: dmarc.PSL}
			rec, dom, err := c.Lookup(context.Background(), tt.from)
			require.NoError(t, err)
			assert.Equal(t, tt.policy, dom)
			assert.Equal(t, tt.policy != "", rec != nil)
			assert.Equal(t, tt.queries, tt.dns.txtQueries())
		})
	}
	assert.Equal(t, "example.co.uk", dmarc.OrganizationalDomain("A.B.Example.CO.UK."))
	assert.Equal(t, "co.uk", dmarc.OrganizationalDomain("co.uk"))
	assert.Equal(t, "xn--bcher-kva.example", dmarc.OrganizationalDomain("www.bücher.example"))
}

// Verdict flags and the documented readings for t=y and pct together.
func TestAuditVerdictFlags(t *testing.T) {
	d := newAuditDNS().
		dmarc("example.com", "v=DMARC1; p=reject; sp=quarantine; np=reject; t=y; pct=0").
		dmarc("example.org", "v=DMARC1; p=reject; pct=0")
	d.a["www.example.com"] = true
	check := func(disc dmarc.Discovery, from string) dmarc.Verdict {
		t.Helper()
		v, err := (&dmarc.Checker{Resolver: d, Discovery: disc}).Check(context.Background(), dmarc.Input{FromDomain: from})
		require.NoError(t, err)
		require.Equal(t, dmarc.Fail, v.Result)
		return v
	}

	v := check(dmarc.TreeWalk, "nx.example.com") // np, lowered by t=y
	assert.True(t, v.NonExistent)
	assert.True(t, v.Testing)
	assert.False(t, v.SampledOut)
	assert.Equal(t, dmarc.PolicyReject, v.PublishedPolicy)
	assert.Equal(t, dmarc.PolicyQuarantine, v.Disposition)
	assert.Equal(t, "example.com", v.OrgDomain)

	v = check(dmarc.TreeWalk, "www.example.com") // sp, lowered by t=y
	assert.False(t, v.NonExistent)
	assert.Equal(t, dmarc.PolicyQuarantine, v.PublishedPolicy)
	assert.Equal(t, dmarc.PolicyNone, v.Disposition)

	// t=y and pct=0 lower by one step together, not two (PSL mode).
	v = check(dmarc.PSL, "example.com")
	assert.Equal(t, dmarc.PolicyQuarantine, v.Disposition)
	assert.True(t, v.Testing)

	// pct alone in PSL mode; ignored by the tree walk.
	v = check(dmarc.PSL, "example.org")
	assert.True(t, v.SampledOut)
	assert.Equal(t, dmarc.PolicyQuarantine, v.Disposition)
	v = check(dmarc.TreeWalk, "example.org")
	assert.False(t, v.SampledOut)
	assert.Equal(t, dmarc.PolicyReject, v.Disposition)
}

// A _dmarc name over 253 octets cannot exist (RFC 1035 §2.3.4): it is not
// queried, and the walk goes on with the parents.
func TestAuditOverlongDMARCName(t *testing.T) {
	l := strings.Repeat("a", 60)
	author := l + "." + l + "." + l + "." + l + ".example" // 251 octets
	require.Len(t, author, 251)
	d := newAuditDNS().dmarc("example", "v=DMARC1; p=reject; psd=y")
	c := &dmarc.Checker{Resolver: d}
	rec, dom, err := c.Lookup(context.Background(), author)
	require.NoError(t, err)
	require.NotNil(t, rec)
	assert.Equal(t, "example", dom)
	q := d.txtQueries()
	assert.NotContains(t, q, "_dmarc."+author)
	assert.Equal(t, "_dmarc."+strings.SplitN(author, ".", 2)[1], q[0])
	assert.LessOrEqual(t, len(q), dmarc.MaxTreeWalkQueries)
	v, err := c.Check(context.Background(), dmarc.Input{FromDomain: author})
	require.NoError(t, err)
	assert.Equal(t, dmarc.Fail, v.Result)
	assert.Equal(t, dmarc.PolicyReject, v.Disposition)
}

// Guard the sentinel error contract the audit relies on.
func TestAuditErrors(t *testing.T) {
	_, err := dmarc.Parse("v=DMARC1; p=reject; sp=none; sp=reject")
	assert.True(t, errors.Is(err, dmarc.ErrDuplicateTag))
	assert.True(t, strings.HasPrefix(err.Error(), "dmarc: "))
}

// wireScenario is DNS data served both by auditDNS and, over the wire, by
// internal/dnstest, so the two resolver paths can be compared.
type wireScenario struct {
	txt map[string][]string // owner name (no trailing dot) -> TXT values
	a   []string            // names with an A record
}

func (w wireScenario) memory() *auditDNS {
	d := newAuditDNS()
	for name, vals := range w.txt {
		d.txt[name] = vals
	}
	for _, n := range w.a {
		d.a[n] = true
	}
	return d
}

func (w wireScenario) zone() string {
	var b strings.Builder
	for name, vals := range w.txt {
		for _, v := range vals {
			b.WriteString(name + ". 300 IN TXT \"" + strings.ReplaceAll(v, `"`, `\"`) + "\"\n")
		}
	}
	for _, n := range w.a {
		b.WriteString(n + ". 300 IN A 192.0.2.1\n")
	}
	return b.String()
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
	inputs := []dmarc.Input{
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
	srv := dnstest.New(t, w.zone())
	for _, in := range inputs {
		mem := w.memory()
		vm, errm := (&dmarc.Checker{Resolver: mem}).Check(context.Background(), in)
		srv.ResetLog()
		vw, errw := (&dmarc.Checker{Resolver: srv.Resolver()}).Check(context.Background(), in)
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
	srv := dnstest.New(t, zoneLines(
		`*.wild.example. 300 IN TXT "v=DMARC1; p=quarantine"`,
		`_dmarc.wild.example. 300 IN TXT "v=DMARC1; p=reject; sp=none; np=none"`,
		`*._report._dmarc.rua.example. 300 IN TXT "v=DMARC1"`,
	))
	c := &dmarc.Checker{Resolver: srv.Resolver()}
	tests := []struct {
		from      string
		dis       dmarc.Policy
		policyDom string
	}{
		{"wild.example", dmarc.PolicyReject, "wild.example"},
		{"foo.wild.example", dmarc.PolicyQuarantine, "foo.wild.example"},
		{"a.b.wild.example", dmarc.PolicyQuarantine, "a.b.wild.example"},
	}
	for _, tt := range tests {
		v, err := c.Check(context.Background(), dmarc.Input{FromDomain: tt.from})
		require.NoError(t, err, tt.from)
		assert.Equal(t, dmarc.Fail, v.Result, tt.from)
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

func zoneLines(lines ...string) string { return strings.Join(lines, "\n") + "\n" }
