package dkim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Resolver is the DNS lookup the verifier needs; *net.Resolver satisfies
// it.
//
// LookupTXT is called once per evaluated signature with the absolute
// name of its key record, "<selector>._domainkey.<domain>." (note the
// trailing dot, so that no search domain is appended; the domain is d=
// lower-cased), and must return the record's strings, each TXT record's
// strings already joined as net.Resolver does. An in-memory fake keyed by
// names without the dot finds nothing, and every signature then reads
// permerror (ErrKeyNotFound). Report "no such record" as a *net.DNSError
// with IsNotFound set (permerror); any other error is temporary
// (temperror, ErrTemporary).
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Defaults of Verifier's zero value.
const (
	// DefaultMaxSignatures is how many DKIM-Signature fields are
	// evaluated when Verifier.MaxSignatures is 0 or negative.
	DefaultMaxSignatures = 5
	// DefaultMinRSABits is the smallest RSA key accepted when
	// Verifier.MinRSABits is 0 or negative (RFC 8301 §3.2).
	DefaultMinRSABits = 1024
	// DefaultMaxRSABits is the largest RSA key accepted when
	// Verifier.MaxRSABits is 0 or negative: the cap crypto/tls puts on RSA keys.
	// The cost of an RSA verification grows with the square of the
	// modulus size or faster, and the key comes from whoever publishes the
	// DNS record.
	DefaultMaxRSABits = 8192
)

// Verifier checks DKIM signatures (RFC 6376 §6, RFC 8301, RFC 8463). The
// zero value is ready to use. Its limits are safety caps: 0 or a negative
// value means the default, never "no limit" (the suite's convention).
type Verifier struct {
	// Resolver looks up key records; nil means net.DefaultResolver.
	Resolver Resolver
	// MaxSignatures limits how many DKIM-Signature fields (from the top)
	// are evaluated; later ones are ignored and get no Verification.
	// 0 or negative means DefaultMaxSignatures.
	MaxSignatures int
	// MinRSABits is the smallest RSA key accepted; 0 or negative means
	// DefaultMinRSABits. Values below 1024 only help as far as crypto/rsa
	// allows (see GODEBUG rsa1024min).
	MinRSABits int
	// MaxRSABits is the largest RSA key accepted; 0 or negative means
	// DefaultMaxRSABits. A larger key is a permerror (ErrKeyTooLarge)
	// decided before any RSA operation.
	MaxRSABits int
	// Now is the clock for x= checks; nil means time.Now.
	Now func() time.Time
	// MaxHeaderBytes limits the header block; 0 or negative means
	// DefaultMaxHeaderBytes.
	MaxHeaderBytes int
}

// Verification is the outcome for one DKIM-Signature field.
type Verification struct {
	Result    Result
	Domain    string    // d=, lower-cased
	Selector  string    // s=
	Identity  string    // i= (decoded), "@"+d= when absent
	Algorithm Algorithm // a=, e.g. "rsa-sha256"
	// Err says why, when Result is not Pass; it wraps one of the package's
	// sentinel errors (ErrBodyHashMismatch, ErrSignatureMismatch,
	// ErrKeyNotFound, ...).
	Err error
	// Signature is the parsed field; nil when it could not be parsed.
	Signature *Signature
	// Testing is set when the key record carries t=y: the domain is
	// testing DKIM, and RFC 6376 §3.6.1 asks verifiers to treat the
	// message as if it were unsigned for policy purposes.
	Testing bool
	// BodyLength is the l= value, -1 when the whole body is signed.
	BodyLength int64
	// UnsignedBodyBytes counts the canonical body octets after the l=
	// limit: content anyone could have appended (RFC 6376 §8.2).
	UnsignedBodyBytes int64
}

// pending is the verifier's state for one signature.
type pending struct {
	v       *Verification
	sig     *Signature
	digest  []byte // hash of the signed header fields
	key     *KeyRecord
	keyErr  error
	body    *bodyHasher
	skipped bool // already decided
}

