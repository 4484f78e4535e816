package ptr

import (
	"context"
	"net"
	"net/netip"
)

// Result is the outcome of the iprev check, with the RFC 8601 §2.7.3
// result words as values.
type Result string

// The iprev results (RFC 8601 §3).
const (
	// Pass: a name from the PTR records resolves back to the address.
	Pass Result = "pass"
	// Fail: there are PTR records, but none of the names checked resolves
	// back to the address.
	Fail Result = "fail"
	// TempError: a DNS lookup failed temporarily and no name confirmed the
	// address; a later retry may succeed.
	TempError Result = "temperror"
	// PermError: the address has no PTR records (or is not valid).
	PermError Result = "permerror"
)

// String returns the result word.
func (r Result) String() string { return string(r) }

// DefaultMaxNames is how many PTR names Verify checks when
// Verifier.MaxNames is zero. Further names are ignored, which bounds the
// forward lookups a reverse zone's owner can cause (like the limit of 10 on
// PTR names in RFC 7208 §4.6.4).
const DefaultMaxNames = 10

// Resolver is the part of *net.Resolver this package uses. net.DefaultResolver
// or any *net.Resolver fits, as does a caching or DNSSEC-validating resolver
// with the same method signatures. Failures should be *net.DNSError values:
// IsNotFound for NXDOMAIN and NODATA, IsTimeout or IsTemporary for SERVFAIL
// and timeouts.
//
// What the methods receive, for those who write their own (a cache, a
// test fake):
//
//   - LookupAddr gets the address in text form ("192.0.2.1",
//     "2001:db8::1"; an IPv4-mapped address as IPv4, never a zone), as
//     *net.Resolver expects, not the in-addr.arpa or ip6.arpa name. It
//     may answer names with or without the trailing dot.
//   - LookupNetIP gets each PTR name absolute, with a trailing dot, in
//     lower case: LookupNetIP(ctx, "ip4", "mail.example.org."). A
//     map-backed fake keyed "mail.example.org" (no dot) finds nothing, and
//     every address then fails to confirm.
//   - network is "ip4" (A records) for an IPv4 address and "ip6" (AAAA
//     records) for an IPv6 one: only the address's own family is asked,
//     never "ip".
type Resolver interface {
	LookupAddr(ctx context.Context, addr string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Verifier checks forward-confirmed reverse DNS. Its zero value is ready to
// use (net.DefaultResolver, DefaultMaxNames) and it is safe for concurrent
// use.
type Verifier struct {
	// Resolver answers the DNS queries; nil means net.DefaultResolver.
	Resolver Resolver
	// MaxNames caps how many PTR names are checked; 0 or negative means
	// DefaultMaxNames (a negative value is invalid, never "no limit").
	MaxNames int
}

// Verdict is the outcome of Verify.
type Verdict struct {
	// Result is the iprev result.
	Result Result
	// Names are the PTR names that resolve back to the address (the
	// confirmed names), lower case without the trailing dot, in the order
	// of the PTR answer. Empty unless Result is Pass.
	Names []string
	// IP is the address checked, with an IPv4-mapped IPv6 address unmapped
	// and any zone removed.
	IP netip.Addr
	// Checked are the PTR names whose forward lookup was made (at most
	// MaxNames), in the order of the PTR answer.
	Checked []string
	// Err says why Result is TempError or PermError, nil otherwise: the
	// same error Verify returns. It wraps ErrTemporary (and a
	// *net.DNSError with IsTemporary) for a temporary DNS failure.
	Err error
	// ResolverErr is an error the resolver returned together with usable
	// PTR names. Go's LookupAddr does so when it dropped names that are not
	// valid domain names; the names it kept are checked.
	ResolverErr error
}

// Verify checks ip with a zero Verifier: see Verifier.Verify.
func Verify(ctx context.Context, ip netip.Addr) (Verdict, error) {
	var v Verifier
	return v.Verify(ctx, ip)
}

func (v *Verifier) resolver() Resolver {
	if v.Resolver == nil {
		return net.DefaultResolver
	}
	return v.Resolver
}

func (v *Verifier) maxNames() int {
	if v.MaxNames <= 0 {
		return DefaultMaxNames
	}
	return v.MaxNames
}
