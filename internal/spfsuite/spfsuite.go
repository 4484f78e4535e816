// Package spfsuite reads the OpenSPF test suites for RFC 7208 and RFC 4408
// (YAML, one scenario a document; spf/testdata/PROVENANCE.md has their
// source and licence): the scenarios, their cases, and their zone data as
// DNS records, served the way the suites' reference driver (pyspf's
// testspf.py) serves them. The spf package's tests and the comparison
// module in .ci/compare both run the suite through it, so the two cannot
// read the zone data differently.
//
//	for _, sc := range spfsuite.Load(t, "testdata/rfc7208-tests.yml") {
//		zone, err := spfsuite.Zone(sc.ZoneData)
//		...
//		for _, name := range sc.CaseNames() {
//			tc := sc.Tests[name]
//			// check tc.Host, tc.Helo, tc.MailFrom; want one of tc.Results()
//		}
//	}
//
// The package is imported by _test.go files only.
package spfsuite

import (
	"fmt"
	"sort"
	"testing"

	"github.com/mailsmith/mailsmith/internal/testyaml"
)

// Scenario is one YAML document of a suite: cases that share a zone.
type Scenario struct {
	Description string          `yaml:"description"`
	Tests       map[string]Case `yaml:"tests"`
	// ZoneData maps an owner name to its entries, as the YAML has them;
	// Zone turns it into records.
	ZoneData map[string][]any `yaml:"zonedata"`
}

// Case is one check_host() evaluation and what it may yield.
type Case struct {
	Description string `yaml:"description"`
	// Spec names the RFC sections the case tests (a string or a list).
	Spec     any    `yaml:"spec"`
	Helo     string `yaml:"helo"`
	Host     string `yaml:"host"` // the client's IP address
	MailFrom string `yaml:"mailfrom"`
	// Result is one result word or a list of acceptable ones; Results
	// reads it.
	Result any `yaml:"result"`
	// Explanation, when present, is the exp= text a "fail" must carry.
	Explanation *string `yaml:"explanation"`
}

// Results lists the result words the case accepts ("pass", "permerror",
// ...), in the suite's order.
func (c Case) Results() []string {
	switch r := c.Result.(type) {
	case string:
		return []string{r}
	case []any:
		out := make([]string, 0, len(r))
		for _, x := range r {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// CaseNames returns the names of the scenario's cases in sorted order,
// so that runs are repeatable.
func (s Scenario) CaseNames() []string {
	names := make([]string, 0, len(s.Tests))
	for n := range s.Tests {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Load reads every scenario of the suite file at path; a file that cannot
// be read or decoded ends the test.
func Load(t testing.TB, path string) []Scenario {
	t.Helper()
	return testyaml.Load[Scenario](t, path)
}

// Record is one entry of a name's zone data.
type Record struct {
	// Type is a DNS type (TXT, A, AAAA, MX, PTR, CNAME) or one of the
	// suite's faults: TIMEOUT (the query times out) and SERVFAIL.
	Type string
	// Text is the TXT value (the strings of a multi-string record
	// joined), the PTR, CNAME or MX target, or the address.
	Text string
	// Pref is an MX record's preference.
	Pref uint16
}

// Zone turns a scenario's zone data into records per owner name, in the
// order the YAML lists them, as the reference driver serves them: SPF-type
// records are served as TXT unless the name lists TXT records of its own,
// and "TXT: NONE" means no TXT record at all (nor any from SPF).
func Zone(data map[string][]any) (map[string][]Record, error) {
	zone := make(map[string][]Record, len(data))
	for name, entries := range data {
		var rrs, fromSPF []Record
		hasTXT := false
		for _, e := range entries {
			if s, ok := e.(string); ok { // a bare fault: "TIMEOUT"
				rrs = append(rrs, Record{Type: s})
				continue
			}
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("spfsuite: %s: entry %#v is neither a word nor a map", name, e)
			}
			for typ, v := range m {
				if (typ == "TXT" || typ == "SPF") && v == "NONE" {
					hasTXT = hasTXT || typ == "TXT"
					continue
				}
				rr, err := record(typ, v)
				if err != nil {
					return nil, fmt.Errorf("spfsuite: %s: %w", name, err)
				}
				switch typ {
				case "TXT":
					hasTXT = true
					rrs = append(rrs, rr)
				case "SPF":
					rr.Type = "TXT"
					fromSPF = append(fromSPF, rr)
				default:
					rrs = append(rrs, rr)
				}
			}
		}
		if !hasTXT {
			rrs = append(rrs, fromSPF...)
		}
		zone[name] = rrs
	}
	return zone, nil
}

// record reads one "TYPE: value" entry.
func record(typ string, v any) (Record, error) {
	switch typ {
	case "TIMEOUT", "SERVFAIL":
		return Record{Type: typ}, nil
	case "TXT", "SPF":
		switch x := v.(type) {
		case string:
			return Record{Type: typ, Text: x}, nil
		case []any: // a record of several strings
			text := ""
			for _, p := range x {
				text += fmt.Sprint(p)
			}
			return Record{Type: typ, Text: text}, nil
		}
		return Record{}, fmt.Errorf("%s value %#v is neither a string nor a list", typ, v)
	case "MX":
		l, ok := v.([]any)
		if !ok || len(l) != 2 {
			return Record{}, fmt.Errorf("MX value %#v is not [preference, host]", v)
		}
		pref, ok := l[0].(int)
		if !ok || pref < 0 || pref > 65535 {
			return Record{}, fmt.Errorf("MX preference %#v is not 0 to 65535", l[0])
		}
		return Record{Type: "MX", Pref: uint16(pref), Text: fmt.Sprint(l[1])}, nil
	}
	return Record{Type: typ, Text: fmt.Sprint(v)}, nil
}
