package compare

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"sort"
	"testing"

	blitirispf "blitiri.com.ar/go/spf"
	"github.com/mailsmith/mailsmith/spf"
	"go.yaml.in/yaml/v3"
)

// suitePath is the OpenSPF RFC 7208 test suite kept by the spf package
// (see spf/testdata/PROVENANCE.md for source and licence).
const suitePath = "../../spf/testdata/rfc7208-tests.yml"

type suiteScenario struct {
	Description string               `yaml:"description"`
	Tests       map[string]suiteCase `yaml:"tests"`
	ZoneData    map[string][]any     `yaml:"zonedata"`
}

type suiteCase struct {
	Spec     any    `yaml:"spec"`
	Helo     string `yaml:"helo"`
	Host     string `yaml:"host"`
	MailFrom string `yaml:"mailfrom"`
	Result   any    `yaml:"result"` // one result or a list of acceptable ones
}

func (c suiteCase) accepted() []string {
	switch r := c.Result.(type) {
	case string:
		return []string{r}
	case []any:
		var out []string
		for _, x := range r {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

func loadSuite(t *testing.T) []suiteScenario {
	t.Helper()
	data, err := os.ReadFile(suitePath)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []suiteScenario
	for {
		var s suiteScenario
		if err := dec.Decode(&s); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
}

// suiteZone serves a scenario's zone data as the suite's reference
// driver does: SPF-type records are served as TXT unless the name lists
// TXT records of its own ("NONE" meaning none at all).
func suiteZone(data map[string][]any) (*memZone, error) {
	z := newMemZone()
	for name, entries := range data {
		var rrs, generated []memRR
		hasTXT := false
		for _, e := range entries {
			if s, ok := e.(string); ok {
				rrs = append(rrs, memRR{typ: s})
				continue
			}
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: entry %#v", name, e)
			}
			for typ, v := range m {
				switch typ {
				case "TIMEOUT", "SERVFAIL":
					rrs = append(rrs, memRR{typ: typ})
				case "TXT", "SPF":
					if typ == "TXT" {
						hasTXT = true
					}
					if v == "NONE" {
						continue
					}
					text := ""
					switch x := v.(type) {
					case string:
						text = x
					case []any:
						for _, p := range x {
							text += fmt.Sprint(p)
						}
					}
					if typ == "SPF" {
						generated = append(generated, memRR{typ: "TXT", text: text})
					} else {
						rrs = append(rrs, memRR{typ: "TXT", text: text})
					}
				case "MX":
					l, ok := v.([]any)
					if !ok || len(l) != 2 {
						return nil, fmt.Errorf("%s: MX %#v", name, v)
					}
					pref, _ := l[0].(int)
					rrs = append(rrs, memRR{typ: "MX", pref: uint16(pref), text: fmt.Sprint(l[1])})
				default:
					rrs = append(rrs, memRR{typ: typ, text: fmt.Sprint(v)})
				}
			}
		}
		if !hasTXT {
			rrs = append(rrs, generated...)
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
	scenarios := loadSuite(t)
	for _, r := range spfRunners {
		passed, total := 0, 0
		var wrong []string
		for _, sc := range scenarios {
			z, err := suiteZone(sc.ZoneData)
			if err != nil {
				t.Fatal(err)
			}
			names := make([]string, 0, len(sc.Tests))
			for n := range sc.Tests {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, name := range names {
				tc := sc.Tests[name]
				total++
				ip, err := netip.ParseAddr(tc.Host)
				if err != nil {
					t.Fatalf("%s: host %q: %v", name, tc.Host, err)
				}
				got := r.run(z, ip, tc.Helo, tc.MailFrom)
				if slices.Contains(tc.accepted(), got) {
					passed++
				} else {
					wrong = append(wrong, fmt.Sprintf("%s/%s: got %s, want %v", sc.Description, name, got, tc.accepted()))
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
