package spf

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"time"
)

// namesChunk is the size of the buffers that hold the names one
// evaluation queries (see fqdn): enough for a few typical names.
const namesChunk = 64

// fqdn returns name in ASCII lower case with one final dot, so that no
// search domain is ever appended. DNS ignores case (RFC 4343); the lower
// case serves resolvers and caches that key on exact names.
//
// The names of one evaluation are written one after another into e.names
// instead of allocating one string each: a strings.Builder only appends,
// so a string it has handed out is never changed, and a resolver may keep
// it (as a cache key, say).
func (e *evaluator) fqdn(name string) string {
	dotted := len(name) > 0 && name[len(name)-1] == '.'
	upper := false
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= 'A' && c <= 'Z' {
			upper = true
			break
		}
	}
	if dotted && !upper {
		return name
	}
	if n := len(name) + 1; e.names.Cap()-e.names.Len() < n {
		e.names = strings.Builder{} // the old buffer stays with its strings
		e.names.Grow(max(n, namesChunk))
	}
	start := e.names.Len()
	if !upper {
		e.names.WriteString(name)
	} else {
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			e.names.WriteByte(c)
		}
	}
	if !dotted {
		e.names.WriteByte('.')
	}
	return e.names.String()[start:]
}

// lookupFailure classifies a lookup error: notFound for NXDOMAIN and NODATA
// (RFC 7208 §4.4 and §5), otherwise a TempError cause wrapping
// ErrTemporary (and ErrDeadline when the evaluation ran out of time).
func (e *evaluator) lookupFailure(err error, qtype, name string) (notFound bool, temp error) {
	if isNotFound(err) {
		return true, nil
	}
	what := qtype + " lookup of " + name
	if e.ctx.Err() != nil {
		return false, deadlineError(what, err)
	}
	return false, temporary(what, err)
}

