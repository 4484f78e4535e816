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
	// ErrDNS: a DNS query failed with an error other than "no such record"
	// (SERVFAIL, timeout, ...; RFC 7208 §2.6.6, TempError).
	ErrDNS = errors.New("spf: DNS lookup failed")
	// ErrDeadline: the evaluation ran out of time (the Checker's Timeout or
	// the caller's context; RFC 7208 §4.6.4, TempError).
	ErrDeadline = errors.New("spf: evaluation deadline exceeded")
)
