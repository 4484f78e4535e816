package srs

import (
	"sync/atomic"
	"time"
)

// Rewriter rewrites envelope senders for a forwarding domain (Forward) and
// turns bounce addresses back into the original sender (Reverse), in the
// format of Mail::SRS's default "Guarded" scheme, libsrs2 and postsrsd.
//
// Its zero value needs only Domain (for Forward) and Secrets. A Rewriter is
// safe for concurrent use; it caches per-secret HMAC state internally and
// notices when Secrets changes between calls.
type Rewriter struct {
	// Domain is the forwarder's domain, put on the right of rewritten
	// addresses. A full address is accepted (only the part after its last
	// '@' is used), as Mail::SRS does with its alias argument. Reverse does
	// not look at the domain of the address it is given.
	Domain string

	// Secrets are the HMAC keys. The first signs new addresses; every one
	// is tried when verifying, so a new secret can be put first while the
	// old one keeps verifying until MaxAge has passed. At least one
	// non-empty secret is required.
	Secrets [][]byte

	// MaxAge is how long an SRS0 address stays valid, counted in whole
	// days (rounded down); 0 means DefaultMaxAge (21 days). SRS1
	// addresses carry no timestamp of their own.
	MaxAge time.Duration

	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// HashLength is the number of base64 characters of HMAC-SHA1 put into
	// new addresses; 0 means DefaultHashLength (4). Values over
	// MaxHashLength (27) give the whole MAC, as in Mail::SRS.
	HashLength int

	// HashMin is the shortest hash Reverse accepts; 0 means HashLength.
	// Longer hashes are checked against the same-length prefix of the MAC.
	// As in Mail::SRS, a HashMin over the hash length that Forward emits
	// makes Reverse refuse the Rewriter's own addresses.
	HashMin int

	// Separator follows the SRS0/SRS1 tag in new addresses: '=' (the
	// default when 0), '+' or '-'. Reverse accepts all three regardless.
	Separator byte

	// AlwaysRewrite makes Forward rewrite senders in Domain too, which it
	// otherwise returns unchanged.
	AlwaysRewrite bool

	// LimitLocalPart makes Forward fail with ErrTooLong rather than return
	// an address whose local part exceeds MaxLocalPartLength (64) octets,
	// the RFC 5321 §4.5.3.1.1 limit. Off by default: like Mail::SRS,
	// libsrs2 and postsrsd, Forward then returns the long address.
	LimitLocalPart bool

	keys atomic.Value // *keyState for the current Secrets
}

// keyState returns the precomputed HMAC states for r.Secrets, computing
// them on first use and whenever Secrets has changed.
func (r *Rewriter) keyState() *keyState {
	if k, _ := r.keys.Load().(*keyState); k != nil && k.matches(r.Secrets) {
		return k
	}
	k := newKeyState(r.Secrets)
	r.keys.Store(k)
	return k
}
