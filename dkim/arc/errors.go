package arc

import (
	"context"
	"errors"
	"strings"

	"github.com/mailsmith/mailsmith/dkim"
)

// Status is an ARC chain validation status, the values of the cv= tag
// (RFC 8617 §4.1.3) and of the "arc" Authentication-Results method
// (RFC 8617 §10.1).
type Status string

// Chain validation statuses.
const (
	// None: the message carries no ARC set (or the cv= of the first set).
	None Status = "none"
	// Pass: every set is well formed, the newest ARC-Message-Signature and
	// every ARC-Seal verify.
	Pass Status = "pass"
	// Fail: the chain is broken; Result.Err says where and why.
	Fail Status = "fail"
)

// Sentinel errors. Result.Err and Seal's errors wrap one of these, or one
// of package dkim's key and signature errors (dkim.ErrKeyNotFound,
// dkim.ErrBodyHashMismatch, dkim.ErrKeyTooLarge, ...), with text that says
// which set and which field.
var (
	// ErrTemporary: a key lookup failed temporarily (DESIGN's failure
	// convention); the error also wraps dkim.ErrTemporary and a
	// *net.DNSError with IsTemporary set. The chain is neither good nor
	// bad: try again later.
	ErrTemporary = errors.New("arc: temporary DNS failure")
	// ErrChainFailed: the newest ARC-Seal already says cv=fail; the chain
	// is over and no set is added to it (RFC 8617 §5.1, §5.2 step 2).
	ErrChainFailed = errors.New("arc: chain already failed (cv=fail)")
	// ErrMalformed: an ARC header field is not a valid tag-list, or a
	// required tag is missing or has a bad value (RFC 8617 §4.1).
	ErrMalformed = errors.New("arc: malformed ARC header field")
	// ErrStructure: the sets do not form a chain: a field missing or
	// repeated for an instance, a gap in i=, a wrong cv= for its instance
	// (RFC 8617 §4.2, §5.2 step 3).
	ErrStructure = errors.New("arc: invalid ARC set structure")
	// ErrLimit: more sets, ARC fields or bytes in one than the limits
	// allow (MaxInstance sets, MaxFieldBytes per field).
	ErrLimit = errors.New("arc: limit exceeded")
	// ErrMessageSignature: the newest ARC-Message-Signature does not
	// verify; the error also wraps the dkim error that says why.
	ErrMessageSignature = errors.New("arc: ARC-Message-Signature did not verify")
	// ErrSeal: an ARC-Seal does not verify; the error also wraps the dkim
	// error that says why.
	ErrSeal = errors.New("arc: ARC-Seal did not verify")
	// ErrInvalidSealer: the Sealer's configuration cannot seal.
	ErrInvalidSealer = errors.New("arc: invalid sealer")
)

// temporaryError is a temporary key lookup failure: it wraps ErrTemporary
// and package dkim's error, which itself wraps dkim.ErrTemporary and a
// *net.DNSError with IsTemporary set (dkim.LookupKey puts one in front of
// a resolver error that does not say so).
type temporaryError struct{ err error }

// temporary wraps dkim.LookupKey's temporary failure as ErrTemporary.
func temporary(err error) error { return &temporaryError{err} }

// Error says "arc: temporary DNS failure" once, then what dkim said after
// its own "dkim: temporary DNS failure".
func (e *temporaryError) Error() string {
	return ErrTemporary.Error() + ": " + strings.TrimPrefix(e.err.Error(), dkim.ErrTemporary.Error()+": ")
}

// Unwrap returns ErrTemporary and dkim's error.
func (e *temporaryError) Unwrap() []error { return []error{ErrTemporary, e.err} }

// isTemporary reports whether err means "try again later": a temporary
// DNS failure, or a context that ended.
func isTemporary(err error) bool {
	return errors.Is(err, ErrTemporary) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// keyError classifies a dkim.LookupKey error.
func keyError(err error) error {
	if errors.Is(err, dkim.ErrTemporary) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return temporary(err)
	}
	return err
}
