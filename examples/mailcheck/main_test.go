package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// zone has one domain per problem mailcheck should report.
const zone = `
$ORIGIN example.org.
@          IN MX   10 mx1
@          IN MX   20 mx2
@          IN TXT  "v=spf1 include:_spf.example.net mx -all"
mx1        IN A    192.0.2.1
mx2        IN A    192.0.2.2
_dmarc     IN TXT  "v=DMARC1; p=reject; rua=mailto:agg@example.net,mailto:agg@example.org; ruf=mailto:f@example.com"

$ORIGIN 2.0.192.in-addr.arpa.
1          IN PTR  mx1.example.org.
2          IN PTR  somewhere-else.example.com.

$ORIGIN example.net.
_spf       IN TXT  "v=spf1 ip4:198.51.100.0/24 ~all"
example.org._report._dmarc IN TXT "v=DMARC1"

$ORIGIN example.com.
open       IN TXT  "v=spf1 +all"
open       IN A    198.51.100.7
twice      IN TXT  "v=spf1 -all"
twice      IN TXT  "v=spf1 a -all"
twice      IN MX   0 .
noall      IN TXT  "v=spf1 a mx ptr"
noall      IN A    198.51.100.8
many       IN TXT  "v=spf1 include:i1.example.com include:i2.example.com include:i3.example.com -all"
many       IN MX   10 mx.many
mx.many    IN A    198.51.100.9
i1         IN TXT  "v=spf1 a mx exists:%{i}.x.example.com a:a1.example.com ~all"
i2         IN TXT  "v=spf1 a mx a:a2.example.com ~all"
i3         IN TXT  "v=spf1 a mx a:a3.example.com ~all"
xn--bcher-kva IN MX 0 .
xn--bcher-kva IN TXT "v=spf1 -all"
txtonly    IN TXT  "v=spf1 include:gone.example.com -all"
nospf      IN MX   0 .
`

type finding struct {
	level       Level
	check, text string
}

