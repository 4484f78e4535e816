// Package arc validates and adds Authenticated Received Chain sets
// (RFC 8617): the signed record a forwarder or mailing list leaves of the
// authentication results it saw, so that a later receiver can still learn
// them after the forwarding broke SPF or DKIM.
//
// An ARC set (RFC 8617 §4.1) is three header fields with the same
// instance number i=: ARC-Authentication-Results (the sealer's
// Authentication-Results, §4.1.1), ARC-Message-Signature (a DKIM signature
// of the message, §4.1.2) and ARC-Seal (a signature over the sets so far,
// with the chain validation status cv=, §4.1.3).
//
// # Validating
//
// Verifier.Verify reads a message once and returns the chain status (RFC
// 8617 §5.2): None without ARC sets, Pass, or Fail with the reason in
// Result.Err. It checks the structure (one field of each kind per instance,
// i=1..N without gaps, N <= 50, cv=none at i=1 and cv=pass above, a newest
// cv=fail ending the chain; §4.2, §5.2 steps 2 and 3), verifies the newest
// ARC-Message-Signature as a DKIM signature (§5.2 step 4), every ARC-Seal
// from the newest down (relaxed canonicalization, §5.1.1, §5.2 step 6),
// and then finds the oldest ARC-Message-Signature that still verifies
// (§5.2 step 5, Result.OldestPass). A temporary DNS failure is not a
// verdict: Result.Err wraps ErrTemporary and Result.Temporary reports it.
//
//	v := &arc.Verifier{}                      // net.DefaultResolver
//	res, err := v.Verify(ctx, msg)
//	fmt.Println(res.AuthResult())             // arc=pass (i=2 d=lists.example.org)
//	if set, ok := res.SealedBy("lists.example.org"); ok {
//		ar, _ := set.Results()                // what the list saw (§7.2)
//	}
//
// # Sealing
//
// Sealer.Seal validates the incoming chain, then returns the three fields
// of the next set to prepend (§5.1): the ARC-Authentication-Results built
// from this ADMD's Authentication-Results fields in the message (those
// carrying Sealer.AuthServID, consolidated in order with their text and
// comments, authres.Consolidate), the ARC-Message-Signature, and the
// ARC-Seal with cv= the incoming status. A failed chain is sealed with
// cv=fail over the new set alone (§5.1.2); a chain whose newest seal says
// cv=fail gets nothing more (ErrChainFailed). A forwarder first writes its
// own Authentication-Results (with an arc= result from Verify), then
// seals:
//
//	s := &arc.Sealer{Domain: "lists.example.org", Selector: "arc",
//		Key: key, AuthServID: "lists.example.org"}
//	set, err := s.Seal(ctx, bytes.NewReader(msgWithAR))
//	out := io.MultiReader(strings.NewReader(set), bytes.NewReader(msgWithAR))
//
// Output follows the public ARC test suite's standardized format (tags in
// alphabetical order, no white space inside values, folding only after a
// ";"; the ARC-Message-Signature's h= is Sealer.Headers exactly), RSA
// (rsa-sha256) or Ed25519 (ed25519-sha256, RFC 8463) keys.
//
// # Shared with dkim
//
// Canonicalization, tag-lists, the body hash, key records and their
// lookup come from package dkim (its building blocks: ParseTagList,
// ReadMessage, NewBodyHasher, LookupKey, ...), with its rules: RFC 8301
// (no rsa-sha1, RSA keys of at least MinRSABits, default 1024) and an
// upper bound on RSA keys (MaxRSABits, default 8192) enforced before any
// RSA operation.
//
// # Limits
//
// The header block is bounded (MaxHeaderBytes, dkim's default 512 KiB),
// at most 3*MaxInstance ARC fields of MaxFieldBytes each are looked at,
// h= lists at most 256 names, the ARC-Authentication-Results payload is
// bounded by package authres's limits, each key is looked up once per
// message, and the work of hashing the seals is linear in the size of the
// chain. The body streams through a fixed buffer: memory does not grow
// with it. ctx is checked before each key lookup.
//
// # Not done here
//
// No policy: whether to trust a sealer (§7.2) is the caller's choice
// (Result.SealedBy helps), and so is what DMARC makes of it. No
// Authentication-Results of its own: the caller adds Result.AuthResult to
// its header (package authres) before sealing. No DNSSEC validation of
// key records, no rsa-sha1 (RFC 8301).
package arc
