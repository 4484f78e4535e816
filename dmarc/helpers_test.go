package dmarc

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/miekg/dns"
)

// txt formats a TXT resource record for zone text, splitting long values
// into 255-octet character-strings.
func txt(name, value string) string {
	var parts []string
	for len(value) > 255 {
		parts = append(parts, fmt.Sprintf("%q", value[:255]))
		value = value[255:]
	}
	parts = append(parts, fmt.Sprintf("%q", value))
	return fmt.Sprintf("%s 300 IN TXT %s", dns.Fqdn(name), strings.Join(parts, " "))
}

// dmarcTXT is a TXT record at _dmarc.<domain>.
func dmarcTXT(domain, value string) string { return txt("_dmarc."+domain, value) }

// zone joins resource-record lines into zone text.
func zone(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// serve starts a dnstest server with the given records.
func serve(t testing.TB, lines ...string) (*dnstest.Server, *Checker) {
	t.Helper()
	srv := dnstest.New(t, zone(lines...))
	return srv, &Checker{Resolver: srv.Resolver()}
}

// dmarcQueries counts the TXT queries for _dmarc names in the log.
func dmarcQueries(srv *dnstest.Server) []string {
	var out []string
	for _, q := range srv.Queries() {
		if q.Type == dns.TypeTXT && strings.HasPrefix(q.Name, "_dmarc.") && q.Net == "udp" {
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

// fakeResolver is an in-memory Resolver for benchmarks and fuzzing.
type fakeResolver struct {
	mu      sync.Mutex
	txt     map[string][]string
	addrs   map[string][]netip.Addr
	mx      map[string][]*net.MX
	temp    map[string]bool
	queries int
}

func (f *fakeResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	f.mu.Lock()
	f.queries++
	f.mu.Unlock()
	if f.temp[name] {
		return nil, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
	}
	if v, ok := f.txt[name]; ok {
		return v, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f *fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range f.addrs[host] {
		if (network == "ip4") == a.Is4() {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

func (f *fakeResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	if v, ok := f.mx[name]; ok {
		return v, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}
