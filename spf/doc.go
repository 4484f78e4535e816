// Package spf implements the Sender Policy Framework, RFC 7208: it parses
// SPF records and evaluates check_host() for the HELO and MAIL FROM
// identities of an SMTP session.
//
// # What it does
//
//   - Parse (RFC 7208 §4.6, §5, §6, §7.1) reads a "v=spf1" record into a
//     Record: every mechanism (all, include, a, mx, ptr, ip4, ip6, exists)
//     with its qualifier, domain-spec and dual CIDR lengths ("a:host/24//64"),
//     the redirect and exp modifiers and unknown modifiers (kept, ignored).
//     Domain-specs and macro-strings are validated; a *SyntaxError names the
//     offending term. Record.String gives back a record that parses to the
//     same terms.
//   - Checker.Check and Checker.CheckHELO run check_host() (§4–§6): record
//     lookup and selection (exactly one "v=spf1" TXT record; the obsolete
//     SPF RR type is never queried), mechanisms in order, the include table
//     of §5.2, redirect only when nothing matched, exp only on fail (§6.2).
//     The identity's domain is validated first (§4.3): a malformed or
//     single-label domain, an address literal or a name whose last label
//     is all-numeric (a bare IPv4 address as HELO) gives None without a
//     DNS query. An explanation is kept only when its expansion is
//     printable US-ASCII (§6.2), so a macro such as %{l} cannot bring a
//     sender's bytes into an SMTP reply.
//   - Macros (§7) are complete: s l o d i p v h c r t, digit and "r"
//     transformers, delimiters, upper-case letters URL-escaped, %% %_ %-;
//     c, r and t only in explanations; %{p} is the validated name of §5.5;
//     %{i} of an IPv6 client is its dotted nibbles (lower case in names,
//     as in §7.4's example; upper case in explanations, as the RFC 7208
//     test suite has it); expanded names longer than 253 octets are cut
//     from the left (§7.3). One expansion is capped at a few kilobytes: a
//     longer one matches nothing and explains nothing. When the local-part
//     is not ASCII (SMTPUTF8), terms that use %{s} or %{l} match nothing
//     (RFC 8616 §4); the sender's domain is evaluated as an A-label.
//   - Limits (§4.6.4): 10 DNS-querying terms (include, a, mx, ptr, exists,
//     redirect) per evaluation including everything it includes, 2 void
//     lookups, 10 names per mx, ptr and %{p}. An include or redirect that
//     comes back to a domain under evaluation is a PermError at once
//     (ErrLoop), and nesting is capped, so no record can cause deep
//     recursion. The term that would exceed the limit of 10 is not
//     evaluated, so Verdict.Lookups never exceeds it. One evaluation has a
//     deadline (DefaultTimeout, 20 s) on top of the caller's context.
//   - Verdict carries the result, the deciding domain and mechanism (as
//     written in the record), the explanation and the lookup counts, and
//     renders a Received-SPF header field (§9.1; "mechanism=default" when
//     no mechanism matched) and an RFC 8601 Authentication-Results method
//     ("spf=pass smtp.mailfrom=example.org": the domain of the identity,
//     as an A-label). Sender-controlled text in the header is quoted or
//     escaped so it cannot break out of the field.
//
// IPv4-mapped IPv6 client addresses are evaluated as IPv4 (§5): they match
// ip4 and A records only. "a", "mx" and "ptr" look up the client's address
// family only; "exists" always looks up A records (§5.7).
//
// DNS goes through the Resolver interface, whose methods have the
// signatures of *net.Resolver (nil means net.DefaultResolver). A
// *net.DNSError with IsNotFound, or an empty answer, is "no records"; any
// other failure, of any error type, is a TempError. Names are always
// queried fully qualified and in lower case. LookupTXT must give one
// string per TXT record with its character-strings joined (§3.3), as
// *net.Resolver does.
//
// # What it does not do
//
// It does not query the SPF RR type (type 99, removed by RFC 7208), offer a
// "best guess" or local policy records, cache DNS answers (plug in a
// caching resolver) or decide what to do with a message: mapping results
// to SMTP replies is the caller's policy (§8). The "p" macro and "ptr"
// mechanism are implemented as specified although the RFC discourages
// their use.
//
// # Usage
//
//	c := &spf.Checker{Receiver: "mx.example.net"}
//	v, err := c.Check(ctx, clientIP, heloName, mailFrom)
//	if err != nil {
//		log.Printf("spf %s: %v", v.Result, err) // TempError or PermError
//	}
//	hdr := v.ReceivedSPF("mx.example.net") // "Received-SPF: pass (...) ...\r\n"
//	ar := v.AuthResult()         // "spf=pass smtp.mailfrom=example.org"
package spf
