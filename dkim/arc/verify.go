package arc

import (
	"context"
	"crypto/sha256"
	"encoding"
	"fmt"
	"hash"
	"io"
	"net"
	"sync"
	"time"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim"
)

// Resolver is the DNS lookup of key records, as in package dkim: LookupTXT
// of "<selector>._domainkey.<domain>." (absolute name); "no such record"
// as a *net.DNSError with IsNotFound set, anything else is temporary.
// *net.Resolver satisfies it.
type Resolver = dkim.Resolver

// Verifier validates ARC chains (RFC 8617 §5.2). The zero value is ready
// to use.
type Verifier struct {
	// Resolver looks up key records; nil means net.DefaultResolver.
	Resolver Resolver
	// MinRSABits is the smallest RSA key accepted; 0 or negative means
	// dkim.DefaultMinRSABits (1024, RFC 8301 §3.2).
	MinRSABits int
	// MaxRSABits is the largest RSA key accepted; 0 or negative means
	// dkim.DefaultMaxRSABits (8192). A larger key fails its set before
	// any RSA operation: the key comes from whoever publishes the record,
	// and the cost of a verification grows with it.
	MaxRSABits int
	// Now is the clock; nil means time.Now. ARC signatures have no
	// expiry, so only sealing reads it today.
	Now func() time.Time
	// MaxHeaderBytes limits the header block; 0 or negative means
	// dkim.DefaultMaxHeaderBytes.
	MaxHeaderBytes int
}

// Result is the outcome of validating a message's ARC chain.
type Result struct {
	// Status is the chain validation status (RFC 8617 §5.2).
	Status Status
	// Sets is N, the highest instance found (0 without ARC fields).
	Sets int
	// Err says why, when Status is Fail. It wraps ErrTemporary (and a
	// *net.DNSError) for a temporary DNS failure, which is no verdict on
	// the chain: see Temporary. Otherwise it wraps ErrChainFailed,
	// ErrStructure, ErrMalformed, ErrLimit, ErrMessageSignature or
	// ErrSeal, and for a signature also the dkim error that says why
	// (dkim.ErrBodyHashMismatch, dkim.ErrKeyNotFound, ...).
	Err error
	// OldestPass is the lowest instance whose ARC-Message-Signature
	// verifies, as do those of every newer set (RFC 8617 §5.2 step 5):
	// N when only the newest does, 1 when all do. 0 unless Status is Pass.
	OldestPass int
	// Instances holds the sets found, Instances[i-1] for i=i, with what
	// was checked of each.
	Instances []SetResult
}

// SetResult is what one ARC set says and what verifying it gave.
type SetResult struct {
	Instance int
	// Seal and MessageSignature are the parsed fields; nil when missing
	// or malformed (SealErr, MessageSignatureErr say why).
	Seal             *Seal
	MessageSignature *MessageSignature
	// AuthResults is the ARC-Authentication-Results payload after
	// "i=N;", as written (authres.Parse reads it; see Results).
	AuthResults string
	// SealVerified and MessageSignatureVerified say that the signature
	// was checked and verified.
	SealVerified             bool
	MessageSignatureVerified bool
	// SealErr and MessageSignatureErr say why a field did not parse or
	// verify; both nil for a field that was not checked.
	SealErr             error
	MessageSignatureErr error
}

// Results parses the set's ARC-Authentication-Results payload: what the
// sealer's ADMD found when the message reached it (RFC 8617 §7.2).
func (s SetResult) Results() (*authres.Header, error) { return authres.Parse(s.AuthResults) }

// Temporary reports whether the chain could not be validated because of
// a temporary DNS failure or because ctx ended: no verdict, try again.
func (r Result) Temporary() bool { return r.Err != nil && isTemporary(r.Err) }

