package mx

import "errors"

// Sentinel errors. Errors returned by this package wrap one of these with %w
// (and, for DNS failures, the resolver's *net.DNSError as well), so callers
// test them with errors.Is and errors.As.
var (
	// ErrNullMX means the domain publishes a null MX (RFC 7505 §3): it
	// accepts no mail at all. Mail to it should be bounced at once
	// (RFC 7505 §4.1, enhanced status 5.1.10).
	ErrNullMX = errors.New("mx: domain accepts no mail (null MX, RFC 7505)")

	// ErrNoSuchDomain means the domain does not exist (NXDOMAIN).
	ErrNoSuchDomain = errors.New("mx: no such domain")

	// ErrInvalidDomain means the domain given to Lookup is not a valid
	// domain name (or cannot be converted to A-labels), or is a malformed
	// or unroutable address literal (RFC 5321 §4.1.3).
	ErrInvalidDomain = errors.New("mx: invalid domain name")

	// ErrTemporary marks a failure that may go away when retried later:
	// SERVFAIL, a timeout, REFUSED, a network error. The error also wraps
	// the resolver's *net.DNSError when there is one. RFC 5321 §4.5.4.1:
	// the message stays queued.
	ErrTemporary = errors.New("mx: temporary DNS failure")

	// ErrNoUsableMX means the domain has MX records but none of them names
	// a usable host (all are IP literals, invalid names or "."), or, with
	// Router.ResolveAddrs, none of the hosts has an A or AAAA record (the
	// error then wraps each host's Err); RFC 5321 §5.1 says this MUST be
	// reported as an error, and the implicit MX does not apply.
	ErrNoUsableMX = errors.New("mx: MX records present but none is usable")

	// ErrSelfIsBest means one of Router.Self is the most preferred MX of
	// the domain, so no host is left to relay to (RFC 5321 §5.1): delivering
	// would loop.
	ErrSelfIsBest = errors.New("mx: this host is the most preferred MX (mail loop)")

	// ErrNoAddresses is recorded in Host.Err when a host has neither A nor
	// AAAA records.
	ErrNoAddresses = errors.New("mx: host has no A or AAAA records")

	// The reasons a record appears in Route.Skipped.

	// ErrIPLiteral: the MX target is an IP address, not a host name
	// (RFC 5321 §5.1, RFC 1035 §3.3.9: the exchange is a domain name).
	ErrIPLiteral = errors.New("mx: MX target is an IP address, not a host name")
	// ErrInvalidTarget: the MX target is not a valid host name.
	ErrInvalidTarget = errors.New("mx: MX target is not a valid host name")
	// ErrNullTarget: a "." target mixed with real MX records; it is ignored.
	ErrNullTarget = errors.New("mx: null MX target \".\" mixed with other MX records")
	// ErrDuplicate: the host is already listed at the same or a better
	// preference.
	ErrDuplicate = errors.New("mx: duplicate MX host")
	// ErrNotBelowSelf: the record's preference is at or above that of this
	// host (Router.Self), RFC 5321 §5.1.
	ErrNotBelowSelf = errors.New("mx: preference not better than this host's own")
	// ErrTooManyHosts: the record is beyond Router.MaxHosts.
	ErrTooManyHosts = errors.New("mx: too many MX hosts")
)
