package dnstest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// Fixture is a DNS fixture in the shape that the shared test cases
// transcribed from mox carry ("dns_fixtures" in the JSON of mx/mtasts
// and mx/tlsrpt): TXT records and CNAMEs by owner name, and "txt NAME"
// entries whose TXT lookups fail.
type Fixture struct {
	TXT   map[string][]string `json:"TXT"`
	CNAME map[string]string   `json:"CNAME"`
	Fail  []string            `json:"Fail"`
}

// ServeFixture starts a loopback server holding fx, stopped when the test
// ends. A failing name answers SERVFAIL to TXT queries, and so does a
// CNAME whose target fails (through any number of CNAMEs), as a recursive
// resolver's answer would. A Fail entry for another type than txt ends
// the test.
func ServeFixture(t testing.TB, fx Fixture) *Server {
	t.Helper()
	var zone strings.Builder
	for name, txts := range fx.TXT {
		for _, txt := range txts {
			fmt.Fprintf(&zone, "%s 300 IN TXT %q\n", name, txt)
		}
	}
	for name, target := range fx.CNAME {
		fmt.Fprintf(&zone, "%s 300 IN CNAME %s\n", name, target)
	}
	srv := New(t, zone.String())
	failing := map[string]bool{}
	for _, f := range fx.Fail {
		typ, name, ok := strings.Cut(f, " ")
		if !ok || typ != "txt" {
			t.Fatalf("dnstest: fixture failure %q: want \"txt NAME\"", f)
		}
		failing[name] = true
	}
	for changed := true; changed; {
		changed = false
		for name, target := range fx.CNAME {
			if failing[target] && !failing[name] {
				failing[name], changed = true, true
			}
		}
	}
	for name := range failing {
		srv.Fault(name, dns.TypeTXT, ServFail)
	}
	return srv
}
