// Package authres reads and writes the Authentication-Results header field
// (RFC 8601), in which a receiving mail server records the outcome of its
// message authentication checks (SPF, DKIM, DMARC, iprev, ARC, ...).
//
// It does three jobs:
//
//   - Parse reads a field value into a Header (RFC 8601 §2.2): the
//     authserv-id (§2.5), the optional version, "none" or the results, each
//     with its method (and method-version), result keyword (§2.7), reason
//     and properties with their ptype (§2.3). Comments may stand wherever
//     CFWS may; folding is undone; errors give the byte offset where the
//     value went wrong and what was expected there. Every Result keeps its
//     text as written, comments included, which an ARC sealer copies into
//     the ARC-Authentication-Results field (RFC 8617 §4.1.1).
//   - Build (and Header.Add) make a Header from the method strings the
//     suite's packages return from their AuthResult methods, and
//     Header.String formats it folded for 78-column lines (RFC 5322 §2.1.1,
//     §2.2.3), one result per line once it no longer fits on one.
//     Consolidate gathers the results of one ADMD from several fields, in
//     order, for an ARC sealer's ARC-Authentication-Results (RFC 8617
//     §4.1.1), which Header.Folded writes after its "i=N; ".
//   - Stripper removes from a message, streaming, the fields that claim
//     this ADMD's authserv-id, as RFC 8601 §5 asks of a border MTA, with
//     limits on the header a sender controls.
//
// Parse accepts a few shapes beyond the grammar that large providers write
// (no authserv-id, properties without a ptype, reason= after the
// properties, a final ";", unquoted values with "/" or ":", results that
// are not keywords, a bare domain between results); its comment lists
// them. Every size a sender controls is bounded (MaxValueLen,
// MaxResults, MaxProps, MaxCommentDepth; the Stripper's MaxHeaderBytes and
// MaxFields), and the work of a parse grows linearly with the value.
//
// What it does not do: decode RFC 2047 encoded-words (§2.2 leaves values
// as they are), check that a result keyword is one the method defines
// (§2.7 lists them; unknown methods, results and ptypes are kept for the
// caller to judge), decide which authserv-ids to trust (§7.1), or compare
// internationalized authserv-ids beyond ASCII case.
//
// Usage, at a border MTA:
//
//	s := &authres.Stripper{AuthServID: "mx.example.net"}
//	if _, err := s.Strip(clean, msg); err != nil { ... }
//	h, err := authres.Build("mx.example.net", spfVerdict.AuthResult(),
//		dkimVerification.AuthResult(), dmarcVerdict.AuthResult())
//	if err != nil { ... }
//	fmt.Fprint(out, h.Field()) // then the message from clean
//
// and to read one:
//
//	h, err := authres.Parse(value)
//	for _, r := range h.Results {
//		if r.Method == "dmarc" && r.Value == "pass" { ... }
//	}
package authres
