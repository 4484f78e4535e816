// Package mtasts implements SMTP MTA Strict Transport Security (MTA-STS,
// RFC 8461): how a sending MTA learns that a recipient domain wants its
// mail delivered only over TLS, to MX hosts it names, with certificates
// that verify.
//
// What it does, by RFC 8461 section:
//
//   - §3.1: ParseRecord parses a "_mta-sts" TXT record ("v=STSv1; id=...");
//     LookupRecord finds the one record of a domain (records not beginning
//     with "v=STSv1;" are ignored; none, several or an invalid one mean no
//     policy, ErrNoPolicy).
//   - §3.2: ParsePolicy parses a policy file with every rule of the
//     grammar (version STSv1, mode, max_age of at most 31557600 seconds,
//     mx patterns in A-labels, at least one unless mode is "none",
//     repeated fields ignored after the first, extensions kept);
//     Policy.String writes one.
//   - §3.3: FetchPolicy fetches https://mta-sts.<domain>/.well-known/mta-sts.txt
//     with a certificate verified for that name, no redirects, status 200
//     only, media type text/plain, at most 64 KiB, a timeout.
//   - §4.1: Policy.Match compares an MX host with the policy's patterns (a
//     wildcard stands for exactly one left-most label; case-insensitive;
//     IDN compared in A-labels).
//   - §4.2, §5: PlanDelivery says which MX hosts may be tried and what TLS
//     each needs (enforce: only matching hosts, TLS verified against the
//     MX name; testing: all hosts, failures reported; none: as without a
//     policy).
//   - §5.1: Client.Get discovers, fetches and caches policies: re-fetched
//     when the TXT id changes or the cached one expired, the cached one
//     applied when a refresh fails. Cache is an interface (MemoryCache is
//     the default). §10.2: Client.Refresh and Client.RefreshExpiring renew
//     policies before they expire.
//
// DNS goes through the package's Resolver interface (LookupTXT with the
// signature of *net.Resolver; the parent package's mx.TXTResolver); names
// are queried absolute. Domains are normalized as package mx does
// (mx.NormalizeDomain: A-labels, lower case) and must be host names; the
// TXT records are selected by mx.LookupVersionedTXT. A temporary DNS
// failure wraps ErrTemporary and a *net.DNSError with IsTemporary set.
// Errors say which step failed and wrap ErrNoPolicy, ErrPolicyFetch or
// ErrPolicySyntax.
//
// What it does not do: deliver mail (an SMTP client applies a Plan), send
// TLS reports (package mx/tlsrpt builds them), or look up the policy host's
// address itself (the HTTP client's dialer does). It does not require the
// "version" field to come first in a policy: the grammar of §3.2 allows
// the fields in any order.
//
// Usage:
//
//	c := &mtasts.Client{}
//	p, err := c.Get(ctx, "example.com")
//	switch {
//	case err == nil:
//		plan := mtasts.PlanDelivery(p, mxHosts)
//		for _, h := range plan.Allowed() { /* try h.Host with h.TLS */ }
//	case mtasts.IsNoPolicy(err):
//		// deliver as without MTA-STS
//	default:
//		// temporary DNS failure: retry later
//	}
package mtasts
