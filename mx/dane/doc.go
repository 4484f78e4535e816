// Package dane implements DANE for SMTP (RFC 7672): how a sending MTA
// learns from DNSSEC-signed TLSA records (RFC 6698, RFC 7671) that an MX
// host requires TLS and which certificate or key it must present, and
// checks the server's certificate chain against those records.
//
// What it does, by RFC section:
//
//   - RFC 6698 §2: Record is one TLSA record; ParseRecord reads its
//     presentation form ("3 1 1 <hex>"), Record.String writes it.
//   - RFC 7672 §3.1, RFC 7671 §5: Verify (and VerifyMatch, which also gives
//     the depth) checks a chain. DANE-EE(3) matches the server's own
//     certificate or key with no name or expiry check (RFC 7672 §3.1.1);
//     DANE-TA(2) matches a trust anchor sent in the chain or given in full
//     in the record (RFC 7671 §5.2.2), and the chain from the server
//     certificate to it must validate and name one of the reference
//     identifiers (RFC 7672 §3.2.2, with the wildcard rule of §3.2.3).
//     Selectors Cert(0) and SPKI(1); matching types Full(0), SHA2-256(1),
//     SHA2-512(2), with digest agility (RFC 7671 §9). PKIX-TA(0) and
//     PKIX-EE(1) are unusable for SMTP (RFC 7672 §3.1.3), as are unknown
//     parameters and malformed data, such as a digest of the wrong length
//     (Record.Usable says why).
//   - RFC 7672 §2.1, §2.2: Lookup finds a domain's MX hosts and, per host,
//     whether DANE applies (Status): the MX RRset must be secure (§2.2.1),
//     then the host's address records (§2.2.2, CNAMEs followed one link at
//     a time), then TLSA records at _25._tcp.<host>, at the CNAME-expanded
//     name first when the whole chain is secure (§2.2.3). Secure usable
//     records: StatusVerify. Secure records none of which is usable: TLS
//     without authentication, StatusEncrypt. No secure records:
//     StatusNone. A bogus answer or a temporary failure: StatusDefer,
//     never a silent downgrade (§2.1.1).
//   - RFC 7672 §8.1: Host.TLSConfig returns the TLS settings for a host:
//     Server Name Indication with the TLSA base domain, no WebPKI check,
//     and a VerifyConnection that runs Verify. With the smtp package of
//     this module: smtp.TLSPolicy{Mode: smtp.TLSRequired, Config: cfg}.
//     VerifyConnection builds such a check from records alone.
//   - RFC 7671 §8.1: RecordFor and RecordForKey make the "3 1 1" record of
//     a certificate or key to publish; Record.ZoneText writes it as a zone
//     file line ("_25._tcp.mx.example.org. IN TLSA 3 1 1 ...").
//
// DNSSEC. *net.Resolver cannot tell a validated answer from another, so
// this package has its own Resolver interface whose lookups also return
// whether the answer was secure, and DNSResolver, an implementation on
// github.com/miekg/dns that trusts the AD bit of the answers of the
// recursive resolvers it is given (or those of /etc/resolv.conf). It does
// not validate DNSSEC itself: point it at a validating resolver on the
// same host (Unbound, for instance), as Postfix requires too. Lookup
// errors wrap ErrNXDomain, ErrNoData, ErrBogus (SERVFAIL, which is how a
// validator reports a bogus answer) or ErrTemporary, and a *net.DNSError.
//
// What it does not do: validate DNSSEC, deliver mail (an SMTP client
// applies Host.TLSConfig), choose between DANE and MTA-STS (RFC 8461 §2:
// DANE wins when it applies; the caller decides, see package mx/mtasts),
// or send TLS reports (package mx/tlsrpt). Lookup does not use DANE with
// an insecure MX RRset, which RFC 7672 §2.2.1 allows (and Postfix does at
// its "dane" level); LookupHost does it for one host.
//
// Usage:
//
//	r := &dane.DNSResolver{Servers: []string{"127.0.0.1"}}
//	d, err := dane.Lookup(ctx, r, "example.org")
//	if err != nil {
//		return err // defer the message (or bounce for ErrNXDomain, ErrNullMX)
//	}
//	for _, h := range d.Hosts {
//		switch h.Status {
//		case dane.StatusVerify, dane.StatusEncrypt:
//			cfg, _ := h.TLSConfig(nil)
//			policy := smtp.TLSPolicy{Mode: smtp.TLSRequired, Config: cfg}
//			// deliver to h.Addrs with smtp.WithTLSPolicy(policy)
//		case dane.StatusNone:
//			// deliver as without DANE (opportunistic TLS, MTA-STS)
//		case dane.StatusDefer:
//			// skip this host for now: h.Err
//		}
//	}
package dane
