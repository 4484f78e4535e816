// Package ptr checks forward-confirmed reverse DNS (FCrDNS) of an IP
// address: the "iprev" authentication method of RFC 8601.
//
// Verify implements RFC 8601 §3: it looks up the PTR records of the address
// (the name from ReverseName: in-addr.arpa, RFC 1035 §3.5, or ip6.arpa,
// RFC 3596 §2.5), then the addresses of each PTR name, and the address is
// confirmed when one of those names resolves back to it (RFC 1912 §2.1). The
// forward lookups use only the client's family: A records for an IPv4
// client, AAAA for IPv6. An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is
// the IPv4 address.
//
// The results (RFC 8601 §2.7.3 and §3):
//
//   - pass: a PTR name resolves back to the address. Verdict.Names holds
//     every confirmed name, in lower case without the trailing dot (the
//     form of mx.Host.Name). Pass wins even when lookups for other names
//     failed.
//   - fail: PTR names were found but none resolves back (including when the
//     forward lookups say NXDOMAIN or NODATA).
//   - temperror: a DNS lookup failed temporarily (SERVFAIL, timeout,
//     REFUSED) and no name confirmed the address.
//   - permerror: the address has no PTR records (NXDOMAIN or NODATA).
//
// Verify's error is non-nil exactly for temperror and permerror, and
// Verdict.Err holds the same error: for temperror it wraps ErrTemporary
// and a *net.DNSError with IsTemporary set (one is put in front of the
// resolver's when it does not say so, as Go's does not for REFUSED).
//
// At most Verifier.MaxNames PTR names (10 by default) are checked, so a
// reverse zone cannot make Verify send an unbounded number of queries.
// Go's LookupAddr drops PTR names that are not valid domain names and
// returns the others together with an error; Verify uses those names and
// keeps the error in Verdict.ResolverErr.
//
// Verdict.AuthResult gives the RFC 8601 Authentication-Results method,
// "iprev=pass policy.iprev=192.0.2.1". An IPv6 address is written as a
// quoted-string, `policy.iprev="2001:db8::1"`: the pvalue of RFC 8601 §2.2
// is an RFC 2045 token (which may not contain ':', a tspecial), a
// quoted-string or a domain name.
//
// What it does not do: it does not judge the names (generic "dynamic pool"
// names pass like any other), does not validate DNSSEC (plug in a validating
// Resolver for that), and does not cache; give it a caching Resolver.
//
// Usage:
//
//	vd, err := ptr.Verify(ctx, clientIP)
//	if vd.Result == ptr.Pass {
//		log.Printf("%s is %v", clientIP, vd.Names)
//	} else if err != nil {
//		log.Printf("iprev: %v", err)
//	}
//	header := "Authentication-Results: mx.example.net; " + vd.AuthResult()
package ptr
