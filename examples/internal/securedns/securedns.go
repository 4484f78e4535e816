// Package securedns is a stand-in for a validating resolver, for the
// offline demo and tests only: a dane.Resolver that asks a DNS server
// (the demo's zone on loopback) and calls an answer secure when its name
// lies in one of the zones it is told are signed.
//
// DANE (RFC 7672) needs to know that an answer was validated by DNSSEC.
// In production that is a validating resolver on the same host (Unbound,
// BIND, Knot Resolver, systemd-resolved with DNSSEC=yes) and
// dane.DNSResolver, which trusts its AD bit; the zones must be signed and
// their DS records published in the parent. The demo's zone is not
// signed and has no parent, so nothing could validate it: this package
// plays the validator's part by fiat. Never use it with real DNS.
package securedns

import (
	"context"
	"net"
	"net/netip"
	"strings"

	"github.com/mailsmith/mailsmith/mx/dane"
)

// Resolver is a dane.Resolver over a plain DNS server whose answers for
// names in Signed count as secure.
type Resolver struct {
	dns    *dane.DNSResolver
	signed []string
}

// New returns a Resolver asking the server at addr (host:port) and
// treating the zones in signed (for example "example.net") as signed and
// validated.
func New(addr string, signed ...string) *Resolver {
	r := &Resolver{dns: &dane.DNSResolver{Servers: []string{addr}}}
	for _, z := range signed {
		r.signed = append(r.signed, strings.ToLower(strings.TrimSuffix(z, "."))+".")
	}
	return r
}

// secure says whether name lies in a signed zone.
func (r *Resolver) secure(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, ".")) + "."
	for _, z := range r.signed {
		if name == z || strings.HasSuffix(name, "."+z) {
			return true
		}
	}
	return false
}

// LookupMX implements dane.Resolver.
func (r *Resolver) LookupMX(ctx context.Context, name string) ([]*net.MX, bool, error) {
	mxs, _, err := r.dns.LookupMX(ctx, name)
	return mxs, r.secure(name), err
}

// LookupNetIP implements dane.Resolver.
func (r *Resolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, bool, error) {
	addrs, _, err := r.dns.LookupNetIP(ctx, network, host)
	return addrs, r.secure(host), err
}

// LookupCNAME implements dane.Resolver.
func (r *Resolver) LookupCNAME(ctx context.Context, name string) (string, bool, error) {
	target, _, err := r.dns.LookupCNAME(ctx, name)
	return target, r.secure(name), err
}

// LookupTLSA implements dane.Resolver.
func (r *Resolver) LookupTLSA(ctx context.Context, name string) ([]dane.Record, bool, error) {
	recs, _, err := r.dns.LookupTLSA(ctx, name)
	return recs, r.secure(name), err
}
