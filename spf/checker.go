package spf

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Resolver is the DNS interface the Checker needs. Its methods have the
// signatures of *net.Resolver, so net.DefaultResolver, a *net.Resolver
// pointed at a local cache, or any caching or validating resolver of the
// same shape plugs in. Errors are read as *net.DNSError: IsNotFound means
// NXDOMAIN or NODATA; anything else is a temporary failure. An empty
// answer without an error also means "no records".
//
// LookupTXT must return one string per TXT record, with the record's
// character-strings already joined without separators (RFC 7208 §3.3), as
// *net.Resolver does: several strings are several records, so a resolver
// that returned the pieces of one long record separately would make it
// look like several (and break it).
//
// What the methods receive, for those who write their own (a cache, a
// test fake):
//
//   - LookupTXT, LookupMX and LookupNetIP get names absolute, with a
//     trailing dot, in ASCII lower case: LookupTXT(ctx, "example.org.").
//     A map-backed fake keyed "example.org" (no dot) finds nothing, and
//     every check then gives none.
//   - network is "ip4" (A records) or "ip6" (AAAA records), never "ip":
//     "a", "mx" and "ptr" ask for the client address's own family only,
//     "exists" always asks "ip4" (RFC 7208 §5.7).
//   - LookupAddr gets the client address in text form ("192.0.2.1",
//     "2001:db8::1"; an IPv4-mapped address as IPv4), as *net.Resolver
//     expects, not the in-addr.arpa or ip6.arpa name. It may answer names
//     with or without the trailing dot.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Defaults used for zero Checker fields.
const (
	// DefaultMaxLookups is the limit on DNS-querying terms (include, a, mx,
	// ptr, exists, redirect) across one evaluation (RFC 7208 §4.6.4).
	DefaultMaxLookups = 10
	// DefaultMaxVoidLookups is the limit on terms whose lookup returns
	// no records (RFC 7208 §4.6.4).
	DefaultMaxVoidLookups = 2
	// DefaultTimeout bounds one whole evaluation (RFC 7208 §4.6.4: "at
	// least 20 seconds").
	DefaultTimeout = 20 * time.Second
)

// Checker evaluates SPF (RFC 7208). The zero value is ready to use: it
// queries net.DefaultResolver with the RFC's limits. A Checker is safe for
// concurrent use.
type Checker struct {
	Resolver Resolver // nil: net.DefaultResolver
	Receiver string   // this host's name, the "r" macro; "unknown" when empty
	// MaxLookups limits the DNS-querying terms of one evaluation; 0 or
	// negative: DefaultMaxLookups. RFC 7208 §4.6.4 requires a limit, so
	// there is no way to switch it off; a larger value raises it.
	MaxLookups int
	// MaxVoidLookups limits the terms whose lookup finds no records; 0 or
	// negative: DefaultMaxVoidLookups (as MaxLookups: a negative value is
	// invalid and means the default, never "no limit").
	MaxVoidLookups int
	// Timeout bounds one evaluation on top of the caller's context; 0:
	// DefaultTimeout; negative: only the context's deadline applies.
	Timeout time.Duration
	// DefaultExplanation is a macro-string (RFC 7208 §6.2 explain-string)
	// used as the explanation of a Fail when the domain gives none, for
	// example "%{d} does not allow mail from %{i}". Empty: none.
	DefaultExplanation string
	// Now gives the time for the "t" macro; nil: time.Now.
	Now func() time.Time
}

