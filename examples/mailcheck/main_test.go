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
			var out, errOut bytes.Buffer
			args := []string{"-json", "-resolver", srv.Addr(), "-selectors", tt.selectors, tt.domain}
			code := run(context.Background(), args, &out, &errOut)
			require.Equal(t, tt.code, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
			var reports []Report
			require.NoError(t, json.Unmarshal(out.Bytes(), &reports))
			require.Len(t, reports, 1)
			for _, w := range tt.want {
				require.True(t, hasFinding(reports[0], w), "missing %+v in %+v", w, reports[0].Findings)
			}
			for _, a := range tt.absent {
				require.NotContains(t, out.String(), a)
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
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-demo"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	text := out.String()
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

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 2, run(context.Background(), nil, &out, &errOut))
	require.Equal(t, 2, run(context.Background(), []string{"-demo", "-resolver", "127.0.0.1:53"}, &out, &errOut))
	require.Equal(t, 2, run(context.Background(), []string{"-bogus"}, &out, &errOut))
}
