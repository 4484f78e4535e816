package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"

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
	"TXT": dnstest.TypeTXT, "A": dnstest.TypeA, "AAAA": dnstest.TypeAAAA,
	"MX": dnstest.TypeMX, "PTR": dnstest.TypePTR, "CNAME": dnstest.TypeCNAME,
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
	data.Remove(owner, dnstest.TypeNone)
	for t := range fakeTypes {
		z.Fault(owner, fakeTypes[t], dnstest.NoFault)
	}
	z.Fault(owner, dnstest.TypeNone, dnstest.NoFault)
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
			z.Fault(owner, dnstest.TypeNone, dnstest.ServFail)
		default:
			if err := writeRR(&b, owner, rr.typ, rr.text, rr.pref); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
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

// mkZone serves lines "name TYPE value" from the suite's in-memory
// resolver (internal/dnstest): TXT (the rest of the line is one record;
// repeat the line for several), A, AAAA, CNAME, MX ("pref host"), PTR (the
// name is the address: "192.0.2.1 PTR host"), and TIMEOUT or SERVFAIL
// (no value: every query of the name fails so).
func mkZone(t testing.TB, lines ...string) *dnstest.Memory {
	t.Helper()
	var b strings.Builder
	type fault struct {
		name string
		f    dnstest.Fault
	}
	var faults []fault
	for _, l := range lines {
		name, rest, _ := strings.Cut(l, " ")
		typ, val, _ := strings.Cut(rest, " ")
		owner := zoneName(name)
		var pref uint64
		var err error
		switch typ {
		case "TIMEOUT":
			faults = append(faults, fault{owner, dnstest.Drop})
			continue
		case "SERVFAIL":
			faults = append(faults, fault{owner, dnstest.ServFail})
			continue
		case "MX":
			var p string
			p, val, _ = strings.Cut(val, " ")
			pref, err = strconv.ParseUint(p, 10, 16)
		case "PTR":
			if ip, perr := netip.ParseAddr(name); perr == nil {
				owner, _ = dns.ReverseAddr(ip.String())
			}
		}
		if err == nil {
			err = writeRR(&b, owner, typ, val, uint16(pref))
		}
		if err != nil {
			t.Fatalf("mkZone: bad line %q: %v", l, err)
		}
	}
	z := dnstest.NewMemory(t, b.String())
	for _, f := range faults {
		z.Fault(f.name, dnstest.TypeNone, f.f)
	}
	return z
}

// writeRR writes one record of owner (absolute, in master-file form) as
// zone text; text is the TXT value, the address, or the target name.
func writeRR(b *strings.Builder, owner, typ, text string, pref uint16) error {
	switch typ {
	case "TXT":
		fmt.Fprintf(b, "%s IN TXT %s\n", owner, zoneString(text))
	case "A", "AAAA":
		fmt.Fprintf(b, "%s IN %s %s\n", owner, typ, text)
	case "MX":
		fmt.Fprintf(b, "%s IN MX %d %s\n", owner, pref, zoneName(text))
	case "PTR", "CNAME":
		fmt.Fprintf(b, "%s IN %s %s\n", owner, typ, zoneName(text))
	default:
		return fmt.Errorf("unknown type %q", typ)
	}
	return nil
}

// zoneString writes s as master-file character-strings: quoted, '"' and
// '\' escaped, bytes outside printable ASCII as \DDD, cut into pieces of
// at most 255 octets (they are joined again on lookup, RFC 7208 §3.3).
func zoneString(s string) string {
	var b strings.Builder
	for len(s) > 0 || b.Len() == 0 {
		n := min(len(s), 255)
		b.WriteString(` "`)
		for i := 0; i < n; i++ {
			switch c := s[i]; {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < ' ' || c > '~':
				fmt.Fprintf(&b, "\\%03d", c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
		s = s[n:]
	}
	return b.String()
}

// zoneName writes name absolute, as master-file text: bytes other than
// letters, digits, '-', '_', '*' and the dots between labels as \DDD.
func zoneName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '*', c == '.':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	return dns.Fqdn(b.String())
}

// queries returns how many lookups z has answered since the last call.
func queries(z *dnstest.Memory) int {
	n := len(z.Data().Queries())
	z.Data().ResetLog()
	return n
}
