// Package report reads and writes DMARC aggregate reports as RFC 9990
// specifies them (and the RFC 7489 Appendix C format they grew from).
//
// # What it does
//
//   - Parse reads a report as a receiver sends it: plain XML, gzip (RFC
//     9990 §2.5.1) or zip, detected by their first bytes; RFC 9990
//     documents (namespace urn:ietf:params:xml:ns:dmarc-2.0) and RFC 7489
//     ones (no namespace) alike, into a Feedback (§2.1, Appendix A).
//   - ParseMessage reads the email a report arrived in (RFC 9990 §2.5):
//     a multipart message with a zip or gzip attachment, a single-part
//     gzip or zip, XML inline, or any of these inside a forwarded
//     message, in base64, quoted-printable or 8bit (and a bare report,
//     as Parse does).
//   - Parser's limits bound what is read (compressed and decompressed
//     bytes, the email, zip entries, MIME parts and their nesting) and
//     what is built (records, elements per record, results, reasons,
//     errors, nesting, the size of one tag or value, attributes, the
//     elements of the whole document), so zip bombs, huge documents,
//     millions of tiny elements and endless MIME parts are refused early
//     with a *LimitError that names the limit (RFC 9990 §7.1).
//   - Feedback.Validate applies the RFC 9990 §2.1 requirements, which
//     parsing does not enforce.
//   - Builder accumulates evaluated messages (NewMessage makes one from a
//     dmarc.Verdict) for one policy domain and period and produces a
//     valid report; Feedback.WriteXML and WriteGzip write it, Filename
//     names the attachment (§2.5.1).
//
// How parsing bends to what real receivers send (element order, case,
// Latin-1, stray wrappers, junk after gzip data) is listed in DESIGN.md
// beside this file.
//
// # What it does not do
//
// It does not send reports or compose the report email, verify external
// report destinations (dmarc.Checker.ExternalDestination does, RFC 9990
// §3), or read or write failure reports. It parses leniently and never
// checks a report against the XML schema; call Feedback.Validate for the
// RFC's rules.
//
// # Usage
//
//	f, err := report.ParseMessage(msg) // an io.Reader over the whole email
//	if err != nil {
//		return err // errors.Is(err, report.ErrNoReport), report.ErrTooLarge, ...
//	}
//	for _, r := range f.Records {
//		fmt.Println(r.Row.SourceIP, r.Row.Count, r.Row.PolicyEvaluated.Disposition)
//	}
package report
