// Package stshost serves MTA-STS policies over HTTPS on loopback, as
// https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 §3.3), for the
// offline demo and the tests. Its certificate comes from a CA of theirs
// (tlscert.CA), which the fetching client trusts in place of the WebPKI.
package stshost

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/tlscert"
	"github.com/mailsmith/mailsmith/mx/mtasts"
)

// Server is a running policy host.
type Server struct {
	// Port is the port on 127.0.0.1 it listens on.
	Port int

	srv      *http.Server
	policies map[string]string // policy host name → policy text
	mu       sync.Mutex
	fetches  map[string]int
}

// Start serves the policies, by recipient domain, on 127.0.0.1 with a
// certificate from ca for every mta-sts.<domain>.
func Start(ca *tlscert.CA, policies map[string]*mtasts.Policy) (*Server, error) {
	s := &Server{policies: map[string]string{}, fetches: map[string]int{}}
	var names []string
	for d, p := range policies {
		host := "mta-sts." + strings.ToLower(strings.TrimSuffix(d, "."))
		s.policies[host] = p.String()
		names = append(names, host)
	}
	if len(names) == 0 {
		return nil, errors.New("stshost: no policies")
	}
	cert, err := ca.Issue(time.Time{}, names...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go s.srv.ServeTLS(ln, "", "") //nolint:errcheck // ends with Close
	return s, nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	host = strings.ToLower(host)
	text, ok := s.policies[host]
	if !ok || r.URL.Path != "/.well-known/mta-sts.txt" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.fetches[host]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(text))
}

// Fetches returns how many times the policy of domain was fetched.
func (s *Server) Fetches(domain string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches["mta-sts."+domain]
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }
