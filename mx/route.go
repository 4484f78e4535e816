package mx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
)

// goMalformedRecords is the detail of the *net.DNSError that Go's LookupMX
// returns when it dropped records whose exchange is not a valid name. With
// no records left it means "MX records exist, none usable", not a failure
// to resolve.
const goMalformedRecords = "DNS response contained records which contain invalid names"

// Route does what Lookup does and returns the whole outcome, including the
// records that were skipped. On error, Route still carries what was learned
// (the domain, skipped records).
func (r *Router) Route(ctx context.Context, domain string) (Route, error) {
	if isLiteral(domain) {
		return r.literal(domain)
	}
	name, err := NormalizeDomain(domain)
	if err != nil {
		return Route{}, err
	}
	rt := Route{Domain: name}
	res := r.resolver()
	records, err := res.LookupMX(ctx, name+".")
	switch {
	case err == nil && len(records) == 0:
		// An empty answer without error: the resolver says the name exists
		// and has no MX records (NODATA).
		return r.implicit(ctx, rt, true)
	case err != nil && len(records) == 0:
		if isNotFound(err) {
			return r.implicit(ctx, rt, false)
		}
		if isMalformed(err) {
			return rt, fmt.Errorf("%w: %s: every MX record was dropped by the resolver: %w", ErrNoUsableMX, name, err)
		}
		return rt, temporary("MX lookup", name, err)
	case err != nil:
		rt.ResolverErr = err
	}
	return r.explicit(ctx, rt, records)
}

// explicit builds the host list from MX records (RFC 5321 §5.1).
func (r *Router) explicit(ctx context.Context, rt Route, records []*net.MX) (Route, error) {
	hosts := make([]Host, 0, len(records))
	var nulls []Skipped
	for _, rec := range records {
		if rec == nil {
			continue
		}
		host, why := classifyTarget(rec.Host)
		switch {
		case errors.Is(why, ErrNullTarget):
			nulls = append(nulls, Skipped{Target: rec.Host, Preference: rec.Pref, Reason: why})
		case why != nil:
			rt.Skipped = append(rt.Skipped, Skipped{Target: rec.Host, Preference: rec.Pref, Reason: why})
		default:
			hosts = append(hosts, Host{Name: host, Preference: rec.Pref})
		}
	}
	if len(hosts) == 0 && len(rt.Skipped) == 0 && len(nulls) > 0 && rt.ResolverErr == nil {
		// RFC 7505 §3: the domain's only MX is ".". A "." alone at another
		// preference than 0 says the same thing and is read the same way.
		return rt, fmt.Errorf("%w: %s", ErrNullMX, rt.Domain)
	}
	// RFC 7505 §3: a domain with a null MX must not publish other MX
	// records; when it does, the "." is ignored and the others are used.
	rt.Skipped = append(rt.Skipped, nulls...)
	if len(hosts) == 0 {
		return rt, fmt.Errorf("%w: %s", ErrNoUsableMX, rt.Domain)
	}

	// Sort by name within a preference before shuffling, so that the order
	// depends only on Rand and not on the order of the answer (Go's
	// LookupMX already shuffles it).
	slices.SortFunc(hosts, func(a, b Host) int {
		if a.Preference != b.Preference {
			return int(a.Preference) - int(b.Preference)
		}
		return strings.Compare(a.Name, b.Name)
	})
	hosts = dedupe(&rt, hosts)
	r.shuffle(hosts)
	rt, err := r.finish(ctx, rt, hosts)
	if err == nil && r.ResolveAddrs {
		if err = noAddresses(rt); err != nil {
			rt.Hosts = nil
		}
	}
	return rt, err
}

// implicit applies RFC 5321 §5.1 when the domain has no MX records: if the
// domain exists, it is its own mail exchanger. known is true when the
// resolver already said the name exists (NODATA without error).
func (r *Router) implicit(ctx context.Context, rt Route, known bool) (Route, error) {
	host := Host{Name: rt.Domain, Preference: ImplicitPreference, Implicit: true}
	if !known || r.ResolveAddrs {
		fam := lookupAddrs(ctx, r.resolver(), rt.Domain)
		if !known && len(fam.addrs) == 0 {
			// The resolver reported "not found" for MX, A and AAAA; as
			// *net.Resolver does, it may mean NXDOMAIN or NODATA. Ask
			// whether the domain exists when the resolver can tell
			// (ExistsResolver).
			exists, decided := r.domainExists(ctx, rt.Domain)
			switch {
			case !decided && fam.failure != nil:
				// Never assume the implicit MX on a temporary failure.
				return rt, temporary("address lookup", rt.Domain, fam.failure)
			case !decided || !exists:
				// Every answer said "not found": the best evidence there is
				// that the domain does not exist.
				return rt, fmt.Errorf("%w: %s", ErrNoSuchDomain, rt.Domain)
			}
		}
		if r.ResolveAddrs {
			host.Addrs, host.Err = fam.addrs, fam.err(rt.Domain)
		}
	}
	return r.finish(ctx, rt, []Host{host})
}

// finish applies Self and MaxHosts and resolves addresses.
func (r *Router) finish(ctx context.Context, rt Route, hosts []Host) (Route, error) {
	selfNames, selfAddrs := r.self()
	hosts, err := dropSelf(&rt, hosts, func(h *Host) bool { return selfNames[h.Name] })
	if err != nil {
		return rt, err
	}
	if max := r.maxHosts(); len(hosts) > max {
		for _, h := range hosts[max:] {
			rt.Skipped = append(rt.Skipped, Skipped{Target: h.Name + ".", Preference: h.Preference, Reason: ErrTooManyHosts})
		}
		hosts = hosts[:max]
	}
	if r.ResolveAddrs {
		resolveHosts(ctx, r.resolver(), hosts)
		if len(selfAddrs) > 0 {
			hosts, err = dropSelf(&rt, hosts, func(h *Host) bool {
				for _, a := range h.Addrs {
					if selfAddrs[a] {
						return true
					}
				}
				return false
			})
			if err != nil {
				return rt, err
			}
		}
	}
	rt.Hosts = hosts
	return rt, nil
}

// isNotFound reports whether err is a definitive "no such record" answer.
func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// isMalformed reports whether err is Go's "records with invalid names were
// dropped" error.
func isMalformed(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.Err == goMalformedRecords
}

// temporary wraps a DNS failure so that it matches both ErrTemporary and
// the resolver's own error.
func temporary(what, name string, err error) error {
	return fmt.Errorf("%w: %s for %s: %w", ErrTemporary, what, name, asTemporary(name, err))
}

// asTemporary makes sure errors.As finds a *net.DNSError with IsTemporary
// set in err: Go's resolver reports REFUSED (and some other failures) with
// neither IsTemporary nor IsTimeout, a custom resolver may set only
// IsTimeout or return a plain error, and a cancelled context sets neither.
// This package treats all of them as temporary (RFC 5321 §4.5.4.1: keep
// the message queued), so it puts a *net.DNSError saying so, for the name
// that was queried, in front; the original error stays in the chain
// (DNSError.Unwrap), for errors.Is and errors.As.
func asTemporary(name string, err error) error {
	var de *net.DNSError
	if errors.As(err, &de) {
		if de.IsTemporary {
			return err
		}
		return &net.DNSError{Err: de.Err, Name: de.Name, Server: de.Server, IsTimeout: de.IsTimeout, IsTemporary: true, UnwrapErr: err}
	}
	return &net.DNSError{Err: err.Error(), Name: name, IsTimeout: errors.Is(err, context.DeadlineExceeded), IsTemporary: true, UnwrapErr: err}
}
