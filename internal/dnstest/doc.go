// Package dnstest runs a real DNS server on the loopback interface for tests
// and offline examples.
//
// The server is built on github.com/miekg/dns. It listens on 127.0.0.1 over
// UDP and TCP on a port chosen at run time, answers authoritatively from zone
// data given as RFC 1035 master-file text (several zones at once), and hands
// out a *net.Resolver that talks only to it. Every package of the suite
// accepts that resolver through its own Resolver interface, so tests exercise
// the same code path as production: Go's DNS client, real packets, NXDOMAIN
// versus NODATA, truncation and the retry over TCP.
//
// Faults can be injected per name and query type: SERVFAIL, REFUSED, a
// dropped query (the client times out) and truncation (the TC bit over UDP,
// so the client must retry over TCP). A query log lets a test assert how many
// lookups an operation made.
//
//	srv := dnstest.New(t, `
//	$ORIGIN example.org.
//	@    IN MX 10 mx1
//	mx1  IN A  192.0.2.1
//	`)
//	srv.Fault("example.org.", dns.TypeMX, dnstest.ServFail)
//	mxs, err := srv.Resolver().LookupMX(ctx, "example.org.")
//
// Answers: names with records or with names below them exist (an empty
// non-terminal answers NODATA); other names answer NXDOMAIN. A CNAME is
// followed inside the served data. Wildcard owners ("*.example.org.") match
// names that do not otherwise exist, as in RFC 4592. Responses larger than
// the client's advertised UDP size (512 without EDNS0) are truncated with the
// TC bit set.
//
// Go's resolver consults /etc/hosts before DNS, for names and for reverse
// lookups (LookupAddr), whatever its Dial function: a zone should not rely
// on names or addresses listed there, such as localhost and 127.0.0.1. To
// read a PTR record of such an address from the server, query it directly
// (for example with a miekg/dns client at Addr).
//
// For unit tests that need no sockets, Memory (NewMemory, or Server.Memory
// for the same data as a running server) answers the lookups of
// *net.Resolver from the same zone text, with the errors Go's resolver
// gives for each answer and fault; it also tells NXDOMAIN from NODATA
// through DomainExists. Answers is a map resolver for the odd answers zone
// text cannot hold (records together with an error, an address as an MX
// target), the way a hand-written resolver may give them.
//
// The package is for tests and examples only: it is not a DNS server for
// production use.
package dnstest
