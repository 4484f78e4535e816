package dmarc

import (
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		txt  string
		want Record
	}{
		{"minimal", "v=DMARC1; p=none", Record{Policy: PolicyNone}},
		{"trailing semicolon", "v=DMARC1; p=reject;", Record{Policy: PolicyReject}},
		{"no spaces", "v=DMARC1;p=quarantine;sp=none", Record{Policy: PolicyQuarantine, SubdomainPolicy: PolicyNone}},
		{"spaces around equals and separators", "v = DMARC1 ;  p = reject ; adkim = s \t; aspf=s",
			Record{Policy: PolicyReject, DKIMAlignment: AlignStrict, SPFAlignment: AlignStrict}},
		{"keyword values are case-insensitive", "V=DMARC1; p=Reject; sp=QUARANTINE; np=None; adkim=S; t=Y; psd=N",
			Record{Policy: PolicyReject, SubdomainPolicy: PolicyQuarantine, NonExistentPolicy: PolicyNone, DKIMAlignment: AlignStrict, Testing: true, PSD: PSDNo}},
		// Issue 12: the §4.8 ABNF quotes every tag name, which RFC 5234
		// §2.3 makes case-insensitive.
		{"tag names are case-insensitive (RFC 5234 §2.3)", "V=DMARC1; P=Reject; SP=QUARANTINE; Adkim=s; RUA=mailto:d@example.com",
			Record{Policy: PolicyReject, SubdomainPolicy: PolicyQuarantine, DKIMAlignment: AlignStrict, AggregateReportURIs: []ReportURI{{URI: "mailto:d@example.com"}}}},
		{"all RFC 9989 tags", "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y; t=y; adkim=r; aspf=s; fo=1:d:s; rua=mailto:agg@example.com; ruf=mailto:fail@example.com",
			Record{Policy: PolicyReject, SubdomainPolicy: PolicyQuarantine, NonExistentPolicy: PolicyReject, PSD: PSDYes, Testing: true,
				DKIMAlignment: AlignRelaxed, SPFAlignment: AlignStrict, FailureOptions: "1:d:s",
				AggregateReportURIs: []ReportURI{{URI: "mailto:agg@example.com"}}, FailureReportURIs: []ReportURI{{URI: "mailto:fail@example.com"}}}},
		{"historic tags", "v=DMARC1; p=none; pct=20; rf=afrf; ri=3600",
			Record{Policy: PolicyNone, Percent: 20, HasPercent: true, ReportFormats: []string{"afrf"}, ReportInterval: 3600}},
		{"pct=0", "v=DMARC1; p=reject; pct=0", Record{Policy: PolicyReject, Percent: 0, HasPercent: true}},
		{"size suffixes", "v=DMARC1; p=none; rua=mailto:a@example.com!10m, mailto:b@example.net!500,https://r.example/x!2K",
			Record{Policy: PolicyNone, AggregateReportURIs: []ReportURI{
				{URI: "mailto:a@example.com", Size: 10, Unit: 'm'}, {URI: "mailto:b@example.net", Size: 500}, {URI: "https://r.example/x", Size: 2, Unit: 'k'}}}},
		{"invalid URI entries dropped, valid kept", "v=DMARC1; p=none; rua=bogus, mailto:ok@example.com, mailto:sp ace,mailto:a@b.example!x, mailto:%zz",
			Record{Policy: PolicyNone, AggregateReportURIs: []ReportURI{{URI: "mailto:ok@example.com"}}}},
		{"RFC 3986 URIs", "v=DMARC1; p=none; rua=mailto:, mailto:d%40x@example.com?subject=DMARC, https://[2001:db8::1]:8443/r#f",
			Record{Policy: PolicyNone, AggregateReportURIs: []ReportURI{{URI: "mailto:"}, {URI: "mailto:d%40x@example.com?subject=DMARC"}, {URI: "https://[2001:db8::1]:8443/r#f"}}}},
		{"unknown tags ignored", "v=DMARC1; p=none; foo=bar; x=1; Empty=", Record{Policy: PolicyNone, Extensions: []Tag{{"foo", "bar"}, {"x", "1"}, {"empty", ""}}}},
		{"no p", "v=DMARC1; rua=mailto:a@example.com", Record{AggregateReportURIs: []ReportURI{{URI: "mailto:a@example.com"}}}},
		{"invalid p", "v=DMARC1; p=bogus", Record{Invalid: []Tag{{"p", "bogus"}}}},
		{"empty p", "v=DMARC1; p=", Record{Invalid: []Tag{{"p", ""}}}},
		{"invalid values fall back", "v=DMARC1; p=none; sp=all; adkim=x; aspf=relaxed; t=yes; psd=maybe; pct=101; ri=-1; fo=0:1",
			Record{Policy: PolicyNone, Invalid: []Tag{{"sp", "all"}, {"adkim", "x"}, {"aspf", "relaxed"}, {"t", "yes"}, {"psd", "maybe"}, {"pct", "101"}, {"ri", "-1"}, {"fo", "0:1"}}}},
		{"fo repeated option invalid", "v=DMARC1; p=none; fo=d:d", Record{Policy: PolicyNone, Invalid: []Tag{{"fo", "d:d"}}}},
		{"fo spaces", "v=DMARC1; p=none; fo=0 : s", Record{Policy: PolicyNone, FailureOptions: "0:s"}},
		{"garbage fragments skipped", "v=DMARC1; p=none; ;; garbage; 1x=2", Record{Policy: PolicyNone}},
		{"white space before the first separator", "v=DMARC1 ; p=none", Record{Policy: PolicyNone}},
		{"only version", "v=DMARC1", Record{}},
		{"duplicate unknown tags allowed", "v=DMARC1; p=none; x=1; x=2", Record{Policy: PolicyNone, Extensions: []Tag{{"x", "1"}, {"x", "2"}}}},
		{"uri with only invalid entries is invalid", "v=DMARC1; p=none; ruf=nothing", Record{Policy: PolicyNone, Invalid: []Tag{{"ruf", "nothing"}}}},
		{"psd u", "v=DMARC1; p=none; psd=u", Record{Policy: PolicyNone, PSD: PSDUnknown}},
		{"t=n", "v=DMARC1; p=none; t=n", Record{Policy: PolicyNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.txt)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
			again, err := Parse(got.String())
			require.NoError(t, err, "String() = %q", got.String())
			assert.Equal(t, got, again, "round trip through %q", got.String())
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		txt  string
		want error
	}{
		{"empty", "", ErrNotDMARC},
		{"no version", "p=none", ErrNotDMARC},
		{"version not first", "p=none; v=DMARC1", ErrNotDMARC},
		{"version value is case-sensitive", "v=dmarc1; p=none", ErrNotDMARC},
		{"wrong version", "v=DMARC2; p=none", ErrNotDMARC},
		{"version missing separator", "v=DMARC1 p=none", ErrNotDMARC},
		{"leading semicolon", "; v=DMARC1; p=none", ErrNotDMARC},
		{"SPF record", "v=spf1 -all", ErrNotDMARC},
		{"version prefix only", "v=DMARC10; p=none", ErrNotDMARC},
		{"duplicate p", "v=DMARC1; p=none; p=reject", ErrDuplicateTag},
		{"duplicate V folded like v", "v=DMARC1; p=none; V=DMARC1", ErrDuplicateTag},
		{"duplicate v", "v=DMARC1; p=none; v=DMARC1", ErrDuplicateTag},
		{"duplicate invalid rua", "v=DMARC1; rua=x; rua=y", ErrDuplicateTag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.txt)
			require.Error(t, err)
			assert.Nil(t, r)
			assert.True(t, errors.Is(err, tt.want), "got %v", err)
		})
	}
}

