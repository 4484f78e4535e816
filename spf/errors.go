package spf

import "errors"

// Sentinel errors. Every error returned by this package wraps one of them, so
// callers can test the cause with errors.Is. The Verdict's Result says whether
// the failure is temporary (TempError) or permanent (PermError).
var (
	// ErrSyntax: a record, term or macro-string does not follow the grammar
	// of RFC 7208 §4.6.1, §5, §6 and §7.1 (PermError).
	ErrSyntax = errors.New("spf: syntax error")
	// ErrMultipleRecords: a domain publishes more than one "v=spf1" TXT
	// record (RFC 7208 §4.5, PermError).
	ErrMultipleRecords = errors.New("spf: more than one v=spf1 record")
	// ErrNoRecord: an "include" or "redirect" target has no SPF record
	// (RFC 7208 §5.2 and §6.1, PermError).
	ErrNoRecord = errors.New("spf: target domain has no SPF record")
	// ErrLoop: an "include" or "redirect" leads back to a domain that is
	// already being evaluated (PermError; the RFC 7208 §4.6.4 limit would
	// end it the same way, later).
	ErrLoop = errors.New("spf: include/redirect loop")
	// ErrLookupLimit: more DNS-querying terms than the limit (RFC 7208
	// §4.6.4, default 10, PermError).
	ErrLookupLimit = errors.New("spf: too many DNS-querying terms")
	// ErrVoidLookupLimit: more terms whose lookup found nothing than the
	// limit (RFC 7208 §4.6.4, default 2, PermError).
	ErrVoidLookupLimit = errors.New("spf: too many void DNS lookups")
	// ErrMXLimit: an "mx" mechanism found more than 10 MX records (RFC 7208
	// §4.6.4, PermError).
	ErrMXLimit = errors.New("spf: too many MX records")
	// ErrInvalidIP: the client address given to Check is not valid
	// (PermError).
	ErrInvalidIP = errors.New("spf: invalid client IP address")
	// ErrTemporary: a DNS query failed with an error other than "no such
	// record" (SERVFAIL, REFUSED, a timeout, a network error; RFC 7208
	// §2.6.6, TempError). An error that wraps it also wraps a
	// *net.DNSError with IsTemporary set (the resolver's own, or one put in
	// front of it when the resolver did not say so, as Go's does not for
	// REFUSED), so errors.As finds the failed query's details.
	ErrTemporary = errors.New("spf: temporary DNS failure")
	// ErrDeadline: the evaluation ran out of time (the Checker's Timeout or
	// the caller's context; RFC 7208 §4.6.4, TempError). An error that
	// wraps it also wraps ErrTemporary.
	ErrDeadline = errors.New("spf: evaluation deadline exceeded")
)

// ErrDNS is the former name of ErrTemporary, the same value.
//
// Deprecated: use ErrTemporary.
var ErrDNS = ErrTemporary

// chainError is an error whose text is written once, with the package
// prefix once, and which wraps several errors for errors.Is and errors.As
// (fmt.Errorf with two %w verbs would repeat the prefixes of both).
type chainError struct {
	msg  string
	errs []error
}

func (e *chainError) Error() string   { return e.msg }
func (e *chainError) Unwrap() []error { return e.errs }
