package dane_test

import (
	"context"
	"net"
	"net/netip"
	"strings"

	"github.com/mailsmith/mailsmith/mx/dane"
)

// fakeResolver is an in-memory dane.Resolver for unit tests: records per
// name, a secure flag per "<type> <name>" lookup, and failures per lookup.
// The wire-level resolver is tested against a real DNS server
// (dnsresolver_test.go) and Unbound (unbound_test.go).
type fakeResolver struct {
	mx       map[string][]*net.MX
	a, aaaa  map[string][]netip.Addr
	cname    map[string]string
	tlsa     map[string][]dane.Record
	insecure map[string]bool  // "<type> <name>": answered without AD
	fail     map[string]error // "<type> <name>": this error
	calls    []string
}

func newFake() *fakeResolver {
	return &fakeResolver{
		mx: map[string][]*net.MX{}, a: map[string][]netip.Addr{}, aaaa: map[string][]netip.Addr{},
		cname: map[string]string{}, tlsa: map[string][]dane.Record{},
		insecure: map[string]bool{}, fail: map[string]error{},
	}
}

// exists reports whether any record is at name.
func (f *fakeResolver) exists(name string) bool {
	_, a := f.a[name]
	_, b := f.aaaa[name]
	_, c := f.cname[name]
	_, d := f.tlsa[name]
	_, e := f.mx[name]
	return a || b || c || d || e
}

// lookup runs the common part: the call log, a failure, the secure flag
// and the not-found errors.
func (f *fakeResolver) lookup(typ, name string, has bool) (bool, error) {
	key := typ + " " + strings.ToLower(name)
	f.calls = append(f.calls, key)
	secure := !f.insecure[key]
	if err := f.fail[key]; err != nil {
		return false, err
	}
	if has {
		return secure, nil
	}
	if f.exists(name) {
		return secure, &fakeErr{dane.ErrNoData}
	}
	return secure, &fakeErr{dane.ErrNXDomain}
}

type fakeErr struct{ kind error }

func (e *fakeErr) Error() string { return e.kind.Error() }
func (e *fakeErr) Unwrap() error { return e.kind }

func (f *fakeResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, bool, error) {
	v, ok := f.mx[name]
	sec, err := f.lookup("mx", name, ok)
	return v, sec, err
}

func (f *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, bool, error) {
	m := f.a
	if network == "ip6" {
		m = f.aaaa
	}
	// Follow CNAMEs as a recursive resolver does; the chain's security
	// counts.
	secure := true
	for range 10 {
		t, ok := f.cname[host]
		if !ok {
			break
		}
		if f.insecure["cname "+host] {
			secure = false
		}
		host = t
	}
	v, ok := m[host]
	sec, err := f.lookup(map[string]string{"ip4": "a", "ip6": "aaaa"}[network], host, ok)
	return v, sec && secure, err
}

func (f *fakeResolver) LookupCNAME(ctx context.Context, name string) (string, bool, error) {
	v, ok := f.cname[name]
	sec, err := f.lookup("cname", name, ok)
	return v, sec, err
}

func (f *fakeResolver) LookupTLSA(ctx context.Context, name string) ([]dane.Record, bool, error) {
	v, ok := f.tlsa[name]
	sec, err := f.lookup("tlsa", name, ok)
	return v, sec, err
}
