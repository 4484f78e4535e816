package dnstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Fault is a failure the server simulates for a name and query type.
type Fault int

// The faults a Server can simulate.
const (
	NoFault  Fault = iota // answer normally (removes an injected fault)
	ServFail              // answer with RCODE SERVFAIL (a temporary failure)
	Refused               // answer with RCODE REFUSED
	Drop                  // send no answer at all: the client times out
	Truncate              // over UDP, an empty answer with TC set; over TCP, the full answer
	NXDomain              // answer NXDOMAIN whatever the data says
)

// String returns the fault's name.
func (f Fault) String() string {
	switch f {
	case NoFault:
		return "NoFault"
	case ServFail:
		return "ServFail"
	case Refused:
		return "Refused"
	case Drop:
		return "Drop"
	case Truncate:
		return "Truncate"
	case NXDomain:
		return "NXDomain"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// DefaultTimeout is the per-attempt timeout of the resolver that
// Server.Resolver returns, when Server.Timeout is zero: short enough that a
// dropped query fails a test within a few seconds (Go makes two attempts),
// long enough that a loaded machine running tests with -race still answers
// in time.
const DefaultTimeout = time.Second

// Query is one question the server received.
type Query struct {
	Name string // lower case, fully qualified ("www.example.org.")
	Type uint16 // dns.TypeA, dns.TypeTXT, ...
	Net  string // "udp" or "tcp"
}

// String returns the query as "www.example.org. A udp".
func (q Query) String() string {
	return q.Name + " " + dns.TypeToString[q.Type] + " " + q.Net
}

type faultKey struct {
	name  string
	qtype uint16
}

// Server is a DNS server on loopback serving zone data. Its methods are safe
// for concurrent use.
type Server struct {
	// Timeout is the per-attempt timeout applied by the resolvers that
	// Resolver returns; zero means DefaultTimeout. Set it before calling
	// Resolver.
	Timeout time.Duration

	udp, tcp *dns.Server
	addr     string

	mu      sync.Mutex
	records map[string][]dns.RR // by lower-case owner name
	names   map[string]bool     // owners and their ancestors (empty non-terminals)
	faults  map[faultKey]Fault
	log     []Query          // the first maxLog queries
	counts  map[faultKey]int // queries by name and type
	closed  bool
}

// New starts a server loaded with the given zones and stops it when the test
// ends. It fails the test if a zone does not parse or the server cannot
// start.
func New(t testing.TB, zones ...string) *Server {
	t.Helper()
	s, err := Start(zones...)
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server loaded with the given zones, for programs; call
// Close to stop it. Each zone is RFC 1035 master-file text; relative names
// are relative to its $ORIGIN, or to the root when it has none.
func Start(zones ...string) (*Server, error) {
	s, err := loaded(zones)
	if err != nil {
		return nil, err
	}
	if err := s.listen(); err != nil {
		return nil, err
	}
	return s, nil
}

// loaded returns a Server holding the zones, not listening; an error
// names the zone (from 1) that does not parse.
func loaded(zones []string) (*Server, error) {
	s := newServer()
	for i, z := range zones {
		if err := s.AddZone(z); err != nil {
			return nil, fmt.Errorf("zone %d: %w", i+1, err)
		}
	}
	return s, nil
}

// newServer returns a Server holding no data, not listening.
func newServer() *Server {
	return &Server{
		records: make(map[string][]dns.RR),
		names:   map[string]bool{".": true},
		faults:  make(map[faultKey]Fault),
		counts:  make(map[faultKey]int),
	}
}

// maxLog is how many queries the log keeps; CountQueries counts every one.
// It bounds the memory of a benchmark that queries a Memory in a loop.
const maxLog = 100000

// logLocked records a query.
func (s *Server) logLocked(q Query) {
	if len(s.log) < maxLog {
		s.log = append(s.log, q)
	}
	s.counts[faultKey{q.Name, q.Type}]++
}

// listen binds UDP and TCP on the same loopback port and starts serving.
func (s *Server) listen() error {
	var lastErr error
	for attempt := 0; attempt < 20; attempt++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("listen udp: %w", err)
		}
		addr := pc.LocalAddr().String()
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			pc.Close()
			lastErr = err
			continue // the port is taken for TCP: try another one
		}
		s.addr = addr
		handler := dns.HandlerFunc(s.serveDNS)
		s.udp = &dns.Server{PacketConn: pc, Handler: handler}
		s.tcp = &dns.Server{Listener: ln, Handler: handler}
		started := make(chan struct{}, 2)
		s.udp.NotifyStartedFunc = func() { started <- struct{}{} }
		s.tcp.NotifyStartedFunc = func() { started <- struct{}{} }
		go s.udp.ActivateAndServe() //nolint:errcheck // ends with Close
		go s.tcp.ActivateAndServe() //nolint:errcheck // ends with Close
		<-started
		<-started
		return nil
	}
	return fmt.Errorf("listen tcp: %w", lastErr)
}

