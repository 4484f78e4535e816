// Package spf implements the Sender Policy Framework, RFC 7208: it parses
// SPF records and evaluates check_host() for the HELO and MAIL FROM
// identities of an SMTP session.
//
// What it does:
//
//   - Parse reads and validates a "v=spf1" record (RFC 7208 §4.6, §5, §6,
//     §7.1); Record.String round-trips.
//   - Checker.Check and Checker.CheckHELO evaluate check_host() (§2.3, §2.4,
//     §4 to §7): record selection, every mechanism and modifier, macros,
//     the lookup limits of §4.6.4 (10 DNS-querying terms, 2 void lookups),
//     a deadline of DefaultTimeout on top of the caller's context.
//   - Checker.Lookup fetches and selects a domain's record alone (§4.4,
//     §4.5), for tools that inspect policies.
//   - Verdict gives the result (§2.6) and why it is not pass (Err), the
//     deciding domain and mechanism, the explanation (§6.2), the lookup
//     counts, the Received-SPF field (§9.1), the RFC 8601 method string
//     (String, AuthResult) and the identity domain DMARC aligns with
//     (IdentityDomain).
//
// DNS goes through the Resolver interface, whose methods have the
// signatures of *net.Resolver (nil means net.DefaultResolver); names are
// queried absolute and in lower case. A temporary DNS failure gives
// TempError with an error that wraps ErrTemporary and a *net.DNSError with
// IsTemporary set; the error is non-nil exactly when the Result is
// TempError or PermError, and Verdict.Err holds the same error.
//
// What it does not do: query the SPF RR type (type 99, removed by RFC
// 7208), offer a "best guess" or local policy records, cache DNS answers
// (plug in a caching resolver), or decide what to do with a message:
// mapping results to SMTP replies is the caller's policy (§8).
//
// DESIGN.md beside this file has the details: macros, limits, failures,
// the evaluation deadline.
//
// Usage:
//
//	c := &spf.Checker{Receiver: "mx.example.net"}
//	v, err := c.Check(ctx, clientIP, heloName, mailFrom)
//	if err != nil {
//		log.Printf("spf %s: %v", v.Result, err) // TempError or PermError
//	}
//	hdr := v.ReceivedSPF("")  // "Received-SPF: pass (...) ...\r\n"
//	ar := v.String()          // "spf=pass smtp.mailfrom=example.org"
//	dmarcSPFDomain := v.IdentityDomain()
package spf
