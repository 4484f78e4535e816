package dmarc

import "fmt"

// Default limits of a zero ReportParser. The byte caps bound what is read;
// the others bound what the parser builds and the work it does, so that
// any input within the byte caps parses with memory a small constant
// times what it keeps (RFC 9990 §7.1).
const (
	DefaultMaxReportBytes     = 32 << 20 // decompressed XML
	DefaultMaxCompressedBytes = 16 << 20 // gzip or zip input
	DefaultMaxZipEntries      = 16
	DefaultMaxReportRecords   = 200000
	// DefaultMaxRecordElements bounds the elements (and comments and
	// processing instructions) inside one record element, and those
	// outside the records (report_metadata, policy_published, extension,
	// unknown elements) together. A record with MaxRecordResults
	// results needs about 5 per result.
	DefaultMaxRecordElements = 1024
	// DefaultMaxRecordResults bounds the dkim and spf results of one
	// record's auth_results (RFC 9990 keeps at most 100 DKIM results).
	DefaultMaxRecordResults = 128
	// DefaultMaxRecordReasons bounds the reason elements of one record.
	DefaultMaxRecordReasons = 16
	// DefaultMaxReportErrors bounds report_metadata's error elements.
	DefaultMaxReportErrors = 100
	// DefaultMaxReportDepth bounds element nesting (a report needs 6
	// levels; extensions and wrapper elements get the rest).
	DefaultMaxReportDepth = 32
	// DefaultMaxTokenBytes bounds one piece of markup (a tag with its
	// name and attributes, a comment, a declaration), one run of text
	// and one value kept.
	DefaultMaxTokenBytes = 64 << 10
	// DefaultMaxAttributes bounds the attributes of one element.
	DefaultMaxAttributes = 32
	// DefaultMaxReportElements is the budget of elements, comments and
	// processing instructions in one document: the total work. A typical
	// record takes about 20, so it allows some 50,000 records; each kept
	// element costs at most about 100 bytes of memory.
	DefaultMaxReportElements = 1 << 20
)

// ReportLimitError is the error for a report that exceeds one of a
// ReportParser's limits. It wraps ErrReportTooLarge; use errors.As to
// learn which limit it was.
type ReportLimitError struct {
	// Limit is the name of the ReportParser field that was exceeded:
	// "MaxBytes", "MaxCompressedBytes", "MaxZipEntries", "MaxRecords",
	// "MaxRecordElements", "MaxRecordResults", "MaxRecordReasons",
	// "MaxErrors", "MaxElements", "MaxDepth", "MaxTokenBytes" or
	// "MaxAttributes".
	Limit string
	// Max is the limit in force.
	Max int64
	// Where says where in the report it was hit ("record 12", "the value of
	// <org_name> in report_metadata", ...); it may be empty.
	Where string
}

// Error says which limit was exceeded and where.
func (e *ReportLimitError) Error() string {
	s := fmt.Sprintf("%v: %s (%d) exceeded", ErrReportTooLarge, e.Limit, e.Max)
	if e.Where != "" {
		s += " in " + e.Where
	}
	return s
}

// Unwrap returns ErrReportTooLarge.
func (e *ReportLimitError) Unwrap() error { return ErrReportTooLarge }

// reportLimits are a ReportParser's limits with the defaults filled in.
type reportLimits struct {
	bytes, compressed                            int64
	zipEntries, records                          int
	recordElements, recordResults, recordReasons int
	errors, depth, tokenBytes, attributes        int
	elements                                     int64
}

func (p *ReportParser) limits() reportLimits {
	def := func(v, d int) int {
		if v > 0 {
			return v
		}
		return d
	}
	l := reportLimits{
		bytes:          p.maxBytes(),
		compressed:     p.maxCompressed(),
		zipEntries:     def(p.MaxZipEntries, DefaultMaxZipEntries),
		records:        def(p.MaxRecords, DefaultMaxReportRecords),
		recordElements: def(p.MaxRecordElements, DefaultMaxRecordElements),
		recordResults:  def(p.MaxRecordResults, DefaultMaxRecordResults),
		recordReasons:  def(p.MaxRecordReasons, DefaultMaxRecordReasons),
		errors:         def(p.MaxErrors, DefaultMaxReportErrors),
		depth:          def(p.MaxDepth, DefaultMaxReportDepth),
		tokenBytes:     def(p.MaxTokenBytes, DefaultMaxTokenBytes),
		attributes:     def(p.MaxAttributes, DefaultMaxAttributes),
		elements:       p.MaxElements,
	}
	if l.elements <= 0 {
		l.elements = DefaultMaxReportElements
	}
	return l
}

func (p *ReportParser) maxBytes() int64 {
	if p.MaxBytes > 0 {
		return p.MaxBytes
	}
	return DefaultMaxReportBytes
}

func (p *ReportParser) maxCompressed() int64 {
	if p.MaxCompressedBytes > 0 {
		return p.MaxCompressedBytes
	}
	return DefaultMaxCompressedBytes
}