func TestMailcheck(t *testing.T) {
	srv := dnstest.New(t, zone)
	weak, err := dkim.GenerateKey(dkim.KeyTypeRSA, 1024)
	require.NoError(t, err)
	rec, err := dkim.NewKeyRecord(weak.Public())
	require.NoError(t, err)
	require.NoError(t, srv.Add(rec.ZoneText("old", "example.org")))

	tests := []struct {
		domain    string
		selectors string
		code      int
		want      []finding
		absent    []string
	}{
		{domain: "example.org", selectors: "old,missing", code: 0, want: []finding{
			{Warning, "mx", "mx2.example.org (192.0.2.2) has no forward-confirmed reverse DNS"},
			{Warning, "dkim", "selector old: 1024-bit RSA key"},
			{Warning, "dkim", "selector missing: no key"},
		}, absent: []string{"NOT agreed", "mx1.example.org (192.0.2.1)"}},
		{domain: "open.example.com", code: 1, want: []finding{
			{Error, "spf", `"+all" authorises every host`},
			{Warning, "mx", "implicit MX"},
			{Warning, "dmarc", "no DMARC record"},
		}},
		{domain: "twice.example.com", code: 1, want: []finding{
			{Error, "spf", "more than one"},
			{Info, "mx", "null MX"},
		}},
		{domain: "noall.example.com", code: 0, want: []finding{
			{Warning, "spf", `no "all" mechanism`},
			{Warning, "spf", `"ptr" mechanism`},
		}},
		{domain: "many.example.com", code: 1, want: []finding{
			{Error, "spf", "13 DNS lookups: over the limit of 10"},
		}},
		{domain: "Bücher.example.com", code: 0, want: []finding{
			{Info, "mx", "null MX"},
		}, absent: []string{`"error"`}},
		{domain: "nothing.example.com", code: 1, want: []finding{
			{Error, "mx", "does not exist"},
		}},
		// It exists (NODATA for MX, A, AAAA): its own implicit MX, with no
		// address; the include names a domain with no SPF record.
		{domain: "txtonly.example.com", code: 1, want: []finding{
			{Warning, "mx", "implicit MX"},
			{Error, "spf", "gone.example.com (referred to by txtonly.example.com): spf: target domain has no SPF record"},
		}, absent: []string{"does not exist"}},
		{domain: "nospf.example.com", code: 0, want: []finding{
			{Warning, "spf", "nospf.example.com publishes no v=spf1 record"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			code, out, errOut := mailcheck("-json", "-resolver", srv.Addr(), "-selectors", tt.selectors, tt.domain)
			require.Equal(t, tt.code, code, "stderr: %s\nstdout: %s", errOut, out)
			var reports []Report
			require.NoError(t, json.Unmarshal([]byte(out), &reports))
			require.Len(t, reports, 1)
			for _, w := range tt.want {
				require.True(t, hasFinding(reports[0], w), "missing %+v in %+v", w, reports[0].Findings)
			}
			for _, a := range tt.absent {
				require.NotContains(t, out, a)
			}
		})
	}
}

func hasFinding(r Report, want finding) bool {
	for _, f := range r.Findings {
		if f.Level == want.level && f.Check == want.check && strings.Contains(f.Message, want.text) {
			return true
		}
	}
	return false
}

func TestDemoHumanOutput(t *testing.T) {
	code, text, errOut := mailcheck("-demo")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{
		"example.org\n", "10 mail.example.org", "FCrDNS pass",
		"v=spf1 mx ip4:192.0.2.0/24", "1 of 10 DNS lookups",
		"p=reject", "mailto:dmarc@example.net (external, agreed)",
		"rsa2026    rsa, 2048 bits", "ed2026     ed25519, 256 bits",
		"example.com\n", "(external, NOT agreed)", `the "ptr" mechanism`,
	} {
		require.Contains(t, text, want)
	}
}

// brokenZone adds a domain whose TXT lookups fail (SERVFAIL) and one whose
// SPF record includes a macro, so its lookup count is a lower bound.
func brokenZone(t *testing.T) *dnstest.Server {
	t.Helper()
	srv := dnstest.New(t, zone+`
$ORIGIN example.com.
broken     IN MX  10 mx.many
macro      IN MX  10 mx.many
macro      IN TXT "v=spf1 include:%{d}.spf.example.com a -all"
`)
	srv.Fault("broken.example.com.", dnstest.TypeTXT, dnstest.ServFail)
	srv.Fault("_dmarc.broken.example.com.", dnstest.TypeTXT, dnstest.ServFail)
	return srv
}

func mailcheck(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestJoinedErrorsOnOneLine: an error made with errors.Join (spf's
// temporary-failure error and the resolver's error) is one finding on
// one line, in the text and in the JSON.
func TestJoinedErrorsOnOneLine(t *testing.T) {
	srv := brokenZone(t)
	code, out, errOut := mailcheck("-resolver", srv.Addr(), "broken.example.com")
	require.Equal(t, 1, code, errOut)
	var spfLine string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "    error   spf   ") {
			spfLine = line
		}
		if line != "" && line != "broken.example.com" {
			require.True(t, strings.HasPrefix(line, "  "), "a line broken off a finding: %q\n%s", line, out)
		}
	}
	require.Contains(t, spfLine, "spf: temporary DNS failure", "the first joined error\n%s", out)
	require.Contains(t, spfLine, "broken.example.com", "and the second, on the same line")

	code, out, errOut = mailcheck("-json", "-resolver", srv.Addr(), "broken.example.com")
	require.Equal(t, 1, code, errOut)
	var reports []Report
	require.NoError(t, json.Unmarshal([]byte(out), &reports))
	require.Len(t, reports, 1)
	require.NotEmpty(t, reports[0].SPF.Error)
	require.NotContains(t, reports[0].SPF.Error, "\n")
	require.NotContains(t, reports[0].DMARC.Error, "\n")
	for _, f := range reports[0].Findings {
		require.NotContains(t, f.Message, "\n")
	}
}

// TestFlagsAfterDomain: flags may follow the domains.
func TestFlagsAfterDomain(t *testing.T) {
	srv := dnstest.New(t, zone)
	code, out, errOut := mailcheck("-resolver", srv.Addr(), "example.org", "-json", "-selectors", "missing")
	require.Equal(t, 0, code, errOut)
	var reports []Report
	require.NoError(t, json.Unmarshal([]byte(out), &reports), "-json after the domain applies: %s", out)
	require.Len(t, reports, 1, "-json is not checked as a domain")
	require.Equal(t, "example.org", reports[0].Domain)
	require.Len(t, reports[0].DKIM, 1, "-selectors after the domain applies")

	code, _, errOut = mailcheck("-resolver", srv.Addr(), "example.org", "-bogus")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "flag provided but not defined: -bogus")
}