// Verify reads the message once from r and verifies up to MaxSignatures
// DKIM-Signature fields, returning one Verification per field in the
// order they appear (top first). A message without signatures gives an
// empty slice (RFC 8601 "dkim=none": see NoSignature and AuthResults).
// The error is non-nil only when the message itself cannot be read (I/O
// error, ErrHeaderTooLarge); problems with a signature are reported in its
// Verification.
//
// Key lookups run while the body is hashed. Memory does not grow with the
// body; lines may end in CRLF or bare LF. A message none of whose
// signatures needs its body (none at all, or only ones refused on sight:
// syntax, a= rsa-sha1 or unknown, expired) is not read beyond its header
// block.
//
// ctx is checked before each key lookup and before each signature is
// checked against its key: once it is done, the signatures not yet decided
// read temperror with an Err that wraps ctx.Err().
func (v *Verifier) Verify(ctx context.Context, r io.Reader) ([]Verification, error) {
	m, err := readHeader(r, v.MaxHeaderBytes)
	if err != nil {
		return nil, err
	}
	defer m.release()
	maxSigs := orDefault(v.MaxSignatures, DefaultMaxSignatures)
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	var sigIdx []int
	for i, f := range m.fields {
		if equalFold(f.name, "dkim-signature") {
			if len(sigIdx) == maxSigs {
				break
			}
			sigIdx = append(sigIdx, i)
		}
	}
	if len(sigIdx) == 0 {
		return []Verification{}, nil
	}
	results := make([]Verification, len(sigIdx))
	ps := make([]pending, len(sigIdx))
	open := prepareSignatures(m.fields, sigIdx, results, ps, now())
	if open == 0 {
		return results, nil
	}

	// Key lookups run concurrently with the body.
	res := v.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	var wg sync.WaitGroup
	for k := range ps {
		p := &ps[k]
		if p.skipped {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ctx.Err(); err != nil {
				p.keyErr = cancelled(err)
				return
			}
			p.key, p.keyErr = lookupKey(ctx, res, p.sig.Selector, p.sig.Domain)
		}()
	}

	hashers := bodyHashers(ps)
	err = m.streamBody(func(b []byte) {
		for _, bh := range hashers {
			bh.Write(b)
		}
	})
	wg.Wait()
	if err != nil {
		return nil, err
	}
	for _, bh := range hashers {
		bh.Close()
	}
	for k := range ps {
		p := &ps[k]
		if p.skipped {
			continue
		}
		if err := ctx.Err(); err != nil {
			p.decide(TempError, cancelled(err))
			continue
		}
		p.finish(v.MinRSABits, v.MaxRSABits)
	}
	return results, nil
}

// cancelled wraps a done context's error for Verification.Err.
func cancelled(err error) error {
	return fmt.Errorf("dkim: verification stopped: %w", err)
}

func (p *pending) decide(r Result, err error) {
	p.v.Result, p.v.Err, p.skipped = r, err, true
}

// verifySignature checks a signature value over the header digest with
// the key.
func verifySignature(pub crypto.PublicKey, digest, sig []byte) bool {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig) == nil
	case ed25519.PublicKey:
		return ed25519.Verify(pub, digest, sig)
	}
	return false
}

