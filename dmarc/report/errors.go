package report

import "errors"

// Sentinel errors. Errors returned by this package wrap one of these (with
// %w) and add what was wrong and where; test them with errors.Is. Their
// text starts with "dmarc/report: ".
var (
	// ErrTooLarge: a report (compressed or decompressed), a report
	// email, or one of their parts exceeds the Parser's limits; the
	// error is a *LimitError that names the limit.
	ErrTooLarge = errors.New("dmarc/report: report exceeds a limit")
	// ErrFormat: a report is not a well-formed DMARC feedback document,
	// or its container (gzip, zip, MIME) is broken.
	ErrFormat = errors.New("dmarc/report: malformed aggregate report")
	// ErrEmpty: a report (or the gzip or zip member holding it) is empty
	// or has no element. Such errors match both ErrEmpty and ErrFormat.
	ErrEmpty = errors.New("dmarc/report: report is empty")
	// ErrNoReport: a report email has no part that holds a report (no
	// gzip, zip or XML part).
	ErrNoReport = errors.New("dmarc/report: message holds no report")
	// ErrIncomplete: a report lacks a required element (RFC 9990 §2.1:
	// org_name, email, report_id, date_range, policy domain, at least
	// one record); Feedback.Validate and Builder.Feedback return it.
	ErrIncomplete = errors.New("dmarc/report: report lacks a required element")
)
