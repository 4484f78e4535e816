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
// methods, and so does the value New returns.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// New returns net.DefaultResolver when addr is empty (the system's
// resolver). Otherwise it returns a resolver that sends every query to addr
// ("host:port"; port 53 when absent) with Go's own DNS client; see Direct.
func New(addr string) (Resolver, error) {
	if addr == "" {
		return net.DefaultResolver, nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "53")
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("resolver address %q: %w", addr, err)
		}
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

// Choose returns override when it is set (tests hand in their own
// resolver), and otherwise New(addr).
func Choose(override Resolver, addr string) (Resolver, error) {
	if override != nil {
		return override, nil
	}
	return New(addr)
}
