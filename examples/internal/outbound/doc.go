// Package outbound delivers a message to its recipients' mail exchangers:
// it groups the recipients by domain, finds each domain's MX hosts with the
// mx package (RFC 5321 §5.1: preference order, implicit MX, null MX), and
// sends with the smtp client, trying the hosts in order until one answers.
// It reports, per recipient, whether the message was accepted, failed for
// good (5yz, null MX, no such domain) or should be retried (4yz, network
// and DNS trouble, a TLS policy that no host met).
//
// The TLS of each MX host is decided in this order (Policies.HostTLS):
//
//   - DANE (RFC 7672, package mx/dane), when a DNSSEC-aware resolver is
//     configured and the host has secure TLSA records: TLS is mandatory and
//     the certificate must match them (smtp.TLSRequired with the
//     VerifyConnection of dane.Host.TLSConfig); a bogus or failed lookup
//     defers the host. RFC 8461 §2: DANE wins over MTA-STS. A host whose
//     TLSA records are all unusable gets TLS without authentication (RFC
//     7672 §2.2), unless an MTA-STS policy in mode enforce asks for more.
//   - MTA-STS (RFC 8461, package mx/mtasts), when the recipient domain has a
//     policy: in mode enforce only the hosts it lists are tried, with
//     smtp.TLSVerified against the MX name; in mode testing every host is
//     tried opportunistically, the certificate checked afterwards
//     (smtp.VerifyCertificate) and a failure reported, and the message
//     delivered anyway.
//   - Otherwise opportunistic STARTTLS without a certificate check, one
//     retry in plain text when the handshake fails (RFC 7435).
//
// Every session (and every host skipped by a policy) is counted in a
// tlsrpt.Builder when one is given (RFC 8460): a success, or the failure's
// result type (tlsrpt.ClassifyTLSError for a certificate,
// starttls-not-supported when STARTTLS is not offered, validation-failure
// with the reason code mx-not-in-policy for a host outside the MTA-STS
// policy).
package outbound
