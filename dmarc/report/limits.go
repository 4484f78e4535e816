package report

import "fmt"

// Default limits of a zero Parser. The byte caps bound what is read;
// the others bound what the parser builds and the work it does, so that
// any input within the byte caps parses with memory a small constant
// times what it keeps (RFC 9990 §7.1).
const (
	DefaultMaxBytes           = 32 << 20 // decompressed XML
	DefaultMaxCompressedBytes = 16 << 20 // gzip or zip input
	DefaultMaxZipEntries      = 16
	DefaultMaxRecords         = 200000
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
	// DefaultMaxErrors bounds report_metadata's error elements.
	DefaultMaxErrors = 100
	// DefaultMaxDepth bounds element nesting (a report needs 6
	// levels; extensions and wrapper elements get the rest).
	DefaultMaxDepth = 32
	// DefaultMaxTokenBytes bounds one piece of markup (a tag with its
	// name and attributes, a comment, a declaration), one run of text
	// and one value kept.
	DefaultMaxTokenBytes = 64 << 10
	// DefaultMaxAttributes bounds the attributes of one element.
	DefaultMaxAttributes = 32
	// DefaultMaxElements is the budget of elements, comments and
	// processing instructions in one document: the total work. A typical
	// record takes about 20, so it allows some 50,000 records; each kept
	// element costs at most about 100 bytes of memory.
	DefaultMaxElements = 1 << 20
	// DefaultMaxMessageBytes bounds a report email as ParseMessage reads
	// it: a report of DefaultMaxCompressedBytes fits in base64.
	DefaultMaxMessageBytes = 32 << 20
	// DefaultMaxParts bounds the MIME parts ParseMessage visits (report
	// emails have two to six).
	DefaultMaxParts = 64
	// DefaultMaxPartDepth bounds the nesting of multipart entities and
	// attached messages (Outlook's reports nest three deep).
	DefaultMaxPartDepth = 8
)

// LimitError is the error for a report that exceeds one of a
// Parser's limits. It wraps ErrTooLarge; use errors.As to
// learn which limit it was.
type LimitError struct {
	// Limit is the name of the Parser field that was exceeded:
	// "MaxBytes", "MaxCompressedBytes", "MaxZipEntries", "MaxRecords",
	// "MaxRecordElements", "MaxRecordResults", "MaxRecordReasons",
	// "MaxErrors", "MaxElements", "MaxDepth", "MaxTokenBytes",
	// "MaxAttributes", "MaxMessageBytes", "MaxParts" or "MaxPartDepth".
	Limit string
	// Max is the limit in force.
	Max int64
	// Where says where in the report it was hit ("record 12", "the value of
	// <org_name> in report_metadata", ...); it may be empty.
	Where string
}

// Error says which limit was exceeded and where.
func (e *LimitError) Error() string {
	s := fmt.Sprintf("%v: %s (%d) exceeded", ErrTooLarge, e.Limit, e.Max)
	if e.Where != "" {
		s += " in " + e.Where
	}
	return s
}

// Unwrap returns ErrTooLarge.
func (e *LimitError) Unwrap() error { return ErrTooLarge }

// reportLimits are a Parser's limits with the defaults filled in.
type reportLimits struct {
	bytes, compressed                            int64
	zipEntries, records                          int
	recordElements, recordResults, recordReasons int
	errors, depth, tokenBytes, attributes        int
	elements                                     int64
	message                                      int64
	parts, partDepth                             int
}

func (p *Parser) limits() reportLimits {
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
		records:        def(p.MaxRecords, DefaultMaxRecords),
		recordElements: def(p.MaxRecordElements, DefaultMaxRecordElements),
		recordResults:  def(p.MaxRecordResults, DefaultMaxRecordResults),
		recordReasons:  def(p.MaxRecordReasons, DefaultMaxRecordReasons),
		errors:         def(p.MaxErrors, DefaultMaxErrors),
		depth:          def(p.MaxDepth, DefaultMaxDepth),
		tokenBytes:     def(p.MaxTokenBytes, DefaultMaxTokenBytes),
		attributes:     def(p.MaxAttributes, DefaultMaxAttributes),
		elements:       p.MaxElements,
		message:        p.MaxMessageBytes,
		parts:          def(p.MaxParts, DefaultMaxParts),
		partDepth:      def(p.MaxPartDepth, DefaultMaxPartDepth),
	}
	if l.message <= 0 {
		l.message = DefaultMaxMessageBytes
	}
	if l.elements <= 0 {
		l.elements = DefaultMaxElements
	}
	return l
}

func (p *Parser) maxBytes() int64 {
	if p.MaxBytes > 0 {
		return p.MaxBytes
	}
	return DefaultMaxBytes
}

func (p *Parser) maxCompressed() int64 {
	if p.MaxCompressedBytes > 0 {
		return p.MaxCompressedBytes
	}
	return DefaultMaxCompressedBytes
}