// Verify reads the message once from r and validates its ARC chain as
// RFC 8617 §5.2 says:
//
//  1. collect the sets (none: Status None);
//  2. the newest seal says cv=fail: Fail;
//  3. structure: one field of each kind per instance, i=1..N without
//     gaps, N <= 50, cv=none at i=1 and cv=pass above;
//  4. the newest ARC-Message-Signature verifies like a DKIM signature;
//  6. every ARC-Seal, from the newest, verifies over the sets up to its
//     own with relaxed canonicalization;
//  5. (after 6) the oldest passing ARC-Message-Signature (OldestPass).
//
// The error is non-nil only when the message cannot be read (an I/O
// error, a header block beyond MaxHeaderBytes); what is wrong with the
// chain is in Result. Memory does not grow with the body, which is read
// only when the header alone does not decide. The key records are looked
// up (each name once, a few at a time) while the body is hashed. ctx is
// checked before each key lookup and before each signature check: once
// it is done, the result is Fail with an Err wrapping ctx.Err()
// (Temporary reports true).
func (v *Verifier) Verify(ctx context.Context, r io.Reader) (Result, error) {
	m, err := dkim.ReadMessage(r, v.MaxHeaderBytes)
	if err != nil {
		return Result{}, fmt.Errorf("arc: reading message: %w", err)
	}
	defer m.Close()
	run := v.prepare(m.Fields())
	if !run.decided {
		wait := run.prefetch(ctx)
		err := m.Body(run.bodyWriter())
		wait()
		if err != nil {
			return Result{}, fmt.Errorf("arc: reading message: %w", err)
		}
		run.finish(ctx)
	}
	return run.res, nil
}

// run is one validation: the chain, the hashes it needs and the keys
// looked up so far.
type run struct {
	v         *Verifier
	c         *chain
	res       Result
	decided   bool
	hashers   []bodyHasherKey
	keys      map[string]keyEntry
	mu        sync.Mutex // guards keys and lookups during the prefetch
	lookups   int        // key lookups made (tests measure the work)
	sealBytes int        // canonical bytes hashed for the seals (likewise)
}

type bodyHasherKey struct {
	c     dkim.Canonicalization
	limit int64
	h     *dkim.BodyHasher
}

type keyEntry struct {
	key *dkim.KeyRecord
	err error
}

// prepare collects the chain and settles what the header alone decides;
// for the rest it hashes the header fields the signatures cover (the
// header block is gone once the body streams) and sets up body hashers.
func (v *Verifier) prepare(fields []dkim.HeaderField) *run {
	c := collectChain(fields)
	r := &run{v: v, c: c}
	r.res.Sets = c.highest()
	r.res.Instances = make([]SetResult, len(c.sets))
	for i, s := range c.sets {
		sr := &r.res.Instances[i]
		sr.Instance = s.instance
		sr.Seal, sr.SealErr = s.seal, s.sealErr
		sr.MessageSignature, sr.MessageSignatureErr = s.ams, s.amsErr
		sr.AuthResults = s.aarPayload
	}
	switch {
	case c.fields == 0:
		r.decide(None, nil)
		return r
	case c.newestFailed():
		r.decide(Fail, fmt.Errorf("%w: newest %s is i=%d", ErrChainFailed, SealField, c.highest()))
		return r
	}
	if err := c.structure(); err != nil {
		r.decide(Fail, err)
		return r
	}
	if s := c.sets[len(c.sets)-1]; s.amsErr != nil {
		r.decide(Fail, fmt.Errorf("%w: %w", ErrMessageSignature, s.amsErr))
		return r
	}
	r.hashSeals()
	for _, s := range c.sets {
		if s.ams == nil {
			continue
		}
		s.amsDigest, s.body = r.prepareAMS(fields, s, s.ams.HeaderCanonicalization, s.ams.BodyCanonicalization)
		if s.ams.CanonicalizationDefaulted {
			s.amsDigestRelaxed, s.bodyRelaxed = r.prepareAMS(fields, s, dkim.Relaxed, dkim.Relaxed)
		}
	}
	return r
}

// prepareAMS hashes the header fields an ARC-Message-Signature signs, with
// canonicalization hc, and gives it a body hasher with bc.
func (r *run) prepareAMS(fields []dkim.HeaderField, s *arcSet, hc, bc dkim.Canonicalization) ([]byte, *dkim.BodyHasher) {
	h := sha256.New()
	dkim.HashHeaderFields(h, fields, s.ams.Headers, hc)
	dkim.HashSignatureField(h, s.amsRaw, hc)
	return h.Sum(nil), r.bodyHasher(bc, s.ams.BodyLength)
}

