package mtasts_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/mx/mtasts"
)

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"v=STSv1; id=20160831085700Z;",
		"v=STSv1; \t id=a  \t;",
		"v=STSv1; id=a; more=a; ext=2",
		"v=STSv1; id=a;;",
		"v=STSv1; id=a; id=b",
		"v=STSv10",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := mtasts.ParseRecord(s); err == nil {
			roundTrip(t, s, r, mtasts.ParseRecord)
		}
	})
}

// roundTrip fails t unless v, parsed from s, formats to text that parses
// to the same value (compared as text).
func roundTrip[T fmt.Stringer](t *testing.T, s string, v T, parse func(string) (T, error)) {
	t.Helper()
	back, err := parse(v.String())
	if err != nil {
		t.Fatalf("%q formats to %q, which does not parse: %v", s, v.String(), err)
	}
	if back.String() != v.String() {
		t.Fatalf("round trip changed %q to %q", v.String(), back.String())
	}
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		"version: STSv1\nmode: testing\nmx: mx1.example.com\nmx: *.example.com\nmax_age: 1296000\n",
		"version:STSv1\r\nmode:\tenforce\r\nmx:  \t\t *.example.com\nmax_age: 1\nmore:ext e  ns ion",
		"version:STSv1\nmode:none\nmax_age:0",
		"version:STSv1\nmode:enforce\nmax_age:0\nmx:*.*.example",
		"version:STSv1\nmode:none\nmax_age:0\nmx: m\u00f8x.example",
		"",
	} {
		f.Add(s, "mx1.example.com")
	}
	f.Fuzz(func(t *testing.T, s, host string) {
		p, err := mtasts.ParsePolicy(s)
		if err != nil {
			return
		}
		if p.MaxAge < 0 || p.MaxAge > mtasts.MaxMaxAge {
			t.Fatalf("max_age %v out of range", p.MaxAge)
		}
		roundTrip(t, s, p, mtasts.ParsePolicy)
		// Every exact pattern matches itself; a wildcard never matches a
		// host with "*".
		for _, mx := range p.MX {
			if !strings.HasPrefix(mx, "*.") && !p.Match(mx) {
				t.Fatalf("pattern %q does not match itself", mx)
			}
		}
		if strings.Contains(host, "*") && p.Match(host) {
			t.Fatalf("host %q with * matched", host)
		}
		_ = mtasts.PlanDelivery(p, []string{host})
	})
}