// Check evaluates the MAIL FROM identity (RFC 7208 §2.4): mailFrom is the
// reverse-path, with or without angle brackets; when it is empty the
// identity is postmaster@helo. ip is the SMTP client's address
// (IPv4-mapped IPv6 addresses are treated as IPv4). The error is non-nil
// exactly when the Result is TempError or PermError, and says why.
func (c *Checker) Check(ctx context.Context, ip netip.Addr, helo, mailFrom string) (Verdict, error) {
	mailFrom = strings.TrimSpace(mailFrom)
	if len(mailFrom) >= 2 && mailFrom[0] == '<' && mailFrom[len(mailFrom)-1] == '>' {
		mailFrom = mailFrom[1 : len(mailFrom)-1]
	}
	if mailFrom == "" {
		return c.check(ctx, ip, helo, "postmaster", helo, "", IdentityMailFrom)
	}
	local, domain, sender := "postmaster", mailFrom, ""
	if i := strings.LastIndexByte(mailFrom, '@'); i >= 0 {
		domain = mailFrom[i+1:]
		if i > 0 {
			local, sender = mailFrom[:i], mailFrom
		}
	}
	return c.check(ctx, ip, helo, local, domain, sender, IdentityMailFrom)
}

// CheckHELO evaluates the HELO identity (RFC 7208 §2.3): <domain> is helo
// and <sender> is postmaster@helo.
func (c *Checker) CheckHELO(ctx context.Context, ip netip.Addr, helo string) (Verdict, error) {
	return c.check(ctx, ip, helo, "postmaster", helo, "", IdentityHELO)
}

func (c *Checker) check(ctx context.Context, ip netip.Addr, helo, local, domain, sender string, id Identity) (Verdict, error) {
	v := Verdict{Identity: id, ClientIP: ip, HELO: helo, Domain: domain, Receiver: c.Receiver}
	if !ip.IsValid() {
		v.Result, v.Err, v.Problem = PermError, ErrInvalidIP, ErrInvalidIP.Error()
		return v, ErrInvalidIP
	}
	ip = ip.Unmap().WithZone("")
	v.ClientIP = ip

	d, ok := identityDomain(domain)
	e := evaluator{
		r:            c.Resolver,
		ip:           ip,
		local:        local,
		senderDomain: d,
		senderAddr:   sender,
		helo:         helo,
		receiver:     c.Receiver,
		now:          c.Now,
		maxLookups:   c.MaxLookups,
		maxVoid:      c.MaxVoidLookups,
	}
	for i := 0; i < len(local); i++ {
		if local[i] >= 0x80 {
			e.localNonASCII = true
			break
		}
	}
	if !ok {
		// RFC 7208 §4.3: a malformed or single-label domain gives "none".
		v.Sender = e.senderOr(domain)
		v.Result = None
		return v, nil
	}
	if d != domain {
		e.senderAddr = "" // rebuilt from the A-label form when needed
	}
	v.Sender = e.senderOr(domain)
	if e.r == nil {
		e.r = net.DefaultResolver
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.maxLookups <= 0 {
		e.maxLookups = DefaultMaxLookups
	}
	if e.maxVoid <= 0 {
		e.maxVoid = DefaultMaxVoidLookups
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if timeout > 0 {
		deadline := time.Now().Add(timeout)
		if cur, ok := ctx.Deadline(); !ok || cur.After(deadline) {
			e.ec = newEvalContext(ctx, deadline)
			defer e.ec.release()
			ctx = e.ec
		}
	}
	e.ctx = ctx

	r := e.checkHost(d, nil, 0)
	v.Result, v.Domain, v.Mechanism = r.result, r.domain, r.mech
	v.Lookups, v.VoidLookups = e.lookups, e.voids
	if r.result == Fail {
		if r.hasExp {
			v.Explanation = e.explain(r.exp, r.domain)
		}
		if v.Explanation == "" && c.DefaultExplanation != "" {
			v.Explanation = e.expandExplanation(c.DefaultExplanation, r.domain)
		}
	}
	if r.err != nil {
		v.Err, v.Problem = r.err, r.err.Error()
		return v, r.err
	}
	if r.result == TempError || r.result == PermError {
		// Cannot happen; keep the contract anyway.
		err := fmt.Errorf("%w: %s without a cause", ErrTemporary, r.result)
		v.Err, v.Problem = err, err.Error()
		return v, err
	}
	return v, nil
}

// senderOr returns <sender> for the Verdict: the address as given when it
// had a local-part, else postmaster@domain.
func (e *evaluator) senderOr(domain string) string {
	if e.senderAddr != "" {
		return e.senderAddr
	}
	return e.local + "@" + domain
}
