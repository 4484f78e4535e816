package srs

import "errors"

// Sentinel errors returned (wrapped, with details) by [Rewriter.Forward] and
// [Rewriter.Reverse]. Test for them with [errors.Is].
var (
	// ErrNotSRS reports that the address given to Reverse does not start
	// with an SRS0 or SRS1 tag followed by a separator ('=', '+' or '-').
	// An MTA usually treats it as "not mine to reverse" and carries on.
	ErrNotSRS = errors.New("srs: not an SRS address")

	// ErrBadHash reports that the hash in an SRS address is too short or
	// was not made with any of the configured secrets: the address was
	// forged, mangled, or signed by somebody else.
	ErrBadHash = errors.New("srs: hash does not verify")

	// ErrExpired reports that the timestamp of an SRS0 address is older
	// than MaxAge or lies in the future.
	ErrExpired = errors.New("srs: timestamp expired or in the future")

	// ErrMalformed reports an address that cannot be rewritten or
	// reversed: no '@', an empty or invalid domain, control characters,
	// an '@' in the local part, missing SRS fields, a timestamp that is
	// not two base32 characters, or an address longer than
	// [MaxAddressLength]; and, for Forward, a sender in angle brackets or
	// with an empty local part.
	ErrMalformed = errors.New("srs: malformed address")

	// ErrTooLong reports an address over [MaxAddressLength] octets (then
	// together with ErrMalformed) or, when [Rewriter.LimitLocalPart] is
	// set, a rewritten local part over [MaxLocalPartLength] octets.
	ErrTooLong = errors.New("srs: address too long")

	// ErrConfig reports an unusable [Rewriter]: no secret or an empty one,
	// no valid Domain for Forward, a separator other than '=', '+' or '-',
	// or a negative HashLength, HashMin or MaxAge.
	ErrConfig = errors.New("srs: invalid configuration")
)
