package dkim

import "errors"

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
	// ErrKeyUnavailable: the key lookup failed temporarily.
	ErrKeyUnavailable = errors.New("dkim: key unavailable")
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
