package mtasts_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx"
	"github.com/mailsmith/mailsmith/mx/mtasts"
)

// The recipient domains of the end-to-end delivery test, one per case.
const (
	deEnforce  = "enforce.example"  // policy in mode enforce
	deTesting  = "testing.example"  // policy in mode testing
	deNone     = "none.example"     // policy in mode none
	deNoPolicy = "nopolicy.example" // no _mta-sts record
)

// deMXPattern is the one mx pattern of the enforce and testing policies:
// every host of deHosts matches it except backup.other.example.
const deMXPattern = "*.mail.example.net"

// deGoodHost is the one MX host that meets the policy.
const deGoodHost = "good.mail.example.net"

// deHosts are the MX hosts every recipient domain lists, in MX preference
// order. The host outside the policy comes first, so that only the policy
// keeps an MTA from trying it first.
var deHosts = []struct {
	name string
	pref uint16
	kind deKind
}{
	{"backup.other.example", 5, deGood},
	{"self-signed.mail.example.net", 10, deSelfSigned},
	{"wrong-name.mail.example.net", 20, deWrongName},
	{"expired.mail.example.net", 30, deExpired},
	{"no-starttls.mail.example.net", 40, deNoSTARTTLS},
	{"broken-tls.mail.example.net", 45, deBrokenTLS},
	{deGoodHost, 50, deGood},
}

// deWorld is everything on loopback the delivery test needs: a DNS server
// with the MX, A and _mta-sts TXT records, an HTTPS server with the
// policies (certificate from the test CA), and one SMTP server per MX
// host. Every name resolves to 127.0.0.1; each server has its own runtime
// port, which the test's dialers add to the address DNS gave.
type deWorld struct {
	ca     *testcert.Cert
	dns    *dnstest.Server
	mx     map[string]*deMX
	policy *dePolicyServer
	sts    *mtasts.Client
	router *mx.Router
}

// dePolicyText returns the policy text for mode.
func dePolicyText(mode mtasts.Mode) string {
	if mode == mtasts.ModeNone {
		return "version: STSv1\nmode: none\nmax_age: 86400\n"
	}
	return "version: STSv1\nmode: " + string(mode) + "\nmx: " + deMXPattern + "\nmax_age: 86400\n"
}

func newDeWorld(t *testing.T) *deWorld {
	t.Helper()
	w := &deWorld{ca: testcert.NewCA(t, "mailsmith test CA"), mx: map[string]*deMX{}}
	var zone strings.Builder
	for _, h := range deHosts {
		w.mx[h.name] = newDeMX(t, w.ca, h.name, h.pref, h.kind)
		fmt.Fprintf(&zone, "%s. 300 IN A 127.0.0.1\n", h.name)
	}
	policies := map[string]string{
		"mta-sts." + deEnforce: dePolicyText(mtasts.ModeEnforce),
		"mta-sts." + deTesting: dePolicyText(mtasts.ModeTesting),
		"mta-sts." + deNone:    dePolicyText(mtasts.ModeNone),
	}
	for _, d := range []string{deEnforce, deTesting, deNone, deNoPolicy} {
		for _, h := range deHosts {
			fmt.Fprintf(&zone, "%s. 300 IN MX %d %s.\n", d, h.pref, h.name)
		}
		if _, ok := policies["mta-sts."+d]; ok {
			fmt.Fprintf(&zone, "_mta-sts.%s. 300 IN TXT \"v=STSv1; id=20261207T000000;\"\n", d)
			fmt.Fprintf(&zone, "mta-sts.%s. 300 IN A 127.0.0.1\n", d)
		}
	}
	w.dns = dnstest.New(t, zone.String())
	var names []string
	for n := range policies {
		names = append(names, n)
	}
	w.policy = newDePolicyServer(t, w.ca.Valid(t, names...), policies)
	w.sts = &mtasts.Client{Resolver: w.dns.Resolver(), HTTPClient: w.policy.client(w)}
	w.router = &mx.Router{Resolver: w.dns.Resolver(), ResolveAddrs: true}
	return w
}

// dialAddr resolves host through the test DNS and returns its first IPv4
// address with port: how the policy fetch reaches its server.
func (w *deWorld) dialAddr(ctx context.Context, host string, port int) (string, error) {
	addrs, err := w.dns.Resolver().LookupNetIP(ctx, "ip4", strings.TrimSuffix(host, ".")+".")
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(addrs[0].String(), strconv.Itoa(port)), nil
}

// conns returns the number of connections each MX server has accepted.
func (w *deWorld) conns() map[string]int64 {
	c := map[string]int64{}
	for n, m := range w.mx {
		c[n] = m.conns.Load()
	}
	return c
}

// dePolicyServer is one HTTPS server on loopback serving the policy of
// each policy host (chosen by the Host header) with a certificate from
// the test CA valid for all of them.
type dePolicyServer struct {
	srv      *httptest.Server
	policies map[string]string

	mu   sync.Mutex
	hits map[string]int
}

func newDePolicyServer(t *testing.T, cert tls.Certificate, policies map[string]string) *dePolicyServer {
	t.Helper()
	ps := &dePolicyServer{policies: policies, hits: map[string]int{}}
	ps.srv = httptest.NewUnstartedServer(http.HandlerFunc(ps.serve))
	ps.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ps.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	ps.srv.StartTLS()
	t.Cleanup(ps.srv.Close)
	return ps
}

func (ps *dePolicyServer) serve(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	ps.mu.Lock()
	ps.hits[host]++
	ps.mu.Unlock()
	body, ok := ps.policies[host]
	if !ok || r.URL.Path != "/.well-known/mta-sts.txt" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, body)
}

// fetches returns how many requests the server had for host.
func (ps *dePolicyServer) fetches(host string) int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.hits[host]
}

// client returns the HTTP client the MTA-STS client fetches with: it
// trusts only the test CA, resolves the policy host through the test DNS
// and connects to this server's port on the address found.
func (ps *dePolicyServer) client(w *deWorld) *http.Client {
	port := ps.srv.Listener.Addr().(*net.TCPAddr).Port
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: w.ca.Pool()},
		DialContext: func(ctx context.Context, _, address string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return nil, err
			}
			addr, err := w.dialAddr(ctx, host, port)
			if err != nil {
				return nil, err
			}
			return d.DialContext(ctx, "tcp", addr)
		},
		DisableKeepAlives: true,
	}}
}
