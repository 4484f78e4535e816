package ptr

import "errors"

// Sentinel errors. Verify wraps one of them with %w (and, for DNS failures,
// the resolver's *net.DNSError too), so callers test them with errors.Is and
// errors.As.
var (
	// ErrNoPTR means the address has no PTR records (NXDOMAIN or NODATA
	// for the reverse name): iprev "permerror" (RFC 8601 §3).
	ErrNoPTR = errors.New("ptr: no PTR records for the address")

	// ErrTemporary marks a DNS failure that may go away later (SERVFAIL,
	// timeout, REFUSED, network error): iprev "temperror" (RFC 8601 §3).
	ErrTemporary = errors.New("ptr: temporary DNS failure")

	// ErrInvalidIP means the address given to Verify is not a valid IP
	// address (the zero netip.Addr): iprev "permerror".
	ErrInvalidIP = errors.New("ptr: invalid IP address")
)
