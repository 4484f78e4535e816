package spf

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

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
		switch typ {
		case "TXT":
			fmt.Fprintf(&b, "%s IN TXT %s\n", owner, zoneString(val))
		case "A", "AAAA":
			fmt.Fprintf(&b, "%s IN %s %s\n", owner, typ, val)
		case "CNAME":
			fmt.Fprintf(&b, "%s IN CNAME %s\n", owner, dns.Fqdn(val))
		case "MX":
			pref, host, _ := strings.Cut(val, " ")
			fmt.Fprintf(&b, "%s IN MX %s %s\n", owner, pref, dns.Fqdn(host))
		case "PTR":
			rev := owner
			if ip, err := netip.ParseAddr(name); err == nil {
				rev, _ = dns.ReverseAddr(ip.String())
			}
			fmt.Fprintf(&b, "%s IN PTR %s\n", rev, dns.Fqdn(val))
		case "TIMEOUT":
			faults = append(faults, fault{owner, dnstest.Drop})
		case "SERVFAIL":
			faults = append(faults, fault{owner, dnstest.ServFail})
		default:
			t.Fatalf("mkZone: bad line %q", l)
		}
	}
	z := dnstest.NewMemory(t, b.String())
	for _, f := range faults {
		z.Fault(f.name, dns.TypeNone, f.f)
	}
	return z
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
