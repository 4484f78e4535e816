// Package mx finds the mail exchangers for a domain: the hosts an SMTP
// client tries, in order, to deliver mail addressed to that domain.
//
// It implements RFC 5321 §5.1 ("Locating the Target Host"):
//
//   - MX records are sorted by preference, lowest first; hosts of equal
//     preference are shuffled (Router.Rand makes the order reproducible).
//   - When the domain has no MX records but exists, the domain itself is the
//     implicit MX (preference 0, Host.Implicit). This never happens when
//     the MX lookup failed temporarily or when MX records exist, even if
//     none of them is usable (ErrNoUsableMX).
//   - When this host is one of the MX hosts (Router.Self), records at or
//     above its preference are dropped; if none is left, ErrSelfIsBest.
//
// and also:
//
//   - RFC 7505 null MX: a lone "0 ." record means the domain accepts no
//     mail (ErrNullMX). A "." next to real records is ignored (RFC 7505 §3
//     forbids mixing them) and reported in Route.Skipped.
//   - RFC 1035 §3.3.9 and RFC 2181 §10.3: an MX names a host. Targets that
//     are IP addresses or not valid host names are skipped and reported in
//     Route.Skipped; duplicates are removed, keeping the best preference.
//   - RFC 5890/5891 (IDNA2008, with UTS #46 mapping): a domain given in
//     U-labels is looked up in A-labels; names with "_" labels are passed
//     through unchanged.
//
// A domain that does not exist gives ErrNoSuchDomain. When the MX lookup
// finds nothing, Lookup looks at the domain's A and AAAA records; when
// those are missing too, only a resolver that can tell NXDOMAIN from
// NODATA can say whether the domain exists: one that implements the
// optional ExistsResolver interface (NetResolver gives a *net.Resolver that
// ability, and a nil Router.Resolver is a NetResolver over
// net.DefaultResolver), or one that answers NODATA with an empty answer
// and no error. Any other resolver's "not found" for MX, A and AAAA alike
// gives ErrNoSuchDomain, as it cannot say more. Lookup never looks at the
// resolver's concrete type.
//
// DNS failures (SERVFAIL, timeouts, REFUSED, network errors, a cancelled
// context) give an error that wraps ErrTemporary and the resolver's own
// error (Host.Err, for one host's address lookups, alike), and in which
// errors.As finds a *net.DNSError with IsTemporary set (Go reports REFUSED
// without that flag, so one saying so is put in front of the resolver's);
// the message should stay queued (RFC 5321 §4.5.4.1).
// Such a failure never yields the implicit MX or ErrNoSuchDomain.
//
// With Router.ResolveAddrs, each host's A and AAAA records are looked up too
// (Host.Addrs, A first); a host whose lookups fail keeps the reason in
// Host.Err and does not fail the whole lookup while another host has an
// address. When none of the MX hosts has one, the MX records are "present
// but none usable" (RFC 5321 §5.1): ErrNoUsableMX when every lookup said
// "not found", ErrTemporary when one of them failed.
//
// A domain written as an address literal (RFC 5321 §4.1.3: "[192.0.2.1]",
// "[IPv6:2001:db8::1]") needs no lookup: it is its own route, one Host with
// Literal set and the address in Addrs. Malformed literals and General-
// address-literals ("[tag:content]") give ErrInvalidDomain.
//
// Two helpers serve the policy records that sit beside a domain's MX (and
// the subpackages mx/mtasts and mx/tlsrpt, which use them): NormalizeDomain
// gives a domain as Lookup queries it (lower-case A-labels, no trailing
// dot), and LookupVersionedTXT returns the TXT records at a name that begin
// with a version tag such as "v=STSv1;" (RFC 8461 §3.1, RFC 8460 §3), with
// the same temporary-failure convention.
//
// What it does not do: it does not connect anywhere, does not rank IPv4
// against IPv6, does not validate DNSSEC or DANE (plug in a validating
// Resolver for that), and does not detect MX targets that are CNAMEs (forbidden
// by RFC 2181 §10.3 but followed by resolvers).
//
// Usage:
//
//	hosts, err := mx.Lookup(ctx, "example.org")
//	switch {
//	case errors.Is(err, mx.ErrNullMX), errors.Is(err, mx.ErrNoSuchDomain):
//		// bounce: 550 5.1.10 / 5.1.2
//	case err != nil:
//		// defer and retry later
//	}
//	for _, h := range hosts {
//		// try h.Name on port 25
//	}
//
// A Router sets the resolver, address resolution, the shuffle source and
// this host's own names:
//
//	r := &mx.Router{ResolveAddrs: true, Self: []string{"mail.example.net"}}
//	route, err := r.Route(ctx, "bücher.example")
package mx
