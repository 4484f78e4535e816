package dmarc

import (
	"context"
	"errors"
	"net"
	"strings"
)

// Sentinel errors. Errors returned by this package (and Verdict.Err) wrap
// one of these and add what was wrong and where; test them with
// errors.Is. Their text starts with "dmarc: ", once.
var (
	// ErrNotDMARC: the text does not begin with the "v=DMARC1" tag
	// (RFC 9989 §4.7: such a record MUST be ignored).
	ErrNotDMARC = errors.New("dmarc: not a DMARC record")
	// ErrDuplicateTag: a registered tag occurs more than once. DMARC
	// records use the DKIM tag-list syntax (RFC 9989 §4.7), and RFC 6376
	// §3.2 makes a tag-list with a duplicated tag invalid as a whole.
	ErrDuplicateTag = errors.New("dmarc: duplicate tag")
	// ErrInvalidDomain: a domain name is empty, too long or malformed.
	ErrInvalidDomain = errors.New("dmarc: invalid domain name")
	// ErrTemporary: a DNS query failed temporarily (SERVFAIL, REFUSED, a
	// timeout, a network error, a context that ended); the evaluation
	// result is TempError (RFC 9989 §5.3.6). An error that wraps it also
	// wraps a *net.DNSError with IsTemporary set (the resolver's own, or
	// one put in front of it when the resolver did not say so, as Go's
	// does not for REFUSED), so errors.As finds the failed query.
	ErrTemporary = errors.New("dmarc: temporary DNS failure")
	// ErrMalformedRecord: a DNS TXT record starts with v=DMARC1 but is not
	// a valid DMARC record (for example a duplicated tag), and no other
	// record applied; the evaluation result is PermError.
	ErrMalformedRecord = errors.New("dmarc: malformed DMARC record")
	// ErrNotAligned: a DMARC record applies but neither SPF nor DKIM
	// produced an aligned, authenticated identifier; Verdict.Err of a
	// Fail result wraps it and says which identifiers were tried.
	ErrNotAligned = errors.New("dmarc: no aligned identifier")
)

// ErrTempError is the former name of ErrTemporary, the same value.
//
// Deprecated: use ErrTemporary.
var ErrTempError = ErrTemporary

// chainError is an error whose text is written once, with the package
// prefix once, and which wraps several errors for errors.Is and errors.As
// (fmt.Errorf with two %w verbs would repeat both prefixes).
type chainError struct {
	msg  string
	errs []error
}

func (e *chainError) Error() string   { return e.msg }
func (e *chainError) Unwrap() []error { return e.errs }

// chain returns an error reading sentinel's text, then the details, then
// cause's text without its own "dmarc: " prefix; it wraps sentinel and
// cause.
func chain(sentinel error, details string, cause error) error {
	msg := sentinel.Error()
	if details != "" {
		msg += ": " + details
	}
	errs := []error{sentinel}
	if cause != nil {
		msg += ": " + strings.TrimPrefix(cause.Error(), "dmarc: ")
		errs = append(errs, cause)
	}
	return &chainError{msg: msg, errs: errs}
}

// inContext returns err with what it was about put after the package
// prefix: "dmarc: RFC5322.From domain: invalid domain name: empty". It
// wraps err.
func inContext(what string, err error) error {
	return &chainError{msg: "dmarc: " + what + ": " + strings.TrimPrefix(err.Error(), "dmarc: "), errs: []error{err}}
}

// temporary returns the error of a query that failed temporarily: it
// wraps ErrTemporary and a *net.DNSError with IsTemporary set (DESIGN's
// failure convention).
func temporary(query string, err error) error {
	return chain(ErrTemporary, query, asTemporary(err))
}

// asTemporary makes sure errors.As finds a *net.DNSError with IsTemporary
// set in err: Go's resolver reports REFUSED with neither IsTemporary nor
// IsTimeout, a custom resolver may return a plain error, and a context's
// end sets neither. All of them are TempError here, so a *net.DNSError
// saying so is put in front; the original error stays in the chain
// (DNSError.Unwrap) for errors.Is and errors.As.
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

// isTemp reports whether err is a temporary DNS failure.
func isTemp(err error) bool { return errors.Is(err, ErrTemporary) }
