package ptr

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// fakeResolver is an in-memory Resolver for unit tests, fuzzing and
// benchmarks.
type fakeResolver struct {
	ptr    map[string][]string // by address text
	ptrErr map[string]error
	ip     map[string][]netip.Addr // key: "ip4 name." / "ip6 name."
	ipErr  map[string]error

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

func (f *fakeResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	f.record("PTR " + addr)
	if err, ok := f.ptrErr[addr]; ok {
		return f.ptr[addr], err
	}
	if names, ok := f.ptr[addr]; ok {
		return names, nil
	}
	return nil, notFound(addr)
}

func (f *fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	key := network + " " + strings.ToLower(host)
	f.record(key)
	if err, ok := f.ipErr[key]; ok {
		return f.ip[key], err
	}
	if addrs, ok := f.ip[key]; ok {
		return addrs, nil
	}
	return nil, notFound(host)
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}
