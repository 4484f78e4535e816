package srs

import (
	"fmt"
	"time"
)

// Defaults and limits. The defaults are those of Mail::SRS, libsrs2 and
// postsrsd.
const (
	// DefaultMaxAge is how long an SRS0 timestamp stays valid when
	// Rewriter.MaxAge is zero.
	DefaultMaxAge = 21 * 24 * time.Hour

	// DefaultHashLength is the number of base64 characters of HMAC-SHA1
	// put into new addresses when Rewriter.HashLength is zero.
	DefaultHashLength = 4

	// MaxHashLength is the length of an unpadded base64 HMAC-SHA1
	// (160 bits), the longest hash there is.
	MaxHashLength = 27

	// DefaultSeparator follows the SRS0/SRS1 tag when Rewriter.Separator
	// is zero. Every other separator in an SRS address is always '='.
	DefaultSeparator = '='

	// MaxLocalPartLength is the RFC 5321 §4.5.3.1.1 limit on a local part,
	// enforced on rewritten addresses only when Rewriter.LimitLocalPart
	// is set.
	MaxLocalPartLength = 64

	// MaxAddressLength bounds every address Forward and Reverse accept or
	// produce. It is four times RFC 5321's 256-octet path limit, far above
	// any real address, and leaves room for SRS1 of SRS0 of a long sender.
	MaxAddressLength = 1024
)

// The day as SRS counts it and the number of distinct timestamps.
const (
	secondsPerDay = 86400
	stampSlots    = 1024 // two base32 characters
)

// settings is a Rewriter's configuration with the defaults applied and
// checked, computed on every call (it is a handful of integer tests).
type settings struct {
	hashLength int
	hashMin    int
	maxDays    int64
	separator  byte
}

func (r *Rewriter) settings() (settings, error) {
	s := settings{
		hashLength: r.HashLength,
		hashMin:    r.HashMin,
		separator:  r.Separator,
	}
	if s.hashLength == 0 {
		s.hashLength = DefaultHashLength
	}
	if s.hashLength < 0 {
		return s, fmt.Errorf("%w: negative HashLength %d", ErrConfig, r.HashLength)
	}
	// As in Mail::SRS: HashMin defaults to the configured HashLength, and
	// a HashLength beyond the MAC gives the whole MAC.
	if s.hashMin == 0 {
		s.hashMin = s.hashLength
	}
	if s.hashMin < 0 {
		return s, fmt.Errorf("%w: negative HashMin %d", ErrConfig, r.HashMin)
	}
	s.hashLength = min(s.hashLength, MaxHashLength)
	switch s.separator {
	case 0:
		s.separator = DefaultSeparator
	case '=', '+', '-':
	default:
		return s, fmt.Errorf("%w: Separator %q is not '=', '+' or '-'", ErrConfig, r.Separator)
	}
	age := r.MaxAge
	if age == 0 {
		age = DefaultMaxAge
	}
	if age < 0 {
		return s, fmt.Errorf("%w: negative MaxAge %v", ErrConfig, r.MaxAge)
	}
	s.maxDays = int64(age / (24 * time.Hour))
	if len(r.Secrets) == 0 {
		return s, fmt.Errorf("%w: Secrets is empty: set at least one secret (the zero Rewriter has none)", ErrConfig)
	}
	for i, k := range r.Secrets {
		if len(k) == 0 {
			return s, fmt.Errorf("%w: secret %d is empty", ErrConfig, i)
		}
	}
	return s, nil
}

// forwardDomain returns the domain put on the right of rewritten
// addresses. Like Mail::SRS, a full address ("bounces@fwd.example") is
// accepted and only its domain used.
func (r *Rewriter) forwardDomain() (string, error) {
	d := r.Domain
	if i := lastAt(d); i >= 0 && i < len(d)-1 {
		d = d[i+1:]
	}
	if d == "" {
		return "", fmt.Errorf("%w: Domain is empty: Forward needs this forwarder's own domain", ErrConfig)
	}
	if !validHost(d) {
		return "", fmt.Errorf("%w: Domain %q is not a domain name", ErrConfig, r.Domain)
	}
	return d, nil
}

func (r *Rewriter) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// begin is what Forward and Reverse check first: the configuration, then
// the length of the input and control characters in it. what names the
// input in errors ("sender", "address").
func (r *Rewriter) begin(what, s string) (settings, error) {
	cfg, err := r.settings()
	if err != nil {
		return cfg, err
	}
	if len(s) > MaxAddressLength {
		return cfg, errTooLongInput(what, len(s))
	}
	if hasControl(s) {
		return cfg, errf(ErrMalformed, "%s %q contains a control character", what, s)
	}
	return cfg, nil
}
