package dkim

// Building blocks for signature schemes built on DKIM, ARC (RFC 8617) first
// of all: its ARC-Message-Signature is a DKIM signature with another name
// and an instance number instead of an identity, and its ARC-Seal is a
// tag-list signed over header fields. They expose the same code the
// Verifier and Signer run, so that such a package does not keep a second
// copy of canonicalization, tag-list parsing or key lookup.

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
)

// Tag is one tag=value pair of an RFC 6376 §3.2 tag-list, its value with
// the surrounding folding whitespace removed.
type Tag struct {
	Name, Value string
}

// ParseTagList splits an RFC 6376 §3.2 tag-list as the signature parser
// does: tag names are case-sensitive and must be ALPHA *(ALPHA/DIGIT/"_"),
// a repeated name invalidates the whole list, empty elements (";;", a
// final ";") are skipped, control characters in values are refused, and
// at most 64 tags are accepted.
func ParseTagList(s string) ([]Tag, error) {
	tags, err := parseTagList(s)
	if err != nil {
		return nil, err
	}
	out := make([]Tag, len(tags))
	for i, t := range tags {
		out[i] = Tag{t.name, t.value}
	}
	return out, nil
}

// DecodeBase64 decodes a base64 tag value (b=, bh=, p=), which may contain
// folding whitespace and may lack its padding.
func DecodeBase64(s string) ([]byte, error) { return decodeBase64(s) }

// RemoveFWS deletes all folding whitespace from a tag value, as base64
// values and colon-separated lists allow it anywhere (RFC 6376 §3.2).
func RemoveFWS(s string) string { return removeFWS(s) }

// ParseCanonicalizationTag parses a c= value ("relaxed/simple"; the body
// algorithm defaults to simple when absent, RFC 6376 §3.5).
func ParseCanonicalizationTag(c string) (header, body Canonicalization, err error) {
	hc, bc, two := strings.Cut(removeFWS(c), "/")
	if header, err = parseCanonicalization(hc); err != nil {
		return "", "", err
	}
	body = Simple
	if two {
		if body, err = parseCanonicalization(bc); err != nil {
			return "", "", err
		}
	}
	return header, body, nil
}

// AppendCanonicalHeader appends the canonical form of one header field
// (raw: name, colon, value and line ending(s), as it stands in the
// message) to dst, ending in CRLF (RFC 6376 §3.4.1, §3.4.2).
func AppendCanonicalHeader(dst, raw []byte, c Canonicalization) []byte {
	return appendHeader(dst, raw, c)
}

// HashSignatureField writes a signature field to h as RFC 6376 §3.7 signs
// it: its b= value deleted, canonicalized with c, without its final CRLF.
// raw is the whole field as it stands in the message.
func HashSignatureField(h hash.Hash, raw []byte, c Canonicalization) {
	hashSignatureField(h, raw, c, nil)
}

// HeaderField is one header field of a message read by ReadMessage.
type HeaderField struct {
	// Name is the field name as written, without surrounding whitespace.
	Name []byte
	// Raw is the whole field, name to final line ending, continuation
	// lines included.
	Raw []byte
}

// Message is a message being streamed: its header block read, its body
// not yet. It is what Verifier and Signer work on.
type Message struct {
	m *message
}

// ReadMessage reads the header block of a message (up to maxHeaderBytes;
// 0 or negative means DefaultMaxHeaderBytes, beyond it ErrHeaderTooLarge) and leaves
// the body unread. Lines may end in CRLF or a bare LF. Close releases the
// buffers; Fields and the slices in them are valid until Body or Close.
func ReadMessage(r io.Reader, maxHeaderBytes int) (*Message, error) {
	m, err := readHeader(r, maxHeaderBytes)
	if err != nil {
		return nil, err
	}
	return &Message{m}, nil
}

// Fields returns the header fields, top first. The slices alias the
// message's buffer.
func (m *Message) Fields() []HeaderField {
	out := make([]HeaderField, len(m.m.fields))
	for i, f := range m.m.fields {
		out[i] = HeaderField{Name: f.name, Raw: f.raw}
	}
	return out
}

// HashHeaders writes to h the canonical form of the header fields named in
// names, choosing instances from the bottom up as RFC 6376 §5.4.2 says (the
// n-th mention of a name takes the n-th instance counted from the last);
// a name with no instance left contributes nothing.
func (m *Message) HashHeaders(h hash.Hash, names []string, c Canonicalization) {
	hashSelectedHeaders(h, m.m.fields, names, -1, c, nil)
}

