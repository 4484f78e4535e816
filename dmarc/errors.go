package dmarc

import "errors"

// Sentinel errors. Errors returned by this package wrap one of these (with
// %w) and add what was wrong and where; test them with errors.Is.
var (
	// ErrNotDMARC: the text does not begin with the "v=DMARC1" tag
	// (RFC 9989 §4.7: such a record MUST be ignored).
	ErrNotDMARC = errors.New("dmarc: not a DMARC record")
	// ErrDuplicateTag: a registered tag occurs more than once. DMARC
	// records use the DKIM tag-list syntax (RFC 9989 §4.7), and RFC 6376
	// §3.2 makes a tag-list with a duplicated tag invalid as a whole.
	ErrDuplicateTag = errors.New("dmarc: duplicate tag")
	// ErrInvalidDomain: a domain name is empty, too long or malformed.
	ErrInvalidDomain = errors.New("dmarc: invalid domain name")
	// ErrTempError: a DNS query failed temporarily (SERVFAIL, timeout,
	// network error); the evaluation result is TempError.
	ErrTempError = errors.New("dmarc: temporary DNS failure")
	// ErrMalformedRecord: a DNS TXT record starts with v=DMARC1 but is not
	// a valid DMARC record (for example a duplicated tag), and no other
	// record applied; the evaluation result is PermError.
	ErrMalformedRecord = errors.New("dmarc: malformed DMARC record")

	// ErrReportTooLarge: an aggregate report (compressed or decompressed)
	// or one of its parts exceeds the parser's limits; the error is a
	// *ReportLimitError that names the limit.
	ErrReportTooLarge = errors.New("dmarc: report exceeds size limit")
	// ErrReportFormat: an aggregate report is not a well-formed DMARC
	// feedback document, or its container (gzip, zip) is broken.
	ErrReportFormat = errors.New("dmarc: malformed aggregate report")
	// ErrReportEmpty: an aggregate report (or the gzip or zip member
	// holding it) is empty or has no element. Such errors match both
	// ErrReportEmpty and ErrReportFormat.
	ErrReportEmpty = errors.New("dmarc: report is empty")
	// ErrReportIncomplete: a report being built lacks a required element
	// (RFC 9990 §2.1: org_name, email, report_id, date_range, policy
	// domain, at least one record).
	ErrReportIncomplete = errors.New("dmarc: report lacks a required element")
)
