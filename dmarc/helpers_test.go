package dmarc

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/miekg/dns"
)

// quoteTXT quotes a TXT value for zone text (RFC 1035 §5.1), splitting it
// into character-strings of at most 255 octets.
func quoteTXT(value string) string {
	var parts []string
	for {
		n := min(len(value), 255)
		var b strings.Builder
		b.WriteByte('"')
		for i := 0; i < n; i++ {
			switch c := value[i]; {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20 || c >= 0x7f:
				b.WriteString("\\" + strconv.Itoa(int(c)/100) + strconv.Itoa(int(c)/10%10) + strconv.Itoa(int(c)%10))
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
		parts = append(parts, b.String())
		value = value[n:]
		if value == "" {
			return strings.Join(parts, " ")
		}
	}
}

// txt is a TXT resource record for zone text.
func txt(name, value string) string {
	return dns.Fqdn(name) + " 300 IN TXT " + quoteTXT(value)
}

// dmarcTXT is a TXT record at _dmarc.<domain>.
func dmarcTXT(domain, value string) string { return txt("_dmarc."+domain, value) }

// zone joins resource-record lines into zone text.
func zone(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// serve starts a dnstest server (real DNS on loopback) with the given
// records.
func serve(t testing.TB, lines ...string) (*dnstest.Server, *Checker) {
	t.Helper()
	srv := dnstest.New(t, zone(lines...))
	return srv, &Checker{Resolver: srv.Resolver()}
}

// memory returns internal/dnstest's in-memory resolver over the given
// records and a Checker using it.
func memory(t testing.TB, lines ...string) (*dnstest.Memory, *Checker) {
	t.Helper()
	m := dnstest.NewMemory(t, zone(lines...))
	return m, &Checker{Resolver: m}
}

// dmarcQueries lists the _dmarc TXT names a dnstest server was asked
// (over UDP: a truncated answer retried over TCP counts once).
func dmarcQueries(srv *dnstest.Server) []string {
	var out []string
	for _, q := range srv.Queries() {
		if q.Type == dnstest.TypeTXT && strings.HasPrefix(q.Name, "_dmarc.") && q.Net != "tcp" {
			out = append(out, strings.TrimSuffix(q.Name, "."))
		}
	}
	return out
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// zoneSpec collects DNS data for a table-driven test before there is a
// testing.T; resolver serves it from internal/dnstest's in-memory
// resolver, which answers as Go's resolver would from a dnstest.Server
// with the same zone text (and rejects names without the trailing dot).
type zoneSpec struct {
	lines []string
	fails []string

	once sync.Once
	mem  *dnstest.Memory
}

func newZone() *zoneSpec { return &zoneSpec{} }

// dmarc adds TXT records at _dmarc.<domain>.
func (z *zoneSpec) dmarc(domain string, records ...string) *zoneSpec {
	return z.addTXT("_dmarc."+domain, records...)
}

// addTXT adds one TXT record per value at name.
func (z *zoneSpec) addTXT(name string, values ...string) *zoneSpec {
	for _, v := range values {
		z.lines = append(z.lines, txt(name, v))
	}
	return z
}

// addA gives name an A record (it exists, for np).
func (z *zoneSpec) addA(name string) *zoneSpec {
	z.lines = append(z.lines, dns.Fqdn(name)+" 300 IN A 192.0.2.1")
	return z
}

// addMX gives name an MX record.
func (z *zoneSpec) addMX(name string) *zoneSpec {
	z.lines = append(z.lines, dns.Fqdn(name)+" 300 IN MX 10 mx."+dns.Fqdn(name))
	return z
}

// failing makes every query for the names answer SERVFAIL.
func (z *zoneSpec) failing(names ...string) *zoneSpec {
	z.fails = append(z.fails, names...)
	return z
}

func (z *zoneSpec) text() string { return zone(z.lines...) }

// resolver returns the in-memory resolver, built on first use.
func (z *zoneSpec) resolver(t testing.TB) *dnstest.Memory {
	t.Helper()
	z.once.Do(func() {
		z.mem = dnstest.NewMemory(t, z.text())
		for _, n := range z.fails {
			z.mem.Fault(dns.Fqdn(n), dnstest.TypeNone, dnstest.ServFail)
		}
	})
	return z.mem
}

// txtQueries returns the TXT names asked so far, without the trailing dot.
func (z *zoneSpec) txtQueries() []string {
	var out []string
	for _, q := range z.mem.Data().Queries() {
		if q.Type == dnstest.TypeTXT {
			out = append(out, strings.TrimSuffix(q.Name, "."))
		}
	}
	return out
}

// txtZone is a zoneSpec with the TXT records of a map from owner name to
// values.
func txtZone(txt map[string][]string) *zoneSpec {
	z := newZone()
	for name, vals := range txt {
		z.addTXT(name, vals...)
	}
	return z
}

// reset forgets the queries asked so far.
func (z *zoneSpec) reset() { z.mem.Data().ResetLog() }
