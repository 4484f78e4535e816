package mtasts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/mx/mtasts"
)

func TestParseRecordTable(t *testing.T) {
	tests := []struct {
		txt  string
		id   string // "" means an error
		exts []mtasts.Extension
	}{
		{"v=STSv1; id=20160831085700Z;", "20160831085700Z", nil},
		{"v=STSv1;id=a", "a", nil},
		{"v=STSv1 ;id=a ; ", "a", nil},
		{"v=STSv1; id=a; id=b", "a", nil},         // first id counts (§3.2)
		{"v=STSv1; id=a; id=not-an-id", "a", nil}, // a later id is only an extension-shaped field
		{"v=STSv1; x.y_z-1=!\"#:<>~; id=1", "1", []mtasts.Extension{{Key: "x.y_z-1", Value: "!\"#:<>~"}}},
		{"v=STSv1; id=" + strings.Repeat("a", 32), strings.Repeat("a", 32), nil},
		{"v=STSv1; id=" + strings.Repeat("a", 33), "", nil},
		{"V=STSv1; id=a", "", nil}, // case-sensitive (%s)
		{"v=stsv1; id=a", "", nil},
		{"v=STSv1; ID=a", "", nil}, // "ID" is an extension; id missing
		{" v=STSv1; id=a", "", nil},
		{"v=STSv1; id=a b", "", nil},
		{"v=STSv1; id=a;b", "", nil},
		{"v=STSv1; id=a; _x=1", "", nil},
		{"v=STSv1; id=a; x=\x7f", "", nil},
		{"v=STSv1; id=é", "", nil},
		{"", "", nil},
	}
	for _, tt := range tests {
		r, err := mtasts.ParseRecord(tt.txt)
		if tt.id == "" {
			assert.ErrorIs(t, err, mtasts.ErrRecordSyntax, "%q", tt.txt)
			continue
		}
		if assert.NoError(t, err, "%q", tt.txt) {
			assert.Equal(t, tt.id, r.ID, "%q", tt.txt)
			assert.Equal(t, tt.exts, r.Extensions, "%q", tt.txt)
		}
	}
}

func TestParsePolicyTable(t *testing.T) {
	base := "version: STSv1\nmode: enforce\nmax_age: 86400\n"
	tests := []struct {
		name, text string
		ok         bool
		check      func(t *testing.T, p *mtasts.Policy)
	}{
		{"rfc example", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n", true, func(t *testing.T, p *mtasts.Policy) {
			assert.Equal(t, mtasts.ModeEnforce, p.Mode)
			assert.Equal(t, []string{"mail.example.com", "*.example.net", "backupmx.example.com"}, p.MX)
			assert.Equal(t, 604800*time.Second, p.MaxAge)
		}},
		{"any field order", "mx: a.example\nmax_age: 1\nmode: testing\nversion: STSv1", true, nil},
		{"max max_age", "version: STSv1\nmode: none\nmax_age: 31557600\n", true, nil},
		{"max_age over limit", "version: STSv1\nmode: none\nmax_age: 31557601\n", false, nil},
		{"max_age 10 digits over", "version: STSv1\nmode: none\nmax_age: 9999999999\n", false, nil},
		{"negative max_age", "version: STSv1\nmode: none\nmax_age: -1\n", false, nil},
		{"duplicate mode first wins", base + "mode: testing\nmx: a.example\n", true, func(t *testing.T, p *mtasts.Policy) {
			assert.Equal(t, mtasts.ModeEnforce, p.Mode)
		}},
		{"duplicate version ignored", base + "version: STSv2\nmx: a.example\n", true, nil},
		{"mode upper case", "version: STSv1\nmode: ENFORCE\nmax_age: 1\nmx: a.example", false, nil},
		{"key upper case is an extension", "Version: STSv1\nmode: none\nmax_age: 1\n", false, nil},
		{"mx lowered and deduplicated", base + "mx: A.Example\nmx: a.example\nmx: *.B.example\n", true, func(t *testing.T, p *mtasts.Policy) {
			assert.Equal(t, []string{"a.example", "*.b.example"}, p.MX)
		}},
		{"mx trailing dot", base + "mx: a.example.\n", false, nil},
		{"mx label too long", base + "mx: " + strings.Repeat("a", 64) + ".example\n", false, nil},
		{"mx ip", base + "mx: [192.0.2.1]\n", false, nil},
		{"mx wildcard inside", base + "mx: a.*.example\n", false, nil},
		{"mx a-label ok", base + "mx: xn--mx-lka.example\n", true, nil},
		{"blank lines skipped", "\n" + base + "\r\n\nmx: a.example\n\n", true, nil},
		{"leading space before key", " version: STSv1\nmode: none\nmax_age: 1", false, nil},
		{"line without colon", base + "mx: a.example\ngarbage\n", false, nil},
		{"extension utf-8 value", base + "mx: a.example\nnote: grüße aus köln\n", true, func(t *testing.T, p *mtasts.Policy) {
			assert.Equal(t, []mtasts.Extension{{Key: "note", Value: "grüße aus köln"}}, p.Extensions)
		}},
		{"extension tab inside", base + "mx: a.example\nnote: a\tb\n", false, nil},
		{"extension invalid utf-8", base + "mx: a.example\nnote: \xff\n", false, nil},
		{"nul byte", base + "mx: a.example\x00\n", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := mtasts.ParsePolicy(tt.text)
			if !tt.ok {
				assert.ErrorIs(t, err, mtasts.ErrPolicySyntax)
				return
			}
			require.NoError(t, err)
			if tt.check != nil {
				tt.check(t, p)
			}
			back, err := mtasts.ParsePolicy(p.String())
			require.NoError(t, err)
			assert.Equal(t, p, back)
		})
	}
}

