package arc

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim"
)

// Sealer adds an ARC set to messages (RFC 8617 §5.1). Domain, Selector,
// Key and AuthServID are required; the other fields work at their zero
// value.
type Sealer struct {
	// Domain (d=) and Selector (s=) name the key record,
	// <selector>._domainkey.<domain>, as for DKIM.
	Domain, Selector string
	// Key is *rsa.PrivateKey (rsa-sha256) or ed25519.PrivateKey
	// (ed25519-sha256, RFC 8463), or another crypto.Signer with such a
	// public key.
	Key crypto.Signer
	// AuthServID is this ADMD's authserv-id: the Authentication-Results
	// fields that carry it become the ARC-Authentication-Results (RFC 8617
	// §4.1.1), consolidated in order with their text (authres.Consolidate).
	AuthServID string
	// Headers lists the fields the ARC-Message-Signature signs, written to
	// h= exactly in this order (lower-cased). nil means the fields of
	// dkim.DefaultHeaders present in the message, each as many times as
	// it occurs, From always.
	Headers []string
	// Resolver looks up key records to validate the chain already on the
	// message (cv=); nil means net.DefaultResolver.
	Resolver Resolver
	// Now gives t=; nil means time.Now.
	Now func() time.Time
	// MinRSABits, MaxRSABits and MaxHeaderBytes are as in Verifier, for the
	// validation of the incoming chain.
	MinRSABits, MaxRSABits, MaxHeaderBytes int
}

// Seal validates the chain already on the message, then returns the three
// fields of the new set to prepend to it:
//
//	"ARC-Seal: ...\r\nARC-Message-Signature: ...\r\nARC-Authentication-Results: ...\r\n"
//
// The new set is i=N+1 with cv= the incoming chain's status (RFC 8617
// §5.1): none for the first set, pass, or fail; a failed chain is sealed
// with cv=fail and the seal signs only its own set (§5.1.2).
//
// The status is the chain's as the message arrived, before this ADMD
// changed it (a footer, a subject tag): when this ADMD's
// Authentication-Results carry an arc= result (the top one, written at
// arrival from Verifier.Verify's AuthResult), Seal takes it, as dkimpy
// does, checking only that a "pass" has a well-formed chain under it;
// arc=temperror is an ErrTemporary error. Without one, Seal validates the
// chain on the message as given, which is right for a forwarder that
// changes nothing. A chain whose
// newest seal already says cv=fail gets no new set (ErrChainFailed), nor
// does one of MaxInstance sets (ErrLimit). When the incoming chain cannot
// be validated because of a temporary DNS failure the error wraps
// ErrTemporary: try again later rather than seal cv=fail.
//
// The AMS and AS use relaxed canonicalization and follow the public ARC
// test suite's standardized format (tags in alphabetical order, values
// lower-cased except b= and bh=, no white space inside values, folding only
// after ";"). The message is read once; memory does not grow with the
// body.
func (s *Sealer) Seal(ctx context.Context, r io.Reader) (string, error) {
	alg, err := s.check()
	if err != nil {
		return "", err
	}
	m, err := dkim.ReadMessage(r, s.MaxHeaderBytes)
	if err != nil {
		return "", fmt.Errorf("arc: reading message: %w", err)
	}
	defer m.Close()
	fields := m.Fields()
	v := &Verifier{Resolver: s.Resolver, MinRSABits: s.MinRSABits, MaxRSABits: s.MaxRSABits}
	run := v.prepare(fields)
	if run.c.newestFailed() {
		return "", fmt.Errorf("%w: newest %s is i=%d", ErrChainFailed, SealField, run.c.highest())
	}
	instance := 1
	for _, set := range run.c.sets {
		if set.nas+set.nams+set.naar > 0 {
			instance = set.instance + 1
		}
	}
	if instance > MaxInstance {
		return "", fmt.Errorf("%w: the message already has %d ARC sets", ErrLimit, MaxInstance)
	}

	// ARC-Authentication-Results: this ADMD's results, in order.
	var values []string
	for _, f := range fields {
		if equalFold(f.Name, authres.FieldName) {
			values = append(values, fieldValue(f.Raw))
		}
	}
	ar, err := authres.Consolidate(s.AuthServID, values...)
	if err != nil {
		return "", fmt.Errorf("arc: Authentication-Results of %s: %w", s.AuthServID, err)
	}
	prefix := AuthenticationResultsField + ": i=" + strconv.Itoa(instance) + "; "
	aar := prefix + ar.Folded(len(prefix)) + "\r\n"

	// The AMS signs the message as it will be, the new AAR on top.
	names := s.headers(fields)
	amsHash := sha256.New()
	withAAR := append([]dkim.HeaderField{{Name: []byte(AuthenticationResultsField), Raw: []byte(aar)}}, fields...)
	dkim.HashHeaderFields(amsHash, withAAR, names, dkim.Relaxed)
	body := run.bodyHasher(dkim.Relaxed, -1)
	stated, haveStated := statedStatus(ar)
	wait := func() {}
	if !haveStated && !run.decided {
		wait = run.prefetch(ctx)
	}
	err = m.Body(run.bodyWriter())
	wait()
	if err != nil {
		return "", fmt.Errorf("arc: reading message: %w", err)
	}
	var cv Status
	switch {
	case haveStated && stated == "temperror":
		return "", fmt.Errorf("%w: this ADMD's Authentication-Results say arc=temperror", ErrTemporary)
	case haveStated:
		cv = Status(stated)
		if cv == Pass && run.c.structure() != nil {
			cv = Fail
		}
	default:
		if !run.decided {
			run.finish(ctx)
		}
		if run.res.Temporary() {
			return "", fmt.Errorf("arc: validating the incoming chain: %w", run.res.Err)
		}
		cv = run.res.Status
	}
	switch {
	case run.c.fields == 0:
		// No ARC field at all: the first set (RFC 8617 §5.1.1).
		cv = None
	case cv == None:
		// ARC fields that do not form a chain.
		cv = Fail
	}

	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	t := "t=" + strconv.FormatInt(now().Unix(), 10)
	i := "i=" + strconv.Itoa(instance)
	d := "d=" + strings.ToLower(strings.TrimSuffix(s.Domain, "."))
	sel := "s=" + strings.ToLower(s.Selector)
	a := "a=" + alg
	amsTags := []string{a, "b=", "bh=" + base64.StdEncoding.EncodeToString(body.Sum()), "c=relaxed/relaxed", d,
		"h=" + strings.ToLower(strings.Join(names, ":")), i, sel, t}
	dkim.HashSignatureField(amsHash, []byte(formatTags(MessageSignatureField, amsTags)), dkim.Relaxed)
	sig, _, err := dkim.SignDigest(s.Key, amsHash.Sum(nil))
	if err != nil {
		return "", fmt.Errorf("arc: signing the ARC-Message-Signature: %w", err)
	}
	amsTags[1] = "b=" + base64.StdEncoding.EncodeToString(sig)
	ams := formatTags(MessageSignatureField, amsTags)

	// The AS signs the sets before it (unless the chain failed) and its own.
	asHash := sha256.New()
	var buf []byte
	if cv != Fail {
		for _, set := range run.c.sets {
			buf = dkim.AppendCanonicalHeader(buf[:0], set.aarRaw, dkim.Relaxed)
			buf = dkim.AppendCanonicalHeader(buf, set.amsRaw, dkim.Relaxed)
			buf = dkim.AppendCanonicalHeader(buf, set.sealRaw, dkim.Relaxed)
			asHash.Write(buf)
		}
	}
	buf = dkim.AppendCanonicalHeader(buf[:0], []byte(aar), dkim.Relaxed)
	buf = dkim.AppendCanonicalHeader(buf, []byte(ams), dkim.Relaxed)
	asHash.Write(buf)
	asTags := []string{a, "b=", "cv=" + string(cv), d, i, sel, t}
	dkim.HashSignatureField(asHash, []byte(formatTags(SealField, asTags)), dkim.Relaxed)
	sig, _, err = dkim.SignDigest(s.Key, asHash.Sum(nil))
	if err != nil {
		return "", fmt.Errorf("arc: signing the ARC-Seal: %w", err)
	}
	asTags[1] = "b=" + base64.StdEncoding.EncodeToString(sig)
	return formatTags(SealField, asTags) + ams + aar, nil
}

