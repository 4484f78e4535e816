package srs

import "fmt"

// errf wraps sentinel with a message saying what was wrong and where.
func errf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// errTooLongInput reports an input over MaxAddressLength; it is both
// malformed and too long.
func errTooLongInput(what string, n int) error {
	return fmt.Errorf("%w: %w: %s is %d octets, limit %d", ErrMalformed, ErrTooLong, what, n, MaxAddressLength)
}

// errUnverifiable reports a malformed SRS address given to Reverse. Such an
// address cannot carry a hash this package made, so the error matches
// ErrBadHash as well as ErrMalformed (Mail::SRS says "Invalid hash").
func errUnverifiable(format string, args ...any) error {
	return fmt.Errorf("%w: %s (%w)", ErrMalformed, fmt.Sprintf(format, args...), ErrBadHash)
}
