// Package dmarc evaluates DMARC, Domain-based Message Authentication,
// Reporting, and Conformance, as RFC 9989 specifies it (it obsoletes RFC
// 7489 and RFC 9091), with the RFC 7489 Public Suffix List behaviour
// available as a mode. Aggregate reports (RFC 9990) are in the subpackage
// dmarc/report.
//
// # What it does
//
//   - Parse reads a DMARC Policy Record (RFC 9989 §4.7, §4.8): v, p, sp,
//     np, psd, t, adkim, aspf, fo, rua, ruf, and the historic pct, rf, ri
//     and "!size" suffixes of RFC 7489 §6.3. Record.String round-trips.
//   - Checker.Lookup finds the record that applies to an Author Domain by
//     the DNS Tree Walk of RFC 9989 §4.10 (Discovery TreeWalk, the
//     default; at most MaxTreeWalkQueries queries) or by the Public Suffix
//     List of RFC 7489 §6.6.3 (Discovery PSL).
//   - Checker.OrganizationalDomain and OrganizationalDomain find
//     Organizational Domains by the tree walk (RFC 9989 §4.10.2) or the
//     Public Suffix List (RFC 7489 §3.2).
//   - Checker.Check evaluates a message (RFC 9989 §5.3): identifier
//     alignment of the SPF and DKIM authenticated identifiers, relaxed or
//     strict (§3.2.10, §4.4), the result (§9.2) and the disposition from
//     p, sp or np, lowered by t=y (§4.7) or, in PSL mode, by pct sampling
//     (RFC 7489 §6.6.4). Verdict.Err says why a result is not pass;
//     Verdict.String and Verdict.AuthResult give the RFC 8601 method
//     result, "dmarc=fail (p=reject dis=reject) header.from=example.com".
//   - Checker.VerifyExternalDestination and Checker.ExternalDestination
//     check that a report destination outside the domain agrees to
//     receive reports (RFC 9990 §3) at
//     <policy-domain>._report._dmarc.<destination-host>.
//
// Domain names are compared as A-labels (U-labels are converted, RFC 9989
// §5.3.1), case-insensitively (RFC 4343), without trailing dots; DNS
// queries use absolute names. A temporary DNS failure gives TempError with
// an error that wraps ErrTemporary and a *net.DNSError. Where RFC 9989
// leaves room, the choices made are listed in DESIGN.md beside this file.
//
// # What it does not do
//
// It does not extract the Author Domain from a message, evaluate SPF or
// DKIM (feed their results in Input), send reports, or produce failure
// reports; it does not implement ARC or local policy overrides, and it
// parses and builds no aggregate reports (dmarc/report does).
//
// # Usage
//
//	c := &dmarc.Checker{} // net.DefaultResolver, DNS Tree Walk
//	v, err := c.Check(ctx, dmarc.Input{
//		FromDomain:  "example.com",
//		SPFDomain:   "bounce.example.com",
//		SPFPass:     true,
//		DKIMDomains: []string{"example.com"},
//	})
//	if err != nil && !errors.Is(err, dmarc.ErrTemporary) {
//		log.Print(err) // permerror: a malformed record or From domain
//	}
//	if v.Result == dmarc.Fail && v.Disposition == dmarc.PolicyReject {
//		// reject the message; v.Err says which identifiers were tried
//	}
//	header := "Authentication-Results: mx.example.net; " + v.String()
package dmarc
