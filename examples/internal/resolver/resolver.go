// Package resolver builds the DNS resolver the example programs use from
// their -resolver flag, and works around one trait of Go's resolver that
// matters on loopback.
package resolver

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// DialTimeout bounds each connection to the configured DNS server.
const DialTimeout = 5 * time.Second

// Resolver is every lookup the examples make; *net.Resolver has these
// methods, and so does the value New returns. The values of New, System
// and Direct also implement mx.ExistsResolver (through mx.NetResolver), so
// package mx can tell NXDOMAIN from NODATA.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// New returns the system's resolver when addr is empty (see System).
// Otherwise it returns a resolver that sends every query to addr (checked
// by CheckAddr: host:port, or a bare IP address for port 53) with Go's own
// DNS client; see Direct.
func New(addr string) (Resolver, error) {
	addr, err := CheckAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("resolver address: %w", err)
	}
	if addr == "" {
		return System(), nil
	}
	r := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			d := net.Dialer{Timeout: DialTimeout}
			return d.DialContext(ctx, network, addr)
		},
	}
	return Direct(r, addr), nil
}
