// Package dkim signs and verifies DomainKeys Identified Mail signatures
// (RFC 6376) with rsa-sha256 and ed25519-sha256 (RFC 8463), following the
// cryptographic updates of RFC 8301. It formats and reads the key records
// to publish in DNS (RFC 6376 §3.6) and reports results in the words of
// Authentication-Results (RFC 8601 §2.7.1).
//
// # Signing
//
// A Signer holds the domain (d=), selector (s=) and private key. Sign reads
// the message once and returns the DKIM-Signature header field to prepend:
//
//	key, _ := dkim.ParsePrivateKey(pemBytes)
//	s := &dkim.Signer{Domain: "example.org", Selector: "mail", Key: key}
//	field, err := s.Sign(msg)        // "DKIM-Signature: v=1; a=...\r\n"
//	signed := io.MultiReader(strings.NewReader(field), original)
//
// Defaults: relaxed/relaxed canonicalization (RFC 6376 §3.4), the header
// fields of DefaultHeaders that are present (From always, §5.4), From
// over-signed (one more h= entry than instances, so no From can be added
// later; Signer.Oversign does this for every signed field), t= set, no l=
// (Signer.BodyLength adds it; see §8.2 first), no x= (Signer.Expiration).
// SignMulti signs with several keys, RSA and Ed25519 say, in one pass.
//
// # Verifying
//
// Verifier.Verify reads the message once, looks up the key of every
// DKIM-Signature field (up to MaxSignatures, default 5) at
// <selector>._domainkey.<domain> (§3.6.2) while the body streams through
// the hash, and returns one Verification per field:
//
//	v := &dkim.Verifier{}            // net.DefaultResolver, RFC defaults
//	results, err := v.Verify(ctx, msg)
//	for _, r := range results {
//		fmt.Println(r.String())      // dkim=pass header.d=example.org ...
//	}
//	// no signature at all: dkim.AuthResults(results) gives NoSignature
//
// Outcomes (§6.1, RFC 8301, RFC 8463):
//   - pass: body hash and signature verify.
//   - fail: Err wraps ErrBodyHashMismatch (the body changed),
//     ErrSignatureMismatch (a signed header changed or the key does not
//     match), or ErrBodyTooShort (l= beyond the body).
//   - temperror: the key lookup failed temporarily; Err wraps ErrTemporary
//     and a *net.DNSError with IsTemporary set.
//   - permerror: syntax errors, missing required tags, h= without From,
//     i= outside d=, expired x=, unknown algorithms or canonicalizations,
//     no key (ErrKeyNotFound), revoked key (empty p=), malformed key
//     records, k=/h=/s= of the key not matching, t=s with an i= subdomain,
//     RSA keys below MinRSABits (default 1024, RFC 8301 §3.2) or above
//     MaxRSABits (default 8192), and rsa-sha1 signatures (RFC 8301 §3.1).
//
// What the signature field alone decides comes first and costs no key
// lookup and no body hash; ctx is checked before each key lookup and each
// signature check. A t= in the future is accepted (§3.5 makes ignoring
// it optional); x= is compared with Verifier.Now without skew. Keys
// published with t=y still verify and Verification.Testing reports the
// flag (§3.6.1). A signature with l= reports it in BodyLength, and
// UnsignedBodyBytes counts the body octets after it, which anyone could
// have appended. The parser is tolerant where RFC 6376 allows (folding
// white space, case, dkim-quoted-printable i=, unpadded base64, a bare
// PKCS#1 key in p=) and strict where it must be: a repeated tag
// invalidates a signature or key record (§3.2).
//
// # Streaming and line endings
//
// Sign and Verify read the io.Reader exactly once. The header block is
// buffered (up to MaxHeaderBytes, default DefaultMaxHeaderBytes; beyond
// that ErrHeaderTooLarge); the body streams through fixed buffers, so
// memory does not grow with the message. A bare LF ends a line exactly
// as CRLF does, so a message read from a file signs and verifies as its
// wire form would; a CR not followed by LF is ordinary content.
//
// # Keys
//
// GenerateKey makes RSA (2048 bits by default) or Ed25519 keys;
// ParsePrivateKey reads PKCS#1, PKCS#8 (RSA and Ed25519) PEM and bare
// Ed25519 seeds; MarshalPrivateKey writes PKCS#8 PEM. NewKeyRecord and
// KeyRecord.String/TXT/ZoneText format the DNS record to publish, split
// into 255-octet strings; ParseKeyRecord reads one.
//
// # Building blocks
//
// Schemes built on DKIM, ARC (RFC 8617, package dkim/arc) first, use the
// same code as Verifier and Signer through a few exported pieces:
// ParseTagList (§3.2), ParseCanonicalizationTag, AppendCanonicalHeader and
// HashSignatureField (§3.4.1, §3.4.2, §3.7), ReadMessage with
// Message.Fields, HashHeaders and Body (§5.4.2 field selection),
// NewBodyHasher (§3.4.3, §3.4.4), LookupKey, KeyRecord.CheckAlgorithm and
// CheckRSASize (§3.6, RFC 8301), CheckDomain and CheckSelector (the d=
// and s= syntax, §3.1, §3.5), DecodeBase64, SignDigest and VerifyDigest.
//
// # Not done here
//
// No rsa-sha1 or pre-RFC 6376 (DomainKeys, v=0.5) signatures, no z=
// diagnostics beyond returning the raw value, no ARC (package dkim/arc
// builds it on the blocks above), no DNSSEC validation of key records
// (plug a validating Resolver in), no policy: DMARC (package dmarc)
// decides what a pass or fail means.
//
// DESIGN.md beside this file has the notes for those who change the code:
// the order of the checks, the streaming canonicalizer and its buffers,
// the AVX2 path.
package dkim