// finish decides one signature once its key and body hash are known
// (RFC 6376 §6.1.2, §6.1.3).
func (p *pending) finish(minRSABits, maxRSABits int) {
	sig := p.sig
	if p.keyErr != nil {
		if errors.Is(p.keyErr, ErrTemporary) || errors.Is(p.keyErr, context.Canceled) || errors.Is(p.keyErr, context.DeadlineExceeded) {
			p.decide(TempError, p.keyErr)
		} else {
			p.decide(PermError, p.keyErr)
		}
		return
	}
	key := p.key
	p.v.Testing = key.Testing()
	if err := checkKey(key, sig, minRSABits, maxRSABits); err != nil {
		p.decide(PermError, err)
		return
	}
	if sig.BodyLength >= 0 {
		if sig.BodyLength > p.body.total {
			p.decide(Fail, fmt.Errorf("%w: l=%d, canonical body has %d octets", ErrBodyTooShort, sig.BodyLength, p.body.total))
			return
		}
		p.v.UnsignedBodyBytes = p.body.total - sig.BodyLength
	}
	if !bytes.Equal(p.body.sum(nil), sig.BodyHash) {
		p.decide(Fail, fmt.Errorf("%w (d=%s s=%s)", ErrBodyHashMismatch, sig.Domain, sig.Selector))
		return
	}
	if !verifySignature(key.PublicKey, p.digest, sig.Value) {
		p.decide(Fail, fmt.Errorf("%w (d=%s s=%s)", ErrSignatureMismatch, sig.Domain, sig.Selector))
		return
	}
	p.v.Result = Pass
}

// sum returns the body hash, computing it once.
func (c *bodyHasher) sum(buf []byte) []byte {
	if c.digest == nil {
		c.digest = c.h.Sum(buf)
	}
	return c.digest
}

// prepareSignatures parses each DKIM-Signature field, settles the ones
// that fail without a key (syntax, a refused or unknown algorithm,
// expiry), and hashes the signed header fields of the others (RFC 6376
// §6.1.1, §3.7). It returns how many signatures are left open.
func prepareSignatures(fields []field, sigIdx []int, results []Verification, ps []pending, now time.Time) int {
	var scratch []byte
	open := 0
	for k, fi := range sigIdx {
		p := &ps[k]
		p.v = &results[k]
		p.v.BodyLength = -1
		raw := fields[fi].raw
		value := raw[bytes.IndexByte(raw, ':')+1:]
		sig, err := parseSignature(string(value))
		p.v.Domain, p.v.Selector, p.v.Algorithm = sig.Domain, sig.Selector, sig.Algorithm
		if err != nil {
			p.decide(PermError, err)
			continue
		}
		p.sig = sig
		p.v.Signature = sig
		p.v.Identity = sig.Identity
		p.v.BodyLength = sig.BodyLength
		if len(sig.Headers) > maxSignedHeaders {
			p.decide(PermError, fmt.Errorf("%w: h= lists more than %d fields", ErrMalformedSignature, maxSignedHeaders))
			continue
		}
		if !sig.Expiration.IsZero() && now.After(sig.Expiration) {
			p.decide(PermError, fmt.Errorf("%w: x=%d", ErrExpired, sig.Expiration.Unix()))
			continue
		}
		if sig.Algorithm == AlgorithmRSASHA1 {
			// Refused on sight, before any key lookup or body hash
			// (RFC 8301 §3.1, RFC 6376 §6.1.1).
			p.decide(PermError, fmt.Errorf("%w: a=%s", ErrInsecureAlgorithm, sig.Algorithm))
			continue
		}
		h := sha256.New()
		scratch = hashSelectedHeaders(h, fields, sig.Headers, fi, sig.HeaderCanonicalization, scratch)
		scratch = hashSignatureField(h, raw, sig.HeaderCanonicalization, scratch)
		p.digest = h.Sum(nil)
		open++
	}
	return open
}

// bodyHashers gives each signature still open a body hasher, sharing one
// between signatures with the same canonicalization, hash and l=.
func bodyHashers(ps []pending) []*bodyHasher {
	var hashers []*bodyHasher
	for k := range ps {
		p := &ps[k]
		if p.skipped {
			continue
		}
		for _, bh := range hashers {
			if bh.relaxed == (p.sig.BodyCanonicalization == Relaxed) && bh.limit == p.sig.BodyLength {
				p.body = bh
				break
			}
		}
		if p.body == nil {
			p.body = newBodyHasher(p.sig.BodyCanonicalization, sha256.New(), p.sig.BodyLength)
			hashers = append(hashers, p.body)
		}
	}
	return hashers
}
