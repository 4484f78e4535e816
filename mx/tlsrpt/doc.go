// Package tlsrpt implements SMTP TLS Reporting (TLS-RPT, RFC 8460): how a
// receiving domain asks senders for daily reports on the TLS sessions they
// made (or failed to make) with its MX hosts under MTA-STS or DANE, and the
// reports themselves.
//
// What it does, by RFC 8460 section:
//
//   - §3: ParseRecord parses a "_smtp._tls" TXT record
//     ("v=TLSRPTv1; rua=mailto:...,https://..."); Lookup finds the one
//     record of a domain (records not beginning with "v=TLSRPTv1;" are
//     ignored; none, several or an invalid one: ErrNoRecord).
//   - §4: Report and its parts are the report JSON with every field of
//     §4.4 and every result type of §4.3; json.Marshal writes the RFC's
//     field names. Parsing accepts date-times without a time zone and
//     "mx-host" as a string or an array (erratum 6241).
//   - §5.1, §5.3: ParseReport reads a report as it arrives (JSON or gzip);
//     ParseReportMessage reads a report email (multipart/report or
//     single-part, application/tlsrpt+json or +gzip). Parser bounds
//     everything the sender controls (bytes before and after gzip, JSON
//     nesting, number of policies, failure details and other array
//     elements, message size, MIME parts and nesting) and says which limit
//     was hit (*LimitError).
//   - §4, §5: Builder counts successful and failed sessions per policy
//     domain and policy (sts, tlsa, no-policy-found) from delivery
//     outcomes and writes the JSON, its gzip, the §5.1 file name and the
//     §5.3 email.
//
// DNS goes through the package's Resolver interface (LookupTXT with the
// signature of *net.Resolver; the parent package's mx.TXTResolver); names
// are queried absolute, the domain normalized by mx.NormalizeDomain, the
// record selected by mx.LookupVersionedTXT. A temporary DNS failure wraps
// ErrTemporary and a *net.DNSError with IsTemporary set.
//
// What it does not do: send reports (mail them with an SMTP client, or POST
// them to an https rua), DKIM-sign report emails (§5.3 requires it; use a
// DKIM signer), or decide what failed in a TLS session (the SMTP client
// tells the Builder).
//
// Usage:
//
//	rec, err := tlsrpt.Lookup(ctx, nil, "example.com")
//	b := &tlsrpt.Builder{OrganizationName: "Example", Submitter: "mail.example.org", Start: day, End: day.Add(24*time.Hour - time.Second)}
//	b.AddSuccess(tlsrpt.PolicyInfo{Type: tlsrpt.PolicySTS, Domain: "example.com", String: lines, MXHost: mxs})
//	msg, err := b.Message("example.com", tlsrpt.MessageOptions{From: "tlsrpt@mail.example.org", To: "tlsrpt@example.com", ReportID: id})
//
//	rep, err := tlsrpt.ParseReportMessage(r) // reports that arrive
package tlsrpt
