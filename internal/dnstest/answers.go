package dnstest

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// Answers is a resolver that answers from maps, for the cases zone text
// cannot hold: answers that Go's resolver never gives but a hand-written,
// caching or filtering resolver may (an MX target that is an address, a
// nil record, records together with an error such as Go's "records with
// invalid names were dropped", an error that is not a *net.DNSError). For
// everything else use Memory or the Server.
//
// Keys are the names as the package asks them, lower-cased: LookupMX and
// LookupTXT by name ("example.org."), LookupNetIP by network and host
// ("ip4 mail.example.org."), LookupAddr by the address text
// ("192.0.2.1"). An entry in an Err map is returned together with the
// answers of the same key, if any. A key found in neither map answers a
// *net.DNSError with IsNotFound. Every call is logged (Calls) unless Quiet
// is set. Answers is safe for concurrent lookups; set the maps before the
// first one.
type Answers struct {
	MX     map[string][]*net.MX
	MXErr  map[string]error
	TXT    map[string][]string
	TXTErr map[string]error
	IP     map[string][]netip.Addr // key: "ip4 name." or "ip6 name."
	IPErr  map[string]error
	PTR    map[string][]string // key: the address text
	PTRErr map[string]error

	// Quiet turns the call log off (benchmarks).
	Quiet bool
	// EmptyNotFound answers a key found in neither map with no records and
	// no error, as some hand-written resolvers say "no records", instead
	// of a *net.DNSError with IsNotFound.
	EmptyNotFound bool

	mu    sync.Mutex
	calls []string
}

// Calls returns the lookups made so far, as "MX example.org.", "TXT
// example.org.", "ip4 mail.example.org." or "PTR 192.0.2.1".
func (a *Answers) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

// ResetCalls empties the call log.
func (a *Answers) ResetCalls() {
	a.mu.Lock()
	a.calls = nil
	a.mu.Unlock()
}

// log records a call; the text is built only when it is kept.
func (a *Answers) log(kind, key string) {
	if a.Quiet {
		return
	}
	a.mu.Lock()
	a.calls = append(a.calls, kind+" "+key)
	a.mu.Unlock()
}

func answer[T any](a *Answers, answers map[string][]T, errs map[string]error, key, name string) ([]T, error) {
	if err, ok := errs[key]; ok {
		return answers[key], err
	}
	if v, ok := answers[key]; ok {
		return v, nil
	}
	if a.EmptyNotFound {
		return nil, nil
	}
	return nil, NotFoundError(name)
}

// NotFoundError returns the error Go's resolver gives for NXDOMAIN and NODATA:
// a *net.DNSError with IsNotFound set.
func NotFoundError(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// ServFailError returns the error Go's resolver gives for SERVFAIL: a
// *net.DNSError with IsTemporary set.
func ServFailError(name string) error {
	return &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
}

// Addrs parses addresses, for answer maps; it panics on a bad one.
func Addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// LookupMX answers from MX and MXErr.
func (a *Answers) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	key := strings.ToLower(name)
	a.log("MX", key)
	return answer(a, a.MX, a.MXErr, key, name)
}

// LookupTXT answers from TXT and TXTErr.
func (a *Answers) LookupTXT(_ context.Context, name string) ([]string, error) {
	key := strings.ToLower(name)
	a.log("TXT", key)
	return answer(a, a.TXT, a.TXTErr, key, name)
}

// LookupNetIP answers from IP and IPErr.
func (a *Answers) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	a.log(network, strings.ToLower(host))
	return answer(a, a.IP, a.IPErr, network+" "+strings.ToLower(host), host)
}

// LookupAddr answers from PTR and PTRErr.
func (a *Answers) LookupAddr(_ context.Context, addr string) ([]string, error) {
	a.log("PTR", addr)
	return answer(a, a.PTR, a.PTRErr, addr, addr)
}
