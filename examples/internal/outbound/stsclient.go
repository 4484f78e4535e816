package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/mx/mtasts"
)

// MTASTSClient returns an mtasts.Client whose lookups go through res: the
// _mta-sts TXT records, and the address of each policy host
// (mta-sts.<domain>), so that the examples' -resolver flag and the demo's
// zone decide where a policy is fetched from. The policy host's
// certificate is checked against roots (nil: the system's). httpsPorts
// overrides port 443 per policy host name (the demo serves its policies
// on loopback at a port of its own); nil for real use.
func MTASTSClient(res resolver.Resolver, roots *x509.CertPool, httpsPorts map[string]int) *mtasts.Client {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if p, ok := httpsPorts[normalize(host)]; ok {
			port = strconv.Itoa(p)
		}
		ips, err := res.LookupNetIP(ctx, "ip", host+".")
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, errors.New("no address for " + host)
		}
		var d net.Dialer
		var errs []error
		for _, ip := range ips {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return c, nil
			}
			errs = append(errs, err)
		}
		return nil, errors.Join(errs...)
	}
	tr := &http.Transport{
		DialContext:         dial,
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 30 * time.Second,
		MaxIdleConns:        10,
		IdleConnTimeout:     30 * time.Second,
	}
	return &mtasts.Client{Resolver: res, HTTPClient: &http.Client{Transport: tr, Timeout: mtasts.DefaultFetchTimeout}}
}