func (r *run) decide(st Status, err error) {
	r.res.Status, r.res.Err, r.decided = st, err, true
}

// bodyHasher returns a body hasher for canonicalization c and l= limit,
// shared between signatures that need the same one.
func (r *run) bodyHasher(c dkim.Canonicalization, limit int64) *dkim.BodyHasher {
	for _, b := range r.hashers {
		if b.c == c && b.limit == limit {
			return b.h
		}
	}
	h := dkim.NewBodyHasher(c, sha256.New(), limit)
	r.hashers = append(r.hashers, bodyHasherKey{c, limit, h})
	return h
}

func (r *run) bodyWriter() io.Writer {
	ws := make([]io.Writer, len(r.hashers))
	for i, b := range r.hashers {
		ws[i] = b.h
	}
	return io.MultiWriter(ws...)
}

// hashSeals computes the digest every ARC-Seal signs (RFC 8617 §5.1.1):
// the sets 1..i in order, each as AAR, AMS, AS with relaxed header
// canonicalization, the seal of set i with its b= value deleted and
// without its final CRLF. The common prefix is hashed once, so the work is
// linear in the size of the chain.
func (r *run) hashSeals() {
	h := sha256.New()
	var buf []byte
	for _, s := range r.c.sets {
		buf = dkim.AppendCanonicalHeader(buf[:0], s.aarRaw, dkim.Relaxed)
		buf = dkim.AppendCanonicalHeader(buf, s.amsRaw, dkim.Relaxed)
		h.Write(buf)
		r.sealBytes += len(buf)
		fork := cloneHash(h)
		dkim.HashSignatureField(fork, s.sealRaw, dkim.Relaxed)
		s.sealDigest = fork.Sum(nil)
		buf = dkim.AppendCanonicalHeader(buf[:0], s.sealRaw, dkim.Relaxed)
		h.Write(buf)
		r.sealBytes += 2 * len(buf) // the fork hashed it once too
	}
}

// cloneHash copies a SHA-256 state.
func cloneHash(h hash.Hash) hash.Hash {
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("arc: sha256 state: " + err.Error())
	}
	c := sha256.New()
	if err := c.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		panic("arc: sha256 state: " + err.Error())
	}
	return c
}

// finish decides the chain once the body has been hashed: steps 4, 6
// and 5 of RFC 8617 §5.2, in that order, each stopping at the first
// failure.
func (r *run) finish(ctx context.Context) {
	sets := r.c.sets
	n := len(sets)
	newest := sets[n-1]
	if err := r.checkAMS(ctx, newest); err != nil {
		r.res.Instances[n-1].MessageSignatureErr = err
		r.decide(Fail, err)
		return
	}
	r.res.Instances[n-1].MessageSignatureVerified = true
	for i := n - 1; i >= 0; i-- {
		s := sets[i]
		sr := &r.res.Instances[i]
		err := r.verifySignature(ctx, s.seal.Algorithm, s.seal.Selector, s.seal.Domain, s.sealDigest, s.seal.Signature)
		if err != nil {
			if !isTemporary(err) {
				err = fmt.Errorf("%w: i=%d (d=%s s=%s): %w", ErrSeal, s.instance, s.seal.Domain, s.seal.Selector, err)
			}
			sr.SealErr = err
			r.decide(Fail, err)
			return
		}
		sr.SealVerified = true
	}
	r.res.OldestPass = n
	for i := n - 2; i >= 0; i-- {
		if ctx.Err() != nil {
			break
		}
		err := r.checkAMS(ctx, sets[i])
		if err != nil {
			r.res.Instances[i].MessageSignatureErr = err
			break
		}
		r.res.Instances[i].MessageSignatureVerified = true
		r.res.OldestPass = i + 1
	}
	r.decide(Pass, nil)
}

// checkAMS verifies one ARC-Message-Signature like a DKIM signature (RFC
// 8617 §5.2 step 4): body hash, then key and signature. One without c= is
// tried as simple/simple (RFC 6376 §3.5, which RFC 8617 §4.1.2 refers
// to) and then as relaxed/relaxed, the default of the ARC drafts that
// dkimpy and the public ARC test suite (ams_fields_c_na) follow.
func (r *run) checkAMS(ctx context.Context, s *arcSet) error {
	if s.amsErr != nil {
		return fmt.Errorf("%w: %w", ErrMessageSignature, s.amsErr)
	}
	err := r.checkAMSWith(ctx, s, s.amsDigest, s.body)
	if err != nil && s.bodyRelaxed != nil && !isTemporary(err) {
		if r.checkAMSWith(ctx, s, s.amsDigestRelaxed, s.bodyRelaxed) == nil {
			return nil
		}
	}
	return err
}

