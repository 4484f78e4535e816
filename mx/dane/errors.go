package dane

import "errors"

// Errors of Verify and of the record parser. Test for them with errors.Is.
var (
	// ErrSyntax means a TLSA record's presentation form could not be
	// parsed.
	ErrSyntax = errors.New("dane: TLSA record syntax")
	// ErrNoMatch means Verify found usable TLSA records but none of them
	// matched the server's certificate chain (for DANE-TA(2), the chain
	// did not lead to a matching trust anchor or failed its checks, such
	// as an expired certificate; the error then also wraps the x509
	// error).
	ErrNoMatch = errors.New("dane: no TLSA record matches the server's certificate chain")
	// ErrNoUsableRecords means Verify was given no usable TLSA record
	// (RFC 7672 §3.1): all were PKIX usages, unknown parameters or
	// malformed data. For SMTP this means TLS without authentication
	// (RFC 7672 §2.2), not a failure: Lookup reports it as
	// StatusEncrypt, and VerifyConnection does not fail for it.
	ErrNoUsableRecords = errors.New("dane: no usable TLSA records")
	// ErrNameMismatch means a DANE-TA(2) record matched a trust anchor of
	// the chain but the server certificate names none of the reference
	// identifiers (RFC 7672 §3.2.2).
	ErrNameMismatch = errors.New("dane: server certificate does not match the reference identifiers")
)

// Errors of the DNS lookups (Resolver, Lookup). Test for them with
// errors.Is; each also wraps a *net.DNSError (IsNotFound for ErrNXDomain
// and ErrNoData, IsTemporary for ErrTemporary and ErrBogus).
var (
	// ErrTemporary means a lookup failed for a reason that may go away:
	// a timeout, a network error, a refused or malformed answer. A
	// delivery that needs the answer is deferred. ErrBogus errors match
	// it too.
	ErrTemporary = errors.New("dane: temporary DNS failure")
	// ErrBogus means the validating resolver answered SERVFAIL, which is
	// how it reports an answer whose DNSSEC validation failed ("bogus",
	// RFC 4035 §4.3) as well as other server failures. RFC 7672 §2.1.1:
	// the destination is deferred, never downgraded. It also matches
	// ErrTemporary.
	ErrBogus = errors.New("dane: DNSSEC validation failed or server failure (SERVFAIL)")
	// ErrNXDomain means the name does not exist (RCODE 3).
	ErrNXDomain = errors.New("dane: no such domain (NXDOMAIN)")
	// ErrNoData means the name exists but has no records of the type
	// asked (NODATA).
	ErrNoData = errors.New("dane: no records of that type (NODATA)")
	// ErrNullMX means the domain publishes a null MX (RFC 7505): it
	// accepts no mail.
	ErrNullMX = errors.New("dane: domain accepts no mail (null MX, RFC 7505)")
)
