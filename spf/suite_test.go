package spf

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/spfsuite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zoneFromSuite serves a scenario's zone data (internal/spfsuite reads
// it as the suite's reference driver does) from a fakeZone.
func zoneFromSuite(t testing.TB, data map[string][]any) *fakeZone {
	t.Helper()
	records, err := spfsuite.Zone(data)
	require.NoError(t, err)
	z := newFakeZone()
	for name, recs := range records {
		rrs := make([]fakeRR, len(recs))
		for i, r := range recs {
			rrs[i] = fakeRR{typ: r.Type, text: r.Text, pref: r.Pref}
		}
		require.NoError(t, z.set(name, rrs...))
	}
	return z
}

// runSuite runs every case of a YAML suite against a Checker and returns
// the number of cases that passed and ran.
func runSuite(t *testing.T, path string) (passed, total int) {
	for _, sc := range spfsuite.Load(t, path) {
		zone := zoneFromSuite(t, sc.ZoneData)
		for _, name := range sc.CaseNames() {
			tc := sc.Tests[name]
			total++
			ok := t.Run(sc.Description+"/"+name, func(t *testing.T) {
				ip, err := netip.ParseAddr(tc.Host)
				require.NoError(t, err)
				c := &Checker{Resolver: zone, DefaultExplanation: "DEFAULT"}
				v, err := c.Check(context.Background(), ip, tc.Helo, tc.MailFrom)
				require.Contains(t, tc.Results(), string(v.Result), "spec %v: %s\nverdict %+v\nerr %v", tc.Spec, strings.TrimSpace(tc.Description), v, err)
				// The error contract of DESIGN.md.
				if v.Result == TempError || v.Result == PermError {
					require.Error(t, err)
				} else {
					require.NoError(t, err)
				}
				if tc.Explanation != nil && v.Result == Fail {
					require.Equal(t, *tc.Explanation, v.Explanation)
				}
			})
			if ok {
				passed++
			}
		}
	}
	return passed, total
}

// TestRFC7208Suite runs the OpenSPF RFC 7208 test suite (testdata,
// see PROVENANCE.md) through an in-memory resolver serving its zone data.
func TestRFC7208Suite(t *testing.T) {
	passed, total := runSuite(t, "testdata/rfc7208-tests.yml")
	t.Logf("RFC 7208 suite: %d/%d passed", passed, total)
	require.Equal(t, 203, total, "the suite has 203 cases")
}

// TestRFC4408Suite runs the older OpenSPF RFC 4408 suite (testdata,
// see PROVENANCE.md) through the same runner as the RFC 7208 suite.
func TestRFC4408Suite(t *testing.T) {
	passed, total := runSuite(t, "testdata/rfc4408-tests.yml")
	t.Logf("RFC 4408 suite: %d/%d passed", passed, total)
	require.Equal(t, 191, total, "the suite has 191 cases")
}

// TestRFC7208AppendixA evaluates the simple examples of RFC 7208 Appendix
// A.1 against the zone of Appendix A: for each record, exactly the listed
// clients pass and every other client of the zone fails.
func TestRFC7208AppendixA(t *testing.T) {
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