func (r *run) checkAMSWith(ctx context.Context, s *arcSet, digest []byte, body *dkim.BodyHasher) error {
	ams := s.ams
	wrap := func(err error) error {
		if isTemporary(err) {
			return err
		}
		return fmt.Errorf("%w: i=%d (d=%s s=%s): %w", ErrMessageSignature, s.instance, ams.Domain, ams.Selector, err)
	}
	if ams.BodyLength >= 0 && ams.BodyLength > body.Len() {
		return wrap(fmt.Errorf("%w: l=%d, canonical body has %d octets", dkim.ErrBodyTooShort, ams.BodyLength, body.Len()))
	}
	if string(body.Sum()) != string(ams.BodyHash) {
		return wrap(dkim.ErrBodyHashMismatch)
	}
	if err := r.verifySignature(ctx, ams.Algorithm, ams.Selector, ams.Domain, digest, ams.Signature); err != nil {
		return wrap(err)
	}
	return nil
}

// lookup returns the key record of selector and domain, looked up once
// per run (a temporary failure too: the chain is not retried within one
// Verify). Safe for concurrent use.
func (r *run) lookup(ctx context.Context, selector, domain string) keyEntry {
	name := selector + "._domainkey." + domain + "."
	r.mu.Lock()
	e, ok := r.keys[name]
	r.mu.Unlock()
	if ok {
		return e
	}
	if err := ctx.Err(); err != nil {
		return keyEntry{err: fmt.Errorf("arc: verification stopped: %w", err)}
	}
	res := r.v.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	k, err := dkim.LookupKey(ctx, res, selector, domain)
	e = keyEntry{k, keyError(err)}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lookups++
	if old, ok := r.keys[name]; ok {
		return old
	}
	if r.keys == nil {
		r.keys = map[string]keyEntry{}
	}
	if ctx.Err() == nil || !isTemporary(e.err) {
		r.keys[name] = e
	}
	return e
}

// maxPrefetch bounds the key lookups running at once.
const maxPrefetch = 4

// prefetch starts the key lookups the chain will need (every seal's and
// every ARC-Message-Signature's, each name once), at most maxPrefetch at a
// time, so that they run while the body is hashed. wait waits for them.
func (r *run) prefetch(ctx context.Context) (wait func()) {
	type keyName struct{ selector, domain string }
	var names []keyName
	seen := map[keyName]bool{}
	add := func(sel, dom string) {
		k := keyName{sel, dom}
		if !seen[k] {
			seen[k] = true
			names = append(names, k)
		}
	}
	for i := len(r.c.sets) - 1; i >= 0; i-- {
		if s := r.c.sets[i]; s.ams != nil {
			add(s.ams.Selector, s.ams.Domain)
		}
		if s := r.c.sets[i]; s.seal != nil {
			add(s.seal.Selector, s.seal.Domain)
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxPrefetch)
	for _, k := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r.lookup(ctx, k.selector, k.domain)
		}()
	}
	return wg.Wait
}

// verifySignature looks up the key (once per name and Verify) and checks
// a signature with it, refusing keys that do not fit the algorithm or
// whose RSA size is outside the limits before any public-key operation.
func (r *run) verifySignature(ctx context.Context, alg, selector, domain string, digest, sig []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("arc: verification stopped: %w", err)
	}
	e := r.lookup(ctx, selector, domain)
	if e.err != nil {
		return e.err
	}
	if err := e.key.CheckAlgorithm(alg); err != nil {
		return err
	}
	if err := e.key.CheckRSASize(r.v.MinRSABits, r.v.MaxRSABits); err != nil {
		return err
	}
	if !dkim.VerifyDigest(e.key.PublicKey, digest, sig) {
		return dkim.ErrSignatureMismatch
	}
	return nil
}
