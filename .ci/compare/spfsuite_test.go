package compare

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"testing"

	blitirispf "blitiri.com.ar/go/spf"
	"github.com/mailsmith/mailsmith/internal/spfsuite"
	"github.com/mailsmith/mailsmith/spf"
)

// suitePath is the OpenSPF RFC 7208 test suite kept by the spf package
// (see spf/testdata/PROVENANCE.md for source and licence).
const suitePath = "../../spf/testdata/rfc7208-tests.yml"

// suiteZone serves a scenario's zone data (internal/spfsuite reads it as
// the suite's reference driver does, for the spf package's tests too)
// from a memZone.
func suiteZone(data map[string][]any) (*memZone, error) {
	records, err := spfsuite.Zone(data)
	if err != nil {
		return nil, err
	}
	z := newMemZone()
	for name, recs := range records {
		rrs := make([]memRR, len(recs))
		for i, r := range recs {
			rrs[i] = memRR{typ: r.Type, text: r.Text, pref: r.Pref}
		}
		if err := z.set(name, rrs...); err != nil {
			return nil, err
		}
	}
	return z, nil
}

// spfRunner runs one suite case through one library and returns its
// result word.
type spfRunner func(z *memZone, ip netip.Addr, helo, mailFrom string) string

var spfRunners = []struct {
	lib string
	run spfRunner
}{
	{"mailsmith", func(z *memZone, ip netip.Addr, helo, mailFrom string) string {
		c := &spf.Checker{Resolver: z}
		v, _ := c.Check(context.Background(), ip, helo, mailFrom)
		return string(v.Result)
	}},
	{"blitiri", func(z *memZone, ip netip.Addr, helo, mailFrom string) string {
		// RFC 7208 §2.4: an empty MAIL FROM is checked as postmaster@helo.
		sender := mailFrom
		if sender == "" {
			sender = "postmaster@" + helo
		}
		r, _ := blitirispf.CheckHostWithSender(net.IP(ip.AsSlice()), helo, sender,
			blitirispf.WithResolver(z), blitirispf.WithContext(context.Background()))
		return string(r)
	}},
}

// TestRFC7208Suite runs the 203 cases of the OpenSPF RFC 7208 suite
// through every library with the same in-memory zone and logs the number
// each gets right (the result must be one the case accepts; explanation
// strings are not compared, since not every library produces them). Run
// with -v to see the counts and, with SPF_SUITE_FAILURES=1, the cases
// each library gets wrong.
func TestRFC7208Suite(t *testing.T) {
	scenarios := spfsuite.Load(t, suitePath)
	for _, r := range spfRunners {
		passed, total := 0, 0
		var wrong []string
		for _, sc := range scenarios {
			z, err := suiteZone(sc.ZoneData)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range sc.CaseNames() {
				tc := sc.Tests[name]
				total++
				ip, err := netip.ParseAddr(tc.Host)
				if err != nil {
					t.Fatalf("%s: host %q: %v", name, tc.Host, err)
				}
				got := r.run(z, ip, tc.Helo, tc.MailFrom)
				if slices.Contains(tc.Results(), got) {
					passed++
				} else {
					wrong = append(wrong, fmt.Sprintf("%s/%s: got %s, want %v", sc.Description, name, got, tc.Results()))
				}
			}
		}
		if total != 203 {
			t.Fatalf("the suite has 203 cases, read %d", total)
		}
		t.Logf("RFC 7208 suite, lib=%s: %d/%d passed", r.lib, passed, total)
		if os.Getenv("SPF_SUITE_FAILURES") != "" {
			for _, w := range wrong {
				t.Logf("  lib=%s wrong: %s", r.lib, w)
			}
		}
	}
}