// isNotFound reports whether err is a *net.DNSError with IsNotFound set,
// or wraps one. The plain type assertion first keeps the common case free
// of errors.As, whose target would have to live on the heap.
func isNotFound(err error) bool {
	if de, ok := err.(*net.DNSError); ok {
		return de.IsNotFound
	}
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// temporary returns the error of a failed query: it wraps ErrTemporary and
// a *net.DNSError with IsTemporary set (DESIGN's failure convention).
func temporary(what string, err error) error {
	return &chainError{
		msg:  ErrTemporary.Error() + ": " + what + ": " + err.Error(),
		errs: []error{ErrTemporary, asTemporary(err)},
	}
}

// deadlineError is temporary for an evaluation that ran out of time; it
// also wraps ErrDeadline.
func deadlineError(what string, err error) error {
	return &chainError{
		msg:  ErrDeadline.Error() + ": " + what + ": " + err.Error(),
		errs: []error{ErrDeadline, ErrTemporary, asTemporary(err)},
	}
}

// asTemporary makes sure errors.As finds a *net.DNSError with IsTemporary
// set in err: Go's resolver reports REFUSED with neither IsTemporary nor
// IsTimeout, a custom resolver may return a plain error, and a context's
// end sets neither. All of them are TempError here (RFC 7208 §2.6.6), so a
// *net.DNSError saying so is put in front; the original error stays in
// the chain (DNSError.Unwrap) for errors.Is and errors.As.
func asTemporary(err error) error {
	var de *net.DNSError
	if errors.As(err, &de) {
		if de.IsTemporary {
			return err
		}
		return &net.DNSError{Err: de.Err, Name: de.Name, Server: de.Server, IsTimeout: de.IsTimeout, IsTemporary: true, UnwrapErr: err}
	}
	timeout := errors.Is(err, context.DeadlineExceeded)
	return &net.DNSError{Err: err.Error(), IsTimeout: timeout, IsTemporary: true, UnwrapErr: err}
}

// clockEvery is how many DNS calls pass between two readings of the clock
// against the evaluation's deadline; resolvers that honour the context
// are stopped by it at the deadline itself.
const clockEvery = 4

// deadline returns an error wrapping ErrDeadline once the evaluation's
// context is done or its deadline has passed: a resolver that ignores its
// context can make a few lookups overrun the deadline, never the whole
// evaluation.
func (e *evaluator) deadline() error {
	if err := e.ctx.Err(); err != nil {
		return deadlineError("evaluation", err)
	}
	e.calls++
	if e.ec != nil && e.calls%clockEvery == 0 && e.ec.expired(time.Now()) {
		return deadlineError("evaluation", context.DeadlineExceeded)
	}
	return nil
}

func (e *evaluator) lookupTXT(name string) (txts []string, notFound bool, err error) {
	if err := e.deadline(); err != nil {
		return nil, false, err
	}
	txts, err = e.r.LookupTXT(e.ctx, e.fqdn(name))
	if err != nil {
		notFound, err = e.lookupFailure(err, "TXT", name)
		return nil, notFound, err
	}
	return txts, len(txts) == 0, nil
}

// lookupIP looks up the A (network "ip4") or AAAA ("ip6") records of name.
func (e *evaluator) lookupIP(network, name string) (addrs []netip.Addr, notFound bool, err error) {
	if err := e.deadline(); err != nil {
		return nil, false, err
	}
	addrs, err = e.r.LookupNetIP(e.ctx, network, e.fqdn(name))
	if err != nil && len(addrs) == 0 {
		qtype := "A"
		if network == "ip6" {
			qtype = "AAAA"
		}
		notFound, err = e.lookupFailure(err, qtype, name)
		return nil, notFound, err
	}
	return addrs, len(addrs) == 0, nil
}

func (e *evaluator) lookupMX(name string) (mxs []*net.MX, notFound bool, err error) {
	if err := e.deadline(); err != nil {
		return nil, false, err
	}
	mxs, err = e.r.LookupMX(e.ctx, e.fqdn(name))
	if err != nil && len(mxs) == 0 {
		notFound, err = e.lookupFailure(err, "MX", name)
		return nil, notFound, err
	}
	return mxs, len(mxs) == 0, nil
}

// lookupPTR returns the names of the client address.
func (e *evaluator) lookupPTR() (names []string, notFound bool, err error) {
	if err := e.deadline(); err != nil {
		return nil, false, err
	}
	names, err = e.r.LookupAddr(e.ctx, e.ip.String())
	if err != nil && len(names) == 0 {
		notFound, err = e.lookupFailure(err, "PTR", e.ip.String())
		return nil, notFound, err
	}
	return names, len(names) == 0, nil
}

// network returns the lookup network of the client's address family.
func (e *evaluator) network() string {
	if e.ip.Is4() {
		return "ip4"
	}
	return "ip6"
}

// matchAddrs reports whether any of addrs, cut to the prefix length of the
// client's family, contains the client address. Addresses of the other
// family never match (RFC 7208 §5.3, §5.4).
func (e *evaluator) matchAddrs(addrs []netip.Addr, cidr4, cidr6 int) bool {
	bits := 32
	if e.ip.Is4() {
		if cidr4 >= 0 {
			bits = cidr4
		}
	} else {
		bits = 128
		if cidr6 >= 0 {
			bits = cidr6
		}
	}
	for _, a := range addrs {
		if e.ip.Is4() {
			a = a.Unmap()
			if !a.Is4() {
				continue
			}
		} else if a.Is4() {
			continue
		}
		if p, err := a.WithZone("").Prefix(bits); err == nil && p.Contains(e.ip) {
			return true
		}
	}
	return false
}

// validatedNames returns the client's validated domain names (RFC 7208
// §5.5): of the first 10 PTR names, those whose A or AAAA records include
// the client address. Only names for which keep returns true are
// checked. DNS errors skip a name.
func (e *evaluator) validatedNames(keep func(string) bool, stopAtFirst bool) (names []string, void bool, err error) {
	ptrs, notFound, err := e.lookupPTR()
	if err != nil {
		// §5.5: a DNS error on the PTR lookup makes "ptr" not match.
		if errors.Is(err, ErrDeadline) {
			return nil, false, err
		}
		return nil, false, nil
	}
	if notFound {
		return nil, true, nil
	}
	if len(ptrs) > maxNames {
		ptrs = ptrs[:maxNames] // §4.6.4: the rest MUST be ignored
	}
	for _, p := range ptrs {
		p = trimDot(p)
		if !keep(p) || !validName(p) {
			continue
		}
		addrs, _, err := e.lookupIP(e.network(), p)
		if err != nil {
			if errors.Is(err, ErrDeadline) {
				return nil, false, err
			}
			continue
		}
		for _, a := range addrs {
			if a.Unmap() == e.ip {
				names = append(names, p)
				break
			}
		}
		if stopAtFirst && len(names) > 0 {
			break
		}
	}
	return names, false, nil
}

// validatedName returns the value of the "p" macro for <domain>: a
// validated name equal to domain, else one ending in it, else the first
// validated name, else "unknown" (RFC 7208 §7.3). The names are looked up
// once per evaluation.
func (e *evaluator) validatedName(domain string) string {
	if !e.pDone {
		e.pDone = true
		e.pNames, _, _ = e.validatedNames(func(string) bool { return true }, false)
	}
	if len(e.pNames) == 0 {
		return "unknown"
	}
	for _, n := range e.pNames {
		if len(n) == len(domain) && hasSuffixFold(n, domain) {
			return n
		}
	}
	for _, n := range e.pNames {
		if hasSuffixFold(n, domain) {
			return n
		}
	}
	return e.pNames[0]
}