// statedStatus returns the first arc= result of this ADMD's
// Authentication-Results (the top field is the newest, written when the
// message arrived here): "pass", "fail", "none" or "temperror", any other
// value read as "fail"; false when there is none.
func statedStatus(ar *authres.Header) (string, bool) {
	for _, r := range ar.Results {
		if r.Method != "arc" {
			continue
		}
		switch r.Value {
		case "pass", "fail", "none", "temperror":
			return r.Value, true
		}
		return "fail", true
	}
	return "", false
}

// check validates the configuration and returns the a= algorithm.
func (s *Sealer) check() (string, error) {
	if s.Key == nil {
		return "", fmt.Errorf("%w: no Key", ErrInvalidSealer)
	}
	var alg dkim.Algorithm
	switch s.Key.Public().(type) {
	case *rsa.PublicKey:
		alg = dkim.AlgorithmRSASHA256
	case ed25519.PublicKey:
		alg = dkim.AlgorithmEd25519SHA256
	default:
		return "", fmt.Errorf("%w: key type %T is neither RSA nor Ed25519", ErrInvalidSealer, s.Key.Public())
	}
	if err := dkim.CheckDomain(strings.TrimSuffix(s.Domain, ".")); err != nil {
		return "", fmt.Errorf("%w: Domain: %v", ErrInvalidSealer, err)
	}
	if err := dkim.CheckSelector(s.Selector); err != nil {
		return "", fmt.Errorf("%w: Selector: %v", ErrInvalidSealer, err)
	}
	if s.AuthServID == "" || strings.ContainsAny(s.AuthServID, " \t\r\n;") {
		return "", fmt.Errorf("%w: AuthServID %q", ErrInvalidSealer, clip(s.AuthServID))
	}
	for _, h := range s.Headers {
		if h == "" || strings.ContainsAny(h, ": \t\r\n") || strings.EqualFold(h, SealField) {
			return "", fmt.Errorf("%w: Headers: %q cannot be signed", ErrInvalidSealer, clip(h))
		}
	}
	if s.Headers != nil && len(s.Headers) == 0 {
		return "", fmt.Errorf("%w: Headers is empty (nil means the default)", ErrInvalidSealer)
	}
	if len(s.Headers) > maxSignedHeaders {
		return "", fmt.Errorf("%w: more than %d Headers", ErrInvalidSealer, maxSignedHeaders)
	}
	return alg, nil
}

// headers returns the h= list: Headers as given, or the default.
func (s *Sealer) headers(fields []dkim.HeaderField) []string {
	if s.Headers != nil {
		return s.Headers
	}
	var names []string
	for _, name := range dkim.DefaultHeaders() {
		n := 0
		for _, f := range fields {
			if equalFold(f.Name, name) {
				n++
			}
		}
		if n == 0 && strings.EqualFold(name, "From") {
			n = 1
		}
		for ; n > 0 && len(names) < maxSignedHeaders; n-- {
			names = append(names, strings.ToLower(name))
		}
	}
	return names
}
