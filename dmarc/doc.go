// Package dmarc implements DMARC: Domain-based Message Authentication,
// Reporting, and Conformance, as specified by RFC 9989 (which obsoletes
// RFC 7489 and RFC 9091), with the RFC 7489 behaviour still available, and
// DMARC aggregate reports as specified by RFC 9990.
//
// # What it does
//
//   - Parse reads a DMARC Policy Record (RFC 9989 §4.7, §4.8): v, p, sp,
//     np, psd, t, adkim, aspf, fo, rua, ruf, and the historic pct, rf, ri
//     and "!size" suffixes of RFC 7489 §6.3. Record.String round-trips.
//     White space before "v=DMARC1" makes the text not a DMARC record
//     (§4.8 ABNF).
//   - Checker.Lookup discovers the record that applies to an Author
//     Domain, by the DNS Tree Walk of RFC 9989 §4.10 (Discovery TreeWalk,
//     the default) or by the Public Suffix List of RFC 7489 §6.6.3
//     (Discovery PSL). A tree walk never makes more than eight queries:
//     the Author Domain, then (for names of eight labels or more) its
//     7-label suffix, then each parent.
//   - Checker.OrganizationalDomain and the package function
//     OrganizationalDomain find Organizational Domains by the tree walk
//     (RFC 9989 §4.10.2) or the Public Suffix List (RFC 7489 §3.2, with
//     golang.org/x/net/publicsuffix).
//   - Checker.Check evaluates a message (RFC 9989 §5.3): identifier
//     alignment of the SPF and DKIM authenticated identifiers in relaxed
//     or strict mode (§3.2.10, §4.4), the result (none, pass, fail,
//     temperror, permerror; §9.2) and the disposition from p, sp or np,
//     lowered by t=y (§4.7) or, in PSL mode, by pct sampling (RFC 7489
//     §6.6.4). Verdict.AuthResult formats the RFC 8601 method result,
//     e.g. "dmarc=fail (p=reject dis=reject) header.from=example.com".
//   - Checker.VerifyExternalDestination and ExternalDestination check that
//     a report destination outside the domain agrees to receive reports
//     (RFC 9990 §3, RFC 7489 §7.1) at
//     <policy-domain>._report._dmarc.<destination-host>.
//   - ReportParser (and ParseReport) reads aggregate reports as they
//     arrive: plain XML, gzip or zip, RFC 9990 (namespace
//     urn:ietf:params:xml:ns:dmarc-2.0) or RFC 7489 Appendix C format.
//     Its limits bound what is read (compressed and decompressed bytes,
//     zip entries) and what is built from it (records, elements per
//     record, results, reasons, errors, nesting, the size of one tag or
//     value, attributes, and the elements of the whole document), so zip
//     bombs, huge documents and millions of tiny elements are refused
//     early with a ReportLimitError that names the limit (RFC 9990
//     §7.1). ReportBuilder accumulates evaluated messages and writes a
//     valid RFC 9990 report; ReportFilename names its attachment.
//
// Domain names are compared as A-labels (U-labels are converted, RFC 9989
// §5.3.1), case-insensitively (RFC 4343), without trailing dots; DNS
// queries use absolute names.
//
// # Readings of the specification
//
// Where RFC 9989 leaves room, this package decides as follows.
//
//   - Missing or invalid p. §4.7 says a record without p is treated as
//     p=none; §4.10.1 says that a record without a valid p, or with an
//     invalid sp or np, is treated as p=none only when rua holds at least
//     one syntactically valid URI, and otherwise no DMARC processing
//     applies. The package follows §4.10.1, the processing rule: Parse
//     accepts such records (Record.PolicyUsable tells the cases apart);
//     Check acts as if p=none was published (disposition none for the
//     domain and its subdomains) when rua is valid, and otherwise returns
//     Result None with Verdict.Record set to the unusable record.
//   - Invalid values. §4.8 says syntax errors are discarded in favour of
//     defaults or ignored: a registered tag with an invalid value keeps
//     its default and is listed in Record.Invalid; fragments that are not
//     tags (no "=", empty segments between semicolons, names that are not
//     letters) are skipped; a rua/ruf list keeps its valid URIs. Apart
//     from a repeated tag (next point), only a missing or misplaced
//     "v=DMARC1" makes Parse fail, as §4.7 requires.
//   - Duplicate tags. RFC 9989 is silent; its records use the DKIM
//     tag-value syntax, and RFC 6376 §3.2 makes a tag list with a
//     repeated tag invalid. A repeated registered tag (names compared
//     as the Case point says) therefore makes Parse fail with
//     ErrDuplicateTag. Repeated unknown tags are ignored
//     like any unknown tag. In discovery, a TXT record that starts with
//     v=DMARC1 but fails to parse does not count as a valid record (the
//     walk goes on); if no other record applies, Check returns PermError
//     (§9.2: "an improperly formatted DMARC Policy Record").
//   - Report URIs. A rua/ruf entry is valid when it follows the RFC 3986
//     URI syntax that §4.8 imports (so "mailto:" alone is valid, an
//     address with a space or a bad %-escape is not); an obsolete "!size"
//     suffix must be digits with an optional k, m, g or t.
//   - Case. Tag names are case-insensitive in both modes: the §4.8 ABNF
//     (like RFC 7489 §6.4) writes each name as a quoted string, which
//     RFC 5234 §2.3 makes case-insensitive, so "V=DMARC1; P=reject" is a
//     reject policy and "p=reject; P=none" repeats p. §4.7 also points at
//     the DKIM tag-list syntax, whose names are case-sensitive (RFC 6376
//     §3.2); that reading would turn a published P=reject into no policy
//     at all, a hole for spoofers, so the package offers no option for
//     it. Keyword values (none, reject, y, r, ...) are ABNF literals and
//     case-insensitive too; the version value %s"DMARC1" is
//     case-sensitive.
//   - A _dmarc name longer than the DNS allows (RFC 1035 §2.3.4) holds
//     no record and is not queried; the walk goes on with its parent.
//   - Several DMARC records at one name are discarded and the walk goes
//     on (§4.10 steps 2 and 6). In PSL mode RFC 7489 §6.6.3 step 5 ends
//     discovery instead.
//   - Which record applies. §4.10.1 lists the Author Domain, then its
//     Organizational Domain, then its Public Suffix Domain. A record at an
//     intermediate name that is neither (for a.mail.example.com, a record
//     at mail.example.com when example.com also has one and no psd tag
//     intervenes) is not used, as in Appendix B.4.2.
//   - psd=y at the start of a walk does not name an Organizational Domain
//     below it (§4.10.2 rule 2 excludes it); the start domain is then its
//     own Organizational Domain by rule 3.
//   - DNS failures. A temporary failure of any query a result depends on
//     gives TempError (§5.3.6); a walk with a gap is not trusted. Queries
//     a result does not depend on (the Organizational Domain reported in
//     Verdict.OrgDomain when no relaxed alignment needed it, a second
//     identifier once one is aligned) do not turn the result into an
//     error.
//   - Non-existent domains (np). A domain does not exist when its A, AAAA
//     and MX queries all answer NXDOMAIN or NODATA (the test of RFC 9091
//     §2.7 that RFC 9989 Appendix A.4 discusses). The test runs only when
//     it can change the outcome: the message fails, the record is the
//     Organizational or Public Suffix Domain's, and it has an np tag.
//   - t=y lowers the disposition one step (reject to quarantine,
//     quarantine to none), as §4.7 describes the Domain Owner's
//     expectation; the receiver's other special handling is the caller's.
//     It applies in both discovery modes.
//   - pct is historic in RFC 9989 and applied only in PSL mode, where a
//     message outside the sample gets the next less strict policy (RFC
//     7489 §6.6.4). t=y and pct do not stack: one step at most.
//   - Verdict.Disposition is "none" for every result but Fail.
//   - At most MaxDKIMDomains DKIM identifiers are considered per message,
//     so a message cannot make the receiver run unbounded tree walks.
//   - Aggregate reports. Parsing is lenient where receivers differ:
//     element order is free, values are trimmed of white space, unknown
//     elements are skipped, both the RFC 9990 namespace and none are
//     accepted, the feedback element may sit inside stray wrapper
//     elements, empty elements read as empty values (0 for numbers),
//     timestamps may carry a fractional part ("1337270400.0", dropped),
//     enumerated words (pass, none, mfrom, reject, ...) are read in any
//     case and kept in lower case, ISO-8859-1 documents are converted, an
//     invalid UTF-8 byte is replaced with U+FFFD and listed in
//     Feedback.Warnings, and bytes after the gzip data are ignored (with
//     a warning); a zip archive yields its first ".xml" entry (or its
//     only file). An empty file is an error wrapping ErrReportEmpty.
//     Feedback.Validate applies the RFC 9990 requirements. ReportBuilder
//     merges messages whose source, identifiers, evaluation and raw
//     results are all equal, and writes policy_published with defaults
//     filled in (sp defaults to p).
//   - External destinations: at least one TXT record starting with
//     v=DMARC1 authorizes the destination (RFC 9990 §3 step 8); a name
//     too long for the DNS is a refusal (step 4). When those records
//     name rua URIs of their own, only those on the destination host are
//     used (step 9); if none is on it, neither the original destination
//     nor the named one is authorized, and reports go to neither.
//
// # Interoperability
//
// peer_test.go runs Check and Node mailauth's RFC 9989 implementation on
// the same DNS data (the Appendix B.4 examples, tag semantics, and 300
// random trees with psd tags, duplicates and strict modes) and expects the
// same result, policy domain, alignment and disposition (mailauth in its
// strict mode, which shares this package's duplicate-tag reading, or in
// its default mode, which folds tag names as this package does, for the
// vectors with upper-case names). The known differences are deliberate:
// mailauth accepts white space before v=DMARC1 and, in its default mode,
// lets the last of two "p"/"P" tags win; mailauth tests
// existence for np by NXDOMAIN for A alone, this package by A, AAAA and
// MX; and when the only DMARC record found has a repeated tag, mailauth
// returns none where this package returns permerror (§9.2).
//
// # What it does not do
//
// It does not extract the Author Domain from a message, evaluate SPF or
// DKIM (feed their results in Input), send reports, or produce failure
// reports; it does not implement ARC or local policy overrides. Report
// parsing accepts what major receivers send rather than enforcing the
// schema; call Feedback.Validate for the RFC 9990 rules.
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
//	if v.Result == dmarc.Fail && v.Disposition == dmarc.PolicyReject {
//		// reject the message
//	}
//	header := "Authentication-Results: mx.example.net; " + v.AuthResult()
package dmarc