func TestParsePolicyErrorSaysWhere(t *testing.T) {
	_, err := mtasts.ParsePolicy("version: STSv1\nmode: none\nmax_age: x\n")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 3")
	assert.Contains(t, err.Error(), "max_age")
}

func TestMatch(t *testing.T) {
	p := &mtasts.Policy{Mode: mtasts.ModeEnforce, MX: []string{"mail.example.com", "*.example.net", "xn--bcher-kva.example"}}
	tests := []struct {
		host string
		want bool
	}{
		{"mail.example.com", true},
		{"MAIL.Example.COM", true},
		{"mail.example.com.", true},
		{"mx.example.net", true},
		{"MX.EXAMPLE.NET.", true},
		{"example.net", false},
		{".example.net", false},
		{"a.b.example.net", false},
		{"*.example.net", false},
		{"xexample.net", false},
		{"bücher.example", true}, // U-label compared as A-label
		{"xn--bcher-kva.example", true},
		{"other.example.com", false},
		{"", false},
		{".", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, p.Match(tt.host), "%q", tt.host)
	}
	var none *mtasts.Policy
	assert.False(t, none.Match("mail.example.com"))
}

func TestPlanDelivery(t *testing.T) {
	hosts := []string{"mx1.example.com.", "backup.other.example", "mx2.example.com"}
	pol := func(m mtasts.Mode) *mtasts.Policy {
		return &mtasts.Policy{Mode: m, MX: []string{"*.example.com"}, MaxAge: time.Hour}
	}

	pl := mtasts.PlanDelivery(pol(mtasts.ModeEnforce), hosts)
	require.Len(t, pl.Hosts, 3)
	allowed := pl.Allowed()
	require.Len(t, allowed, 2)
	assert.Equal(t, "mx1.example.com", allowed[0].Host)
	assert.Equal(t, mtasts.TLSVerified, allowed[0].TLS)
	assert.Equal(t, "mx1.example.com", allowed[0].ServerName)
	assert.Equal(t, "mx2.example.com", allowed[1].Host)
	assert.False(t, pl.Hosts[1].Allowed)
	assert.False(t, pl.Hosts[1].Matched)

	pl = mtasts.PlanDelivery(pol(mtasts.ModeTesting), hosts)
	require.Len(t, pl.Allowed(), 3)
	assert.Equal(t, mtasts.TLSVerifiedReport, pl.Hosts[0].TLS)
	assert.False(t, pl.Hosts[0].Report)
	assert.True(t, pl.Hosts[1].Report)
	assert.Equal(t, mtasts.TLSAsWithoutPolicy, pl.Hosts[1].TLS)

	for _, p := range []*mtasts.Policy{nil, pol(mtasts.ModeNone)} {
		pl = mtasts.PlanDelivery(p, hosts)
		assert.Equal(t, mtasts.ModeNone, pl.Mode)
		require.Len(t, pl.Allowed(), 3)
		for _, h := range pl.Hosts {
			assert.Equal(t, mtasts.TLSAsWithoutPolicy, h.TLS)
			assert.Empty(t, h.ServerName)
			assert.False(t, h.Report)
		}
	}

	// Enforce with no matching host: nothing may be tried.
	pl = mtasts.PlanDelivery(pol(mtasts.ModeEnforce), []string{"mx.other.example"})
	assert.Empty(t, pl.Allowed())
}
