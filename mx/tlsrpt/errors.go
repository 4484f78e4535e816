package tlsrpt

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one or more of these
// with %w, so callers test them with errors.Is.
var (
	// ErrNoRecord means the domain has no usable TLSRPT record: none at
	// _smtp._tls.<domain>, several, or an invalid one (RFC 8460 §3). No
	// report is sent.
	ErrNoRecord = errors.New("tlsrpt: no TLSRPT record")

	// ErrMultipleRecords means more than one "v=TLSRPTv1" TXT record was
	// found (RFC 8460 §3). Lookup wraps it together with ErrNoRecord.
	ErrMultipleRecords = errors.New("tlsrpt: several TLSRPT records")

	// ErrRecordSyntax means a TXT record does not follow the grammar of
	// RFC 8460 §3. Lookup wraps it together with ErrNoRecord.
	ErrRecordSyntax = errors.New("tlsrpt: invalid TLSRPT record")

	// ErrTemporary marks a temporary DNS failure (SERVFAIL, timeout,
	// REFUSED, a network error, a cancelled context). The error also wraps
	// a *net.DNSError with IsTemporary set.
	ErrTemporary = errors.New("tlsrpt: temporary DNS failure")

	// ErrReportSyntax means a report is not valid JSON of RFC 8460 §4, or
	// its gzip or its message is broken.
	ErrReportSyntax = errors.New("tlsrpt: invalid report")

	// ErrNoReport means a message holds no report part (RFC 8460 §5.3).
	ErrNoReport = errors.New("tlsrpt: no report in message")

	// ErrLimit means a report or message exceeded one of the Parser's
	// limits; the error is a *LimitError that says which.
	ErrLimit = errors.New("tlsrpt: limit exceeded")

	// ErrInvalidDomain means a domain name given to this package is not a
	// valid host name.
	ErrInvalidDomain = errors.New("tlsrpt: invalid domain name")
)

// LimitError says which limit a report or message exceeded. It matches
// ErrLimit with errors.Is.
type LimitError struct {
	Limit string // the Parser field: "MaxBytes", "MaxDepth", ...
	Max   int64  // its value
}

// Error says which limit was exceeded and its value.
func (e *LimitError) Error() string {
	return fmt.Sprintf("tlsrpt: limit exceeded: %s (%d)", e.Limit, e.Max)
}

// Is makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }
