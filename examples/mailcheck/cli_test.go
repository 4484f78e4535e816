package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

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