// HashHeaderFields is HashHeaders over any list of fields, top first: a
// sealer that prepends fields of its own (an ARC set) selects from the
// message as it will be.
func HashHeaderFields(h hash.Hash, fields []HeaderField, names []string, c Canonicalization) {
	fs := make([]field, len(fields))
	for i, f := range fields {
		fs[i] = field{name: f.Name, raw: f.Raw}
	}
	hashSelectedHeaders(h, fs, names, -1, c, nil)
}

// Body streams the rest of the message, chunk by chunk, to w, in one pass
// through a fixed buffer. The header fields must not be used afterwards.
func (m *Message) Body(w io.Writer) error {
	if m.m == nil {
		return errors.New("dkim: Message.Body after Close")
	}
	return m.m.streamBody(func(b []byte) { w.Write(b) })
}

// Close releases the message's buffers.
func (m *Message) Close() {
	if m.m != nil {
		m.m.release()
		m.m = nil
	}
}

// BodyHasher canonicalizes a body as it streams past and hashes it
// (RFC 6376 §3.4.3, §3.4.4, §3.7), with the same canonicalizer as Verifier:
// constant memory, bare LF treated as CRLF.
type BodyHasher struct {
	c *bodyHasher
}

// NewBodyHasher returns a body hasher with canonicalization c into h,
// hashing at most limit canonical octets (l=); limit -1 hashes all.
func NewBodyHasher(c Canonicalization, h hash.Hash, limit int64) *BodyHasher {
	return &BodyHasher{newBodyHasher(c, h, limit)}
}

// Write canonicalizes and hashes p; it never fails.
func (b *BodyHasher) Write(p []byte) (int, error) { return b.c.Write(p) }

// Sum ends the body and returns its hash; later calls return the same.
func (b *BodyHasher) Sum() []byte {
	if b.c.digest == nil {
		b.c.Close()
	}
	return b.c.sum(nil)
}

// Len returns the number of canonical body octets seen so far (all of
// them once Sum was called), whatever the limit.
func (b *BodyHasher) Len() int64 { return b.c.total }

// LookupKey fetches and parses the key record at
// <selector>._domainkey.<domain>. (RFC 6376 §3.6.2.2), as Verifier does. No
// record is ErrKeyNotFound; a failed lookup that is not "no such record"
// is ErrTemporary, and the error also wraps a *net.DNSError with
// IsTemporary set and the resolver's own error.
func LookupKey(ctx context.Context, res Resolver, selector, domain string) (*KeyRecord, error) {
	return lookupKey(ctx, res, selector, domain)
}

// CheckAlgorithm reports whether the key may verify a signature made with
// algorithm (a= value, "rsa-sha256" or "ed25519-sha256"): the key must not
// be revoked (ErrKeyRevoked), its k=, h= and s= must allow it
// (ErrKeyMismatch). RSA key sizes are checked by CheckRSASize.
func (k *KeyRecord) CheckAlgorithm(algorithm Algorithm) error {
	if k.Revoked() {
		return fmt.Errorf("%w: empty p=", ErrKeyRevoked)
	}
	return checkKeyAlgorithm(k, lower(algorithm))
}

// VerifyDigest checks a signature value (b=) over a SHA-256 digest with
// the public key: RSASSA-PKCS1-v1_5 for *rsa.PublicKey, Ed25519 over the
// digest for ed25519.PublicKey (RFC 8463 §3). Check RSA key sizes first
// (CheckRSASize).
func VerifyDigest(pub crypto.PublicKey, digest, sig []byte) bool {
	return verifySignature(pub, digest, sig)
}

// SignDigest signs a SHA-256 digest with key as Signer does, returning
// the b= value and the a= algorithm name: rsa-sha256 for RSA keys,
// ed25519-sha256 for Ed25519 (the digest is what is signed, RFC 8463 §3).
func SignDigest(key crypto.Signer, digest []byte) (sig []byte, algorithm Algorithm, err error) {
	switch key.Public().(type) {
	case *rsa.PublicKey:
		sig, err = key.Sign(rand.Reader, digest, crypto.SHA256)
		return sig, AlgorithmRSASHA256, err
	case ed25519.PublicKey:
		sig, err = key.Sign(rand.Reader, digest, crypto.Hash(0))
		return sig, AlgorithmEd25519SHA256, err
	}
	return nil, "", fmt.Errorf("%w: %T", ErrUnsupportedKey, key.Public())
}
