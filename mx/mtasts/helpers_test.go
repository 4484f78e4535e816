package mtasts_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// policyServer is an HTTPS server on loopback answering every request with
// the status, media type and body it is set to.
type policyServer struct {
	srv *httptest.Server

	mu       sync.Mutex
	status   int
	ctype    string
	location string
	body     []byte
	hits     int
	hosts    []string // Host header of each request
}

func newPolicyServer(t testing.TB, cert tls.Certificate) *policyServer {
	t.Helper()
	ps := &policyServer{status: 200, ctype: "text/plain"}
	ps.srv = httptest.NewUnstartedServer(http.HandlerFunc(ps.serve))
	ps.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ps.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	ps.srv.StartTLS()
	t.Cleanup(ps.srv.Close)
	return ps
}

func (ps *policyServer) serve(w http.ResponseWriter, r *http.Request) {
	ps.mu.Lock()
	ps.hits++
	ps.hosts = append(ps.hosts, r.Host)
	status, ctype, loc, body := ps.status, ps.ctype, ps.location, ps.body
	ps.mu.Unlock()
	if r.URL.Path != "/.well-known/mta-sts.txt" {
		http.NotFound(w, r)
		return
	}
	if ctype != "" {
		w.Header().Set("Content-Type", ctype)
	}
	if loc != "" {
		w.Header().Set("Location", loc)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (ps *policyServer) set(status int, ctype, body string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.status, ps.ctype, ps.body, ps.location = status, ctype, []byte(body), ""
}

func (ps *policyServer) count() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.hits
}

// dialingClient returns an HTTP client that trusts only pool and connects
// every host name to addr (the loopback test server), except the names in
// notFound, for which dialling fails as DNS would ("no such host"). This is
// the test seam: the policy URL and the TLS server name stay those of the
// real policy host.
func dialingClient(pool *x509.CertPool, addr string, notFound ...string) *http.Client {
	var d net.Dialer
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(address)
			for _, n := range notFound {
				if strings.EqualFold(host, n) {
					return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
				}
			}
			return d.DialContext(ctx, "tcp", addr)
		},
		DisableKeepAlives: true,
	}
	return &http.Client{Transport: tr}
}