// TestParseRFC7489 checks that both readings fold tag names: each is a
// quoted ABNF literal in RFC 7489 §6.4 and in RFC 9989 §4.8 (RFC 5234
// §2.3), so "P=reject" is a reject policy and "p=...; P=..." a repeat.
func TestParseRFC7489(t *testing.T) {
	for name, parse := range map[string]func(string) (*Record, error){"Parse": Parse, "ParseRFC7489": ParseRFC7489} {
		r, err := parse("V=DMARC1; P=Reject; SP=QUARANTINE; ADKIM=S; PCT=50; Foo=bar")
		require.NoError(t, err, name)
		assert.Equal(t, Record{Policy: PolicyReject, SubdomainPolicy: PolicyQuarantine, DKIMAlignment: AlignStrict, Percent: 50, HasPercent: true,
			Extensions: []Tag{{"foo", "bar"}}}, *r, name)
		asNone, ok := r.PolicyUsable()
		assert.True(t, ok && !asNone, name)
		_, err = parse("v=DMARC1; p=none; P=none")
		assert.ErrorIs(t, err, ErrDuplicateTag, name)
		_, err = parse("v=dmarc1; p=none")
		assert.ErrorIs(t, err, ErrNotDMARC, name)
		_, err = parse(" v=DMARC1; p=none")
		assert.ErrorIs(t, err, ErrNotDMARC, name)
	}
}

func TestRecordString(t *testing.T) {
	r, err := ParseRFC7489("v=DMARC1;rua=mailto:a@example.com!1g;P=Reject; aspf=s; pct=50; zz=top")
	require.NoError(t, err)
	assert.Equal(t, "v=DMARC1; p=reject; aspf=s; rua=mailto:a@example.com!1g; pct=50; zz=top", r.String())
	assert.Equal(t, "v=DMARC1", (&Record{}).String())
	assert.Equal(t, "v=DMARC1; p=reject", (&Record{Policy: PolicyReject}).String())
}

func TestRecordDefaults(t *testing.T) {
	r, err := Parse("v=DMARC1; p=none")
	require.NoError(t, err)
	assert.Equal(t, AlignRelaxed, r.EffectiveDKIMAlignment())
	assert.Equal(t, AlignRelaxed, r.EffectiveSPFAlignment())
	assert.Equal(t, PSDUnknown, r.EffectivePSD())
	assert.Equal(t, "0", r.EffectiveFailureOptions())
	assert.Equal(t, 100, r.EffectivePercent())
	assert.Equal(t, uint32(86400), r.EffectiveReportInterval())
}

func TestPolicyUsable(t *testing.T) {
	tests := []struct {
		txt          string
		asNone, okay bool
	}{
		{"v=DMARC1; p=reject", false, true},
		{"v=DMARC1", false, false},
		{"v=DMARC1; rua=mailto:a@example.com", true, true},
		{"v=DMARC1; p=bogus; rua=mailto:a@example.com", true, true},
		{"v=DMARC1; p=bogus; rua=bogus", false, false},
		{"v=DMARC1; p=reject; sp=bogus", false, false},
		{"v=DMARC1; p=reject; np=bogus; rua=mailto:a@example.com", true, true},
	}
	for _, tt := range tests {
		r, err := Parse(tt.txt)
		require.NoError(t, err)
		asNone, ok := r.PolicyUsable()
		assert.Equal(t, tt.asNone, asNone, tt.txt)
		assert.Equal(t, tt.okay, ok, tt.txt)
	}
}

func TestReportURI(t *testing.T) {
	tests := []struct {
		uri  ReportURI
		max  uint64
		host string
	}{
		{ReportURI{URI: "mailto:dmarc@Example.COM"}, 0, "example.com"},
		{ReportURI{URI: "mailto:a@b.example?subject=x", Size: 10, Unit: 'k'}, 10 << 10, "b.example"},
		{ReportURI{URI: "https://rep.example.net/in", Size: 1, Unit: 't'}, 1 << 40, "rep.example.net"},
		{ReportURI{URI: "mailto:x@y.example", Size: 1 << 62, Unit: 'g'}, ^uint64(0), "y.example"},
		{ReportURI{URI: "mailto:nohost"}, 0, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.max, tt.uri.MaxBytes(), tt.uri.String())
		assert.Equal(t, tt.host, tt.uri.Host(), tt.uri.String())
	}
}

func TestHasDMARCVersion(t *testing.T) {
	for txt, want := range map[string]bool{
		"v=DMARC1":        true,
		"v=DMARC1;":       true,
		"v = DMARC1 ; p=": true,
		// RFC 9989 §4.8: dmarc-record begins with dmarc-version, no WSP.
		" v=DMARC1":     false,
		"\tv=DMARC1":    false,
		"\r\nv=DMARC1":  false,
		"V=DMARC1":      true,
		"v=DMARC1x":     false,
		"v=DMARC":       false,
		"x=DMARC1":      false,
		"":              false,
		"v=DMARC1 ":     true,
		"v=DMARC1 junk": false,
	} {
		assert.Equal(t, want, HasDMARCVersion(txt), "%q", txt)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=none", "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y; t=y; adkim=s; aspf=r; fo=1:d; rua=mailto:a@b.c!10m,mailto:x@y.z; ruf=mailto:f@b.c; pct=5; rf=afrf; ri=60",
		"v=DMARC1; p=bogus; x=y", "v=DMARC1;;;", "v=DMARC1; rua=mailto:a@b!", "p=none", "v=DMARC1; p=none; p=none", "v=DMARC1; fo=0:1",
		"V=DMARC1; P=Reject; p=none; X=1", "v=DMARC1; V=DMARC1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseRFC7489(s); err == nil {
			r2, err := ParseRFC7489(r.String())
			if err != nil || !reflect.DeepEqual(r, r2) {
				t.Fatalf("RFC 7489 round trip of %q through %q: %v", s, r.String(), err)
			}
		}
		r, err := Parse(s)
		if err != nil {
			if r != nil {
				t.Fatalf("record and error both returned")
			}
			return
		}
		out := r.String()
		r2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, out, err)
		}
		if out2 := r2.String(); out2 != out {
			t.Fatalf("String not stable: %q -> %q", out, out2)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip of %q through %q changed the record:\n%+v\n%+v", s, out, r, r2)
		}
		_, _ = r.PolicyUsable()
		for _, u := range r.AggregateReportURIs {
			_ = u.MaxBytes()
			_ = u.Host()
		}
	})
}

func TestParseReadings(t *testing.T) {
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
