package dkim

import (
	"errors"
	"net"
)

// Sentinel errors. Verification.Err and the errors returned by the parsers
// wrap one of these (test with errors.Is); the wrapping text says where the
// problem was.
var (
	// ErrHeaderTooLarge: the header block is longer than the configured
	// limit (Verifier.MaxHeaderBytes, Signer.MaxHeaderBytes).
	ErrHeaderTooLarge = errors.New("dkim: header block too large")

	// ErrMalformedSignature: the DKIM-Signature field is not a valid
	// tag-list or a tag value has the wrong syntax (RFC 6376 §3.5).
	ErrMalformedSignature = errors.New("dkim: malformed DKIM-Signature")
	// ErrMissingTag: a required tag (v a b bh d h s) is absent.
	ErrMissingTag = errors.New("dkim: required tag missing")
	// ErrUnsupportedVersion: v= is not 1.
	ErrUnsupportedVersion = errors.New("dkim: unsupported signature version")
	// ErrUnsupportedAlgorithm: a= names an algorithm this package does not know.
	ErrUnsupportedAlgorithm = errors.New("dkim: unsupported signing algorithm")
	// ErrInsecureAlgorithm: a= is rsa-sha1, which RFC 8301 §3.1 forbids.
	ErrInsecureAlgorithm = errors.New("dkim: insecure signing algorithm (RFC 8301)")
	// ErrUnsupportedCanonicalization: c= names an unknown algorithm.
	ErrUnsupportedCanonicalization = errors.New("dkim: unsupported canonicalization")
	// ErrUnsupportedQueryMethod: q= does not include dns/txt.
	ErrUnsupportedQueryMethod = errors.New("dkim: unsupported key query method")
	// ErrFromNotSigned: h= does not include From (RFC 6376 §5.4).
	ErrFromNotSigned = errors.New("dkim: From header field not signed")
	// ErrIdentityMismatch: the i= domain is not d= or a subdomain of it.
	ErrIdentityMismatch = errors.New("dkim: i= is not within d=")
	// ErrExpired: the x= time has passed (or x= is not after t=).
	ErrExpired = errors.New("dkim: signature expired")

	// ErrKeyNotFound: no key record at <selector>._domainkey.<domain>.
	ErrKeyNotFound = errors.New("dkim: no key for signature")
	// ErrTemporary: the key lookup failed temporarily (SERVFAIL, REFUSED,
	// a timeout, a context that ended): the signature is temperror, try
	// again later. Following DESIGN's failure convention, such an error
	// also wraps a *net.DNSError with IsTemporary set (the resolver's own
	// when it says so, otherwise one put in front of it), so both
	// errors.Is(err, ErrTemporary) and errors.As(err, &dnsErr) work.
	ErrTemporary = errors.New("dkim: temporary DNS failure")
	// ErrKeyUnavailable is the former name of ErrTemporary (the same
	// value).
	//
	// Deprecated: use ErrTemporary.
	ErrKeyUnavailable = ErrTemporary
	// ErrKeyRevoked: the key record has an empty p=.
	ErrKeyRevoked = errors.New("dkim: key revoked")
	// ErrMalformedKey: the key record or the key inside it cannot be parsed.
	ErrMalformedKey = errors.New("dkim: malformed key record")
	// ErrKeyMismatch: the key record does not fit the signature (k= differs
	// from the algorithm, h= excludes the hash, s= excludes email).
	ErrKeyMismatch = errors.New("dkim: key record not applicable to signature")
	// ErrKeyTooSmall: an RSA key is shorter than the minimum (RFC 8301 §3.2).
	ErrKeyTooSmall = errors.New("dkim: key too small")
	// ErrKeyTooLarge: an RSA key is longer than the maximum
	// (Verifier.MaxRSABits, default DefaultMaxRSABits).
	ErrKeyTooLarge = errors.New("dkim: key too large")
	// ErrStrictIdentity: the key has t=s but i= uses a subdomain of d=.
	ErrStrictIdentity = errors.New("dkim: key flag t=s forbids i= subdomain")

	// ErrBodyHashMismatch: the body does not hash to bh= (the body changed).
	ErrBodyHashMismatch = errors.New("dkim: body hash did not verify")
	// ErrBodyTooShort: l= is larger than the canonicalized body.
	ErrBodyTooShort = errors.New("dkim: body shorter than l=")
	// ErrSignatureMismatch: the body hash matched but b= does not verify
	// over the signed header fields (a header changed, or wrong key).
	ErrSignatureMismatch = errors.New("dkim: signature did not verify")

	// ErrNoFrom: the message to sign has no From header field.
	ErrNoFrom = errors.New("dkim: message has no From header field")
	// ErrInvalidSigner: the Signer configuration cannot produce a signature.
	ErrInvalidSigner = errors.New("dkim: invalid signer")
	// ErrUnsupportedKey: the key type is neither RSA nor Ed25519.
	ErrUnsupportedKey = errors.New("dkim: unsupported key type")
)

// temporaryError is a temporary key lookup failure: it wraps ErrTemporary,
// a *net.DNSError with IsTemporary set and the resolver's error, and its
// text names the record once, with the package prefix once.
type temporaryError struct {
	name string
	dns  *net.DNSError // nil when err already holds a temporary one
	err  error
}

// temporary classifies the failed lookup of name (not "no such record")
// as a temporary failure.
func temporary(name string, err error) error {
	var de *net.DNSError
	if errors.As(err, &de) && de.IsTemporary {
		return &temporaryError{name: name, err: err}
	}
	// The resolver's error does not say "temporary" (Go's says so for
	// SERVFAIL and timeouts but not for REFUSED): put one in front that
	// does, keeping what the resolver said.
	front := &net.DNSError{Err: "temporary failure", Name: name, IsTemporary: true}
	if de != nil {
		front.Err, front.Server, front.IsTimeout = de.Err, de.Server, de.IsTimeout
	}
	de = front
	return &temporaryError{name: name, dns: de, err: err}
}

func (e *temporaryError) Error() string {
	return ErrTemporary.Error() + ": " + e.name + ": " + e.err.Error()
}

// Unwrap returns ErrTemporary, the *net.DNSError and the resolver's error,
// in that order (errors.As finds the temporary *net.DNSError first).
func (e *temporaryError) Unwrap() []error {
	if e.dns == nil {
		return []error{ErrTemporary, e.err}
	}
	return []error{ErrTemporary, e.dns, e.err}
}
