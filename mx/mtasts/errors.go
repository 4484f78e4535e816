package mtasts

import "errors"

// Sentinel errors. Errors returned by this package wrap one or more of these
// with %w, so callers test them with errors.Is.
var (
	// ErrNoPolicy means the domain has no usable MTA-STS policy: no
	// _mta-sts TXT record, several of them, or an invalid one (RFC 8461
	// §3.1). Mail is delivered as if the domain had not implemented
	// MTA-STS. It is never returned for a failed policy fetch.
	ErrNoPolicy = errors.New("mtasts: no MTA-STS policy")

	// ErrRecordSyntax means a _mta-sts TXT record does not follow the
	// grammar of RFC 8461 §3.1. LookupRecord wraps it together with
	// ErrNoPolicy.
	ErrRecordSyntax = errors.New("mtasts: invalid MTA-STS TXT record")

	// ErrMultipleRecords means more than one "v=STSv1;" TXT record was
	// found (RFC 8461 §3.1). LookupRecord wraps it together with
	// ErrNoPolicy.
	ErrMultipleRecords = errors.New("mtasts: several MTA-STS TXT records")

	// ErrPolicyFetch means the policy could not be fetched over HTTPS
	// (RFC 8461 §3.3): connection or certificate failure, a status other
	// than 200, a redirect, a wrong media type, a body over the size limit.
	// The error says which step failed.
	ErrPolicyFetch = errors.New("mtasts: cannot fetch MTA-STS policy")

	// ErrPolicySyntax means the fetched policy text does not follow RFC
	// 8461 §3.2. The error says which line and field were wrong.
	ErrPolicySyntax = errors.New("mtasts: invalid MTA-STS policy")

	// ErrTemporary marks a temporary DNS failure (SERVFAIL, timeout,
	// REFUSED, a network error, a cancelled context). The error also wraps
	// a *net.DNSError with IsTemporary set.
	ErrTemporary = errors.New("mtasts: temporary DNS failure")

	// ErrInvalidDomain means a domain name given to this package is not a
	// valid host name (or cannot be converted to A-labels).
	ErrInvalidDomain = errors.New("mtasts: invalid domain name")
)
