package srs

import (
	"fmt"
	"strings"
)

// errf wraps sentinel with a message saying what was wrong and where.
func errf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// multiError is an error that matches several sentinels while its text
// carries the package prefix once (fmt.Errorf with two %w verbs would
// repeat it).
type multiError struct {
	msg  string
	errs []error
}

func (e *multiError) Error() string   { return e.msg }
func (e *multiError) Unwrap() []error { return e.errs }

// errTooLongInput reports an input over MaxAddressLength; it is both
// malformed and too long.
func errTooLongInput(what string, n int) error {
	return &multiError{
		msg:  fmt.Sprintf("%s, too long: %s is %d octets, limit %d", ErrMalformed, what, n, MaxAddressLength),
		errs: []error{ErrMalformed, ErrTooLong},
	}
}

// errUnverifiable reports a malformed SRS address given to Reverse. Such an
// address cannot carry a hash this package made, so the error matches
// ErrBadHash as well as ErrMalformed (Mail::SRS says "Invalid hash").
func errUnverifiable(format string, args ...any) error {
	return &multiError{
		msg:  fmt.Sprintf("%s: %s (so its %s)", ErrMalformed, fmt.Sprintf(format, args...), strings.TrimPrefix(ErrBadHash.Error(), "srs: ")),
		errs: []error{ErrMalformed, ErrBadHash},
	}
}