// Close stops the server. It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	if s.udp != nil {
		s.udp.Shutdown() //nolint:errcheck // best effort
	}
	if s.tcp != nil {
		s.tcp.Shutdown() //nolint:errcheck // best effort
	}
}

// Addr returns the server's address, "127.0.0.1:port", the same for UDP and
// TCP.
func (s *Server) Addr() string { return s.addr }

// AddZone parses RFC 1035 master-file text and adds its records. Relative
// names are relative to the text's $ORIGIN, or to the root. Records without
// a TTL get 3600.
func (s *Server) AddZone(text string) error {
	zp := dns.NewZoneParser(strings.NewReader(text), ".", "")
	zp.SetDefaultTTL(3600)
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rr := range rrs {
		s.addLocked(rr)
	}
	return nil
}

// Add adds records given one per string in master-file syntax with absolute
// names, for example "example.org. 300 IN TXT \"v=spf1 -all\"".
func (s *Server) Add(records ...string) error {
	for _, r := range records {
		rr, err := dns.NewRR(r)
		if err != nil {
			return err
		}
		if rr == nil {
			return errors.New("dnstest: empty record")
		}
		s.mu.Lock()
		s.addLocked(rr)
		s.mu.Unlock()
	}
	return nil
}

// Remove deletes every record of the given type at name (every record when
// qtype is dns.TypeNone). The name keeps existing while names below it do.
func (s *Server) Remove(name string, qtype uint16) {
	name = canonical(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.records[name][:0]
	for _, rr := range s.records[name] {
		if qtype != dns.TypeNone && rr.Header().Rrtype != qtype {
			kept = append(kept, rr)
		}
	}
	if len(kept) == 0 {
		delete(s.records, name)
	} else {
		s.records[name] = kept
	}
	s.rebuildNamesLocked()
}

func (s *Server) addLocked(rr dns.RR) {
	name := canonical(rr.Header().Name)
	rr.Header().Name = name
	s.records[name] = append(s.records[name], rr)
	for n := name; ; {
		s.names[n] = true
		if n == "." {
			break
		}
		n = parent(n)
	}
}

func (s *Server) rebuildNamesLocked() {
	s.names = map[string]bool{".": true}
	for name := range s.records {
		for n := name; n != "."; n = parent(n) {
			s.names[n] = true
		}
	}
}

// Fault makes the server simulate f for queries of name and qtype from now
// on; qtype dns.TypeNone matches every type. NoFault removes the fault.
func (s *Server) Fault(name string, qtype uint16, f Fault) {
	k := faultKey{canonical(name), qtype}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == NoFault {
		delete(s.faults, k)
		return
	}
	s.faults[k] = f
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// Queries returns a copy of the query log, oldest first (the first 100 000
// queries since the last ResetLog).
func (s *Server) Queries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Query(nil), s.log...)
}

// CountQueries returns how many logged queries asked for name and qtype
// (any type when qtype is dns.TypeNone), over UDP and TCP together.
func (s *Server) CountQueries(name string, qtype uint16) int {
	name = canonical(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if qtype != dns.TypeNone {
		return s.counts[faultKey{name, qtype}]
	}
	n := 0
	for k, c := range s.counts {
		if k.name == name {
			n += c
		}
	}
	return n
}

// ResetLog empties the query log.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
	clear(s.counts)
}

// Resolver returns a resolver that sends every query to this server (Go's
// own DNS client, PreferGo), with a per-attempt timeout of s.Timeout.
func (s *Server) Resolver() *net.Resolver {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	addr := s.addr
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return clampConn(c, timeout), nil
		},
	}
}

// canonical returns name in lower case with a trailing dot, with the
// escapes of master-file text ("\\064", "\\@") turned into the bytes they
// stand for, as names arrive from Go's resolver (which Memory serves) and
// as they travel on the wire.
func canonical(name string) string {
	name = strings.ToLower(dns.Fqdn(name))
	if strings.IndexByte(name, '\\') < 0 {
		return name
	}
	var b strings.Builder
	unescape(&b, name)
	return b.String()
}

// parent returns the name one label up: "a.b." → "b.", "b." → ".".
func parent(name string) string {
	if name == "." {
		return "."
	}
	off, end := dns.NextLabel(name, 0)
	if end {
		return "."
	}
	return name[off:]
}