// TestInvalidDomainRefused: names that cannot be domains are refused with
// a message and exit status 2, before any DNS query.
func TestInvalidDomainRefused(t *testing.T) {
	srv := dnstest.New(t, zone)
	for _, tt := range []struct{ domain, says string }{
		{"exa mple.org", "not a valid domain name"},
		{"example..org", "not a valid domain name"},
		{"alice@example.org", "email address: give its domain (example.org)"},
		{"192.0.2.1", "IP address"},
		{"[2001:db8::1]", "IP address"},
		{strings.Repeat("a", 64) + ".example", "longer than 63"},
		{strings.Repeat("abcdefghi.", 26) + "example", "more than 253"},
		{"example.123", "all digits"},
		{"-", "misspelt flag"},
		{"", "empty"},
	} {
		srv.ResetLog()
		code, out, errOut := mailcheck("-resolver", srv.Addr(), "example.org", tt.domain)
		require.Equal(t, 2, code, "%q: %s", tt.domain, out)
		require.Contains(t, errOut, tt.says, tt.domain)
		require.Empty(t, out, tt.domain)
		require.Empty(t, srv.Queries(), "%q: no lookups for a bad name", tt.domain)
	}
	code, _, errOut := mailcheck("-resolver", srv.Addr(), "Bücher.example.com")
	require.Equal(t, 0, code, "an IDN is fine: %s", errOut)
}

// TestLookupCountLine: "at least N of 10 DNS lookups", with its space and
// the limit from package spf.
func TestLookupCountLine(t *testing.T) {
	srv := brokenZone(t)
	_, out, _ := mailcheck("-resolver", srv.Addr(), "macro.example.com")
	require.Contains(t, out, "\n    at least 2 of 10 DNS lookups\n")
	_, out, _ = mailcheck("-resolver", srv.Addr(), "example.org")
	require.Contains(t, out, "\n    2 of 10 DNS lookups (followed _spf.example.net)\n")
	require.NotContains(t, out, "<nil>", "an iprev failure without an error says no <nil>")
}

// TestFailedTreeWalk: when the DNS tree walk fails, no empty
// organizational domain is printed.
func TestFailedTreeWalk(t *testing.T) {
	srv := brokenZone(t)
	_, out, _ := mailcheck("-resolver", srv.Addr(), "broken.example.com")
	require.NotContains(t, out, "organizational domain  (tree walk)")
	require.Contains(t, out, "organizational domain example.com (public suffix list); the DNS tree walk failed")
}

func TestHelp(t *testing.T) {
	code, _, errOut := mailcheck("-help")
	require.Equal(t, 0, code)
	require.Contains(t, errOut, "usage: mailcheck")
	code, _, errOut = mailcheck("-resolver", "dns.example", "example.org")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "host:port")
	code, _, errOut = mailcheck("-demo", "-resolver", "127.0.0.1:53")
	require.Equal(t, 2, code, "-demo brings its own zone: -resolver is a usage error")
	require.Contains(t, errOut, "-demo and -resolver exclude each other")
}

// FuzzCheckDomainName: no panic, and what passes converts to an A-label
// name of at most 253 octets.
func FuzzCheckDomainName(f *testing.F) {
	for _, s := range []string{"example.org", "Bücher.example", "a@b", "192.0.2.1", "-json", "a..b", "xn--", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkDomainName(s) != nil {
			return
		}
		if a := asciiDomain(s); a == "" || len(a) > 253 {
			t.Fatalf("%q accepted as %q", s, a)
		}
	})
}
