package ptr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// goMalformedRecords is the detail of the *net.DNSError that Go's
// LookupAddr returns when it dropped PTR names that are not valid domain
// names.
const goMalformedRecords = "DNS response contained records which contain invalid names"

// Verify performs the iprev check of RFC 8601 §3 ("forward-confirmed
// reverse DNS", RFC 1912 §2.1): it looks up the PTR names of ip, then the
// addresses of each name in ip's own family (A for IPv4, AAAA for IPv6),
// and passes when a name's addresses include ip. An IPv4-mapped IPv6
// address is checked as the IPv4 address.
//
// At most MaxNames names are checked. Results combine as follows:
//   - pass when any checked name confirms the address, even if lookups for
//     other names failed: Verdict.Names lists every confirmed name;
//   - otherwise temperror when any lookup failed temporarily (SERVFAIL,
//     timeout, REFUSED, network error), as the failed name might have
//     confirmed it;
//   - otherwise fail (forward lookups answered, none with the address, or
//     the PTR records hold no usable name);
//   - permerror when the PTR lookup finds no records (NXDOMAIN or NODATA,
//     which a resolver may also give as an empty answer without error),
//     and for an invalid ip.
//
// The error is non-nil exactly when Result is TempError or PermError, and
// says why (Verdict.Err holds the same error); it wraps ErrTemporary, ErrNoPTR or ErrInvalidIP. A temperror
// error also wraps the resolver's own error, and errors.As finds in it a
// *net.DNSError with IsTemporary set (Go reports REFUSED without the flag,
// so one saying so is put in front of the resolver's).
func (v *Verifier) Verify(ctx context.Context, ip netip.Addr) (Verdict, error) {
	vd, err := v.verify(ctx, ip)
	vd.Err = err
	return vd, err
}

func (v *Verifier) verify(ctx context.Context, ip netip.Addr) (Verdict, error) {
	if !ip.IsValid() {
		return Verdict{Result: PermError}, fmt.Errorf("%w: the zero address", ErrInvalidIP)
	}
	ip = ip.Unmap().WithZone("")
	vd := Verdict{IP: ip}
	res := v.resolver()

	ptrs, err := res.LookupAddr(ctx, ip.String())
	if err != nil && len(ptrs) == 0 {
		switch {
		case isNotFound(err):
			vd.Result = PermError
			return vd, fmt.Errorf("%w: %s (%s): %w", ErrNoPTR, ip, ReverseName(ip), err)
		case isMalformed(err):
			// PTR records exist, but none holds a valid name: nothing
			// can confirm the address.
			vd.Result, vd.ResolverErr = Fail, err
			return vd, nil
		}
		vd.Result = TempError
		return vd, fmt.Errorf("%w: PTR lookup for %s (%s): %w", ErrTemporary, ip, ReverseName(ip), asTemporary(err))
	}
	if err == nil && len(ptrs) == 0 {
		// An empty answer without error is how a resolver may say NODATA:
		// no PTR data published, permerror as for NXDOMAIN (RFC 8601 §3).
		vd.Result = PermError
		return vd, fmt.Errorf("%w: %s (%s): empty answer", ErrNoPTR, ip, ReverseName(ip))
	}
	vd.ResolverErr = err

	vd.Checked = candidates(ptrs, v.maxNames())
	if len(vd.Checked) == 0 {
		vd.Result = Fail
		return vd, nil
	}
	confirmed, failure := confirm(ctx, res, ip, vd.Checked)
	for i, name := range vd.Checked {
		if confirmed[i] {
			vd.Names = append(vd.Names, name)
		}
	}
	switch {
	case len(vd.Names) > 0:
		vd.Result = Pass
		return vd, nil
	case failure != nil:
		vd.Result = TempError
		return vd, failure
	}
	vd.Result = Fail
	return vd, nil
}

// candidates turns PTR targets into the names to check: lower case without
// the trailing dot, duplicates and non-names (empty, IP literals) removed,
// at most max of them.
func candidates(ptrs []string, max int) []string {
	out := make([]string, 0, min(len(ptrs), max))
	for _, p := range ptrs {
		if len(out) == max {
			break
		}
		name := strings.ToLower(strings.TrimSuffix(p, "."))
		if name == "" || len(name) > maxNameLen || strings.ContainsAny(name, " \t\r\n") {
			continue
		}
		// A PTR pointing at an address literal is no name: it must not be
		// "confirmed" by a resolver that parses literals.
		if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
			continue
		}
		dup := false
		for _, seen := range out {
			if seen == name {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// maxParallelLookups bounds how many forward lookups run at the same time.
const maxParallelLookups = 10

// maxNameLen is the longest domain name in text form (RFC 1035 §2.3.4).
const maxNameLen = 253

// confirm looks up every name in ip's family, all at once, and reports which
// ones resolve to ip, plus the first temporary failure among the others.
func confirm(ctx context.Context, res Resolver, ip netip.Addr, names []string) ([]bool, error) {
	network := "ip6"
	if ip.Is4() {
		network = "ip4"
	}
	confirmed := make([]bool, len(names))
	failures := make([]error, len(names))
	check := func(i int, name string) {
		addrs, err := res.LookupNetIP(ctx, network, name+".")
		for _, a := range addrs {
			if a.Unmap().WithZone("") == ip {
				confirmed[i] = true
				return
			}
		}
		if err != nil && !isNotFound(err) {
			failures[i] = fmt.Errorf("%w: forward lookup of %s (%s): %w", ErrTemporary, name, network, asTemporary(err))
		}
	}
	if len(names) == 1 {
		check(0, names[0]) // the common case needs no goroutine
		return confirmed, failures[0]
	}
	sem := make(chan struct{}, maxParallelLookups)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			check(i, name)
		}()
	}
	wg.Wait()
	for _, f := range failures {
		if f != nil {
			return confirmed, f
		}
	}
	return confirmed, nil
}

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

func isMalformed(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.Err == goMalformedRecords
}

// asTemporary makes sure errors.As finds a *net.DNSError with IsTemporary
// set in err: Go's resolver reports REFUSED (and some other failures) with
// neither IsTemporary nor IsTimeout, a custom resolver may set only
// IsTimeout or return a plain error, and a cancelled context sets neither.
// All of them are temperror here (RFC 8601 §3), so a *net.DNSError saying
// so is put in front; the original error stays in the chain
// (DNSError.Unwrap) for errors.Is and errors.As.
func asTemporary(err error) error {
	var de *net.DNSError
	if errors.As(err, &de) {
		if de.IsTemporary {
			return err
		}
		return &net.DNSError{Err: de.Err, Name: de.Name, Server: de.Server, IsTimeout: de.IsTimeout, IsTemporary: true, UnwrapErr: err}
	}
	return &net.DNSError{Err: err.Error(), IsTemporary: true, UnwrapErr: err}
}
