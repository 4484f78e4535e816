package mx

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
)

// DefaultMaxHosts is the number of MX hosts a Router keeps when
// Router.MaxHosts is zero. Records beyond it are reported in Route.Skipped
// with ErrTooManyHosts. It bounds the address lookups an attacker's MX set
// can cause.
const DefaultMaxHosts = 64

// ImplicitPreference is the preference of the implicit MX (RFC 5321 §5.1).
const ImplicitPreference = 0

// Resolver is the part of *net.Resolver this package uses. net.DefaultResolver
// or any *net.Resolver fits, as does a caching or DNSSEC-validating resolver
// with the same method signatures. Failures should be *net.DNSError values:
// IsNotFound for NXDOMAIN and NODATA, IsTimeout or IsTemporary for SERVFAIL
// and timeouts.
//
// What the methods receive, for those who write their own (a cache, a
// test fake):
//
//   - Names arrive absolute, with a trailing dot, in lower-case A-labels:
//     LookupMX(ctx, "example.org."), LookupNetIP(ctx, "ip4",
//     "mx1.example.org."). A map-backed fake keyed "example.org" (no dot)
//     finds nothing, and Lookup then reports ErrNoSuchDomain.
//   - network is "ip4" for the A records and "ip6" for the AAAA records,
//     asked separately (at the same time); never "ip".
//   - LookupNetIP is called only with Router.ResolveAddrs, or to learn
//     whether a domain without MX records exists (implicit MX).
//
// An empty answer with a nil error is read as NODATA (the name exists).
//
// What the plain interface can and cannot tell: a *net.Resolver reports
// NXDOMAIN (no such domain) and NODATA (the name exists, without records of
// that type) as the same IsNotFound error. For a domain with MX records, or
// with an A or AAAA record, that does not matter. For a domain that has
// none of them it does: RFC 5321 §5.1 makes an existing domain its own
// (implicit) mail exchanger, a missing one gets ErrNoSuchDomain. With only
// these two methods, and a resolver that reports NODATA as an error, such
// a domain reads as ErrNoSuchDomain. A resolver that can tell implements
// the optional ExistsResolver; NetResolver wraps a *net.Resolver to do so.
// Lookup never looks at the concrete type of the Resolver.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Host is one mail exchanger to try, in the order Lookup returns them.
type Host struct {
	// Name is the host name in lower-case A-labels, without a trailing dot
	// (for an address literal, see Literal).
	Name string
	// Preference is the MX preference; lower is tried first.
	Preference uint16
	// Addrs holds the host's addresses, A records first and then AAAA, each
	// in the order the resolver returned them. It is filled only when
	// Router.ResolveAddrs is set.
	Addrs []netip.Addr
	// Implicit is true when the domain has no MX records and this host is
	// the domain itself (RFC 5321 §5.1 implicit MX, preference 0).
	Implicit bool
	// Literal is true when the domain given to Lookup was an address
	// literal ("[192.0.2.1]", "[IPv6:2001:db8::1]", RFC 5321 §4.1.3): the
	// address is its own route, found without DNS. The Host is then the
	// only one, Name is the literal in canonical form (brackets included:
	// not a name to look up), Preference is 0 and Addrs holds the address,
	// whether or not Router.ResolveAddrs is set.
	Literal bool
	// Err says why address resolution failed for this host (only with
	// Router.ResolveAddrs): ErrNoAddresses when it has neither A nor AAAA
	// records, an error wrapping ErrTemporary (and the *net.DNSError) when a
	// lookup failed. Addrs may still hold what the other lookup found. A
	// failure on one host does not fail the Lookup as long as another
	// host has an address; when none has, Lookup fails instead (see
	// Router.Lookup) and no Host is returned.
	Err error
}

