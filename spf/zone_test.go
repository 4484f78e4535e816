package spf

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// fakeZone builds, name by name, the zones of the RFC 7208 test suite's
// scenarios (and of the differential and fuzz tests) in the suite's
// in-memory resolver (internal/dnstest.Memory). It keeps the suite
// drivers' rules: the entries of a name are read in order, and TIMEOUT
// makes every query type not listed before it time out (the entries after
// it are ignored); SERVFAIL fails every query of the name.
type fakeZone struct {
	*dnstest.Memory
}

// fakeRR is one entry of a name's list, in order.
type fakeRR struct {
	typ  string // TXT, A, AAAA, MX, PTR, CNAME, TIMEOUT, SERVFAIL
	text string // TXT value, PTR/CNAME/MX target, or address text
	pref uint16
}

// fakeTypes are the query types a TIMEOUT entry can apply to.
var fakeTypes = map[string]uint16{
	"TXT": dns.TypeTXT, "A": dns.TypeA, "AAAA": dns.TypeAAAA,
	"MX": dns.TypeMX, "PTR": dns.TypePTR, "CNAME": dns.TypeCNAME,
}

func newFakeZone() *fakeZone {
	m, err := dnstest.LoadMemory()
	if err != nil {
		panic(err) // no zone text, nothing to fail
	}
	return &fakeZone{Memory: m}
}

// set replaces the data of name with rrs, interpreted in order.
func (z *fakeZone) set(name string, rrs ...fakeRR) error {
	owner := zoneName(name)
	data := z.Data()
	data.Remove(owner, dns.TypeNone)
	for t := range fakeTypes {
		z.Fault(owner, fakeTypes[t], dnstest.NoFault)
	}
	z.Fault(owner, dns.TypeNone, dnstest.NoFault)
	var b strings.Builder
	seen := map[string]bool{}
	for _, rr := range rrs {
		switch rr.typ {
		case "TIMEOUT":
			for typ, qtype := range fakeTypes {
				if !seen[typ] {
					z.Fault(owner, qtype, dnstest.Drop)
				}
			}
			return data.AddZone(b.String())
		case "SERVFAIL":
			z.Fault(owner, dns.TypeNone, dnstest.ServFail)
		case "TXT":
			fmt.Fprintf(&b, "%s IN TXT %s\n", owner, zoneString(rr.text))
		case "A", "AAAA":
			fmt.Fprintf(&b, "%s IN %s %s\n", owner, rr.typ, rr.text)
		case "MX":
			fmt.Fprintf(&b, "%s IN MX %d %s\n", owner, rr.pref, zoneName(rr.text))
		case "PTR", "CNAME":
			fmt.Fprintf(&b, "%s IN %s %s\n", owner, rr.typ, zoneName(rr.text))
		default:
			return fmt.Errorf("%s: unknown type %q", name, rr.typ)
		}
		seen[rr.typ] = true
	}
	if err := data.AddZone(b.String()); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// fakeKey is how the differential test's zones key names: lower case,
// without the final dot.
func fakeKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }
