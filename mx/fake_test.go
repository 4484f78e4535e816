package mx

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// fakeResolver is an in-memory Resolver for unit tests, fuzzing and
// benchmarks. Names are looked up in lower case with the trailing dot.
type fakeResolver struct {
	mx    map[string][]*net.MX
	mxErr map[string]error
	ip    map[string][]netip.Addr // key: "ip4 name." or "ip6 name."
	ipErr map[string]error

	quiet bool // do not log calls (benchmarks)

	mu    sync.Mutex
	calls []string
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func servFail(name string) error {
	return &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
}

func (f *fakeResolver) record(call string) {
	if f.quiet {
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
}

func (f *fakeResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	name = strings.ToLower(name)
	f.record("MX " + name)
	if err, ok := f.mxErr[name]; ok {
		return f.mx[name], err
	}
	if recs, ok := f.mx[name]; ok {
		return recs, nil
	}
	return nil, notFound(name)
}

func (f *fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	key := network + " " + strings.ToLower(host)
	f.record(key)
	if err, ok := f.ipErr[key]; ok {
		return nil, err
	}
	if addrs, ok := f.ip[key]; ok {
		return addrs, nil
	}
	return nil, notFound(host)
}

func mxs(pairs ...any) []*net.MX {
	var out []*net.MX
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, &net.MX{Pref: uint16(pairs[i].(int)), Host: pairs[i+1].(string)})
	}
	return out
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}