// Router finds the mail exchangers for a domain. Its zero value is ready to
// use: net.DefaultResolver (as a NetResolver), no address resolution, a random order among
// equal preferences. A Router is safe for concurrent use when Rand is nil
// (a *rand.Rand is not safe for concurrent use).
type Router struct {
	// Resolver answers the DNS queries; nil means a NetResolver over
	// net.DefaultResolver (which can tell NXDOMAIN from NODATA).
	Resolver Resolver
	// ResolveAddrs fills Host.Addrs with the A and AAAA records of every
	// host.
	ResolveAddrs bool
	// Rand shuffles hosts of equal preference (RFC 5321 §5.1: "randomized
	// to spread the load"); nil means the math/rand/v2 global source.
	Rand *rand.Rand
	// Self lists this host's own names (and, optionally, IP addresses).
	// When one of them is an MX of the domain, records at or above its
	// preference are dropped (RFC 5321 §5.1), and if none is left Lookup
	// fails with ErrSelfIsBest. IP addresses match against Host.Addrs and
	// so take effect only with ResolveAddrs.
	Self []string
	// MaxHosts caps the number of hosts kept; 0 or negative means
	// DefaultMaxHosts (a negative value is invalid, never "no limit").
	MaxHosts int
}

// Route is the full outcome of a lookup: the hosts to try and what was left
// out on the way.
type Route struct {
	// Domain is the domain looked up, in lower-case A-labels without a
	// trailing dot.
	Domain string
	// Hosts are the mail exchangers in the order to try them.
	Hosts []Host
	// Skipped lists the MX records that were not used, and why.
	Skipped []Skipped
	// ResolverErr is an error the resolver returned together with usable
	// records. Go's LookupMX does so when it dropped records whose exchange
	// is not a valid name ("DNS response contained records which contain
	// invalid names"); the records it kept are used.
	ResolverErr error
}

// Skipped is an MX record that Lookup did not turn into a Host.
type Skipped struct {
	// Target is the exchange with its trailing dot: as published when the
	// target itself was the problem, in lower-case A-labels otherwise.
	Target string
	// Preference is the record's preference.
	Preference uint16
	// Reason is one of ErrIPLiteral, ErrInvalidTarget, ErrNullTarget,
	// ErrDuplicate, ErrNotBelowSelf or ErrTooManyHosts.
	Reason error
}

// Lookup returns the mail exchangers for domain with a zero Router: see
// Router.Lookup.
func Lookup(ctx context.Context, domain string) ([]Host, error) {
	var r Router
	return r.Lookup(ctx, domain)
}

// Lookup returns the mail exchangers for domain in the order to try them
// (RFC 5321 §5.1): by ascending preference, equal preferences shuffled.
// domain may be a U-label name (it is converted to A-labels) and may end
// with a dot.
//
// A domain written as an address literal ("[192.0.2.1]",
// "[IPv6:2001:db8::1]", RFC 5321 §4.1.3) is its own route: Lookup makes
// no DNS query and returns one Host with Literal set and the address in
// Addrs. A malformed literal ("[300.1.1.1]", "[IPv6:192.0.2.1]", a missing
// "]"), or a General-address-literal ("[tag:...]"), gives ErrInvalidDomain;
// a literal whose address is in Self gives ErrSelfIsBest.
//
// When the domain has no MX records but exists, Lookup returns the implicit
// MX: the domain itself with preference 0 and Implicit set. It fails with
// ErrNullMX for a null MX (RFC 7505), ErrNoSuchDomain when the domain does
// not exist, ErrNoUsableMX when MX records exist but none names a usable
// host, ErrSelfIsBest when Self is the best MX, ErrInvalidDomain for a bad
// name, and an error wrapping ErrTemporary and the resolver's *net.DNSError
// on SERVFAIL, timeouts and other DNS failures.
//
// With ResolveAddrs, MX hosts none of which has an address are not usable
// either (RFC 5321 §5.1): when every host's A and AAAA lookups answer "not
// found" (NXDOMAIN or NODATA), Lookup fails with ErrNoUsableMX; when at
// least one of those lookups failed temporarily, it fails with an error
// wrapping ErrTemporary and the *net.DNSError, as the host may yet have an
// address. Both errors wrap every host's Err. The implicit MX is not
// subject to this rule: a domain that exists without MX or address records
// gives its Host with ErrNoAddresses in Err.
//
// Use Route to also see the records that were skipped.
func (r *Router) Lookup(ctx context.Context, domain string) ([]Host, error) {
	rt, err := r.Route(ctx, domain)
	return rt.Hosts, err
}

// defaultResolver serves Routers whose Resolver is nil.
var defaultResolver = &NetResolver{}

func (r *Router) resolver() Resolver {
	if r.Resolver == nil {
		return defaultResolver
	}
	return r.Resolver
}

func (r *Router) maxHosts() int {
	if r.MaxHosts <= 0 {
		return DefaultMaxHosts
	}
	return r.MaxHosts
}
