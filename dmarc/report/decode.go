package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mailsmith/mailsmith/dmarc"
)

// maxWarnings bounds Feedback.Warnings; a last entry counts the rest.
const maxWarnings = 20

// reportDecoder builds a Feedback from the decoder's token stream, one
// element at a time, counting what it reads against the limits: nothing
// is decoded into a structure before it has been counted.
type reportDecoder struct {
	d *xml.Decoder
	g *xmlGuard
	l reportLimits

	depth    int
	total    int64 // elements, comments and PIs in the document
	scope    int   // the same, in the current record or outside records
	inRecord bool
	recordNo int    // the record being read, from 1
	part     string // the part outside records being read, for messages

	sections int // CDATA sections counted
	warnings []string
	dropped  int
}

func isTooLarge(err error) bool { return errors.Is(err, ErrTooLarge) }

// decodeReport reads the first feedback element of the document, at the
// top or inside wrapper elements, and stops after it.
func decodeReport(g *xmlGuard, l reportLimits) (*Feedback, error) {
	d := xml.NewDecoder(g)
	d.CharsetReader = charsetReader
	rd := &reportDecoder{d: d, g: g, l: l, part: "the document"}
	seen := false
	for {
		tok, err := rd.next()
		if err != nil {
			if err == io.EOF {
				if !seen {
					return nil, emptyErr("the document has no element")
				}
				return nil, fmt.Errorf("%w: no <feedback> element", ErrFormat)
			}
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		seen = true
		if se.Name.Local != "feedback" {
			continue // a wrapper: look inside
		}
		f, err := rd.feedback(se)
		if err != nil {
			return nil, err
		}
		if rd.dropped > 0 {
			rd.warnings = append(rd.warnings, fmt.Sprintf("%d more warnings", rd.dropped))
		}
		f.Warnings = rd.warnings
		return f, nil
	}
}

// next returns the next token and counts it.
func (rd *reportDecoder) next() (xml.Token, error) {
	tok, err := rd.d.Token()
	if err != nil {
		switch {
		case err == io.EOF:
			return nil, err
		case isTooLarge(err):
			var le *LimitError
			if errors.As(err, &le) && le.Where == "" {
				le.Where = rd.where()
			} else if le != nil && rd.part != "the document" {
				le.Where += " in " + rd.where()
			}
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	switch tok.(type) {
	case xml.StartElement:
		rd.depth++
		if rd.depth > rd.l.depth {
			return nil, rd.limit("MaxDepth", int64(rd.l.depth))
		}
		return tok, rd.count()
	case xml.EndElement:
		rd.depth--
	case xml.Comment, xml.ProcInst, xml.Directive:
		return tok, rd.count()
	case xml.CharData:
		if rd.g.sections != rd.sections {
			// A CDATA section: a token of its own, like an element.
			rd.sections = rd.g.sections
			return tok, rd.count()
		}
	}
	return tok, nil
}

func (rd *reportDecoder) count() error {
	rd.total++
	if rd.total > rd.l.elements {
		return rd.limit("MaxElements", rd.l.elements)
	}
	rd.scope++
	if rd.scope > rd.l.recordElements {
		where := rd.where()
		if !rd.inRecord {
			where = "the report outside its records"
		}
		return &LimitError{Limit: "MaxRecordElements", Max: int64(rd.l.recordElements), Where: where}
	}
	return nil
}

// where says which part of the report is being read.
func (rd *reportDecoder) where() string {
	if rd.inRecord {
		return "record " + strconv.Itoa(rd.recordNo)
	}
	return rd.part
}

func (rd *reportDecoder) limit(name string, max int64) error {
	return &LimitError{Limit: name, Max: max, Where: rd.where()}
}

func (rd *reportDecoder) warnf(format string, args ...any) {
	if len(rd.warnings) >= maxWarnings {
		rd.dropped++
		return
	}
	rd.warnings = append(rd.warnings, fmt.Sprintf(format, args...))
}

// children calls fn for each child element of the element just started,
// until its end tag. fn must consume the child, end tag included.
func (rd *reportDecoder) children(fn func(se xml.StartElement) error) error {
	for {
		tok, err := rd.next()
		if err != nil {
			return rd.eof(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// eof turns an end of input inside an element into a format error.
func (rd *reportDecoder) eof(err error) error {
	if err == io.EOF {
		return fmt.Errorf("%w: the document ends inside <feedback>", ErrFormat)
	}
	return err
}

// skip consumes the element just started.
func (rd *reportDecoder) skip() error {
	for depth := 1; depth > 0; {
		tok, err := rd.next()
		if err != nil {
			return rd.eof(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// text returns the character data of the element just started, trimmed
// of white space; child elements are skipped. Invalid UTF-8 that the guard
// replaced is reported as a warning.
func (rd *reportDecoder) text(se xml.StartElement) (string, error) {
	var s string // the text when it comes in one piece, as it usually does
	var b []byte // when in several
	before := rd.g.replaced
	for {
		tok, err := rd.next()
		if err != nil {
			return "", rd.eof(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(s)+len(b)+len(t) > rd.l.tokenBytes {
				return "", &LimitError{Limit: "MaxTokenBytes", Max: int64(rd.l.tokenBytes), Where: fmt.Sprintf("the value of <%s> in %s", se.Name.Local, rd.where())}
			}
			switch {
			case b != nil:
				b = append(b, t...)
			case s == "":
				s = string(t)
			default:
				b = append([]byte(s), t...)
			}
		case xml.StartElement:
			if err := rd.skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			if rd.g.replaced > before {
				rd.warnf("invalid UTF-8 in <%s> in %s replaced with U+FFFD", se.Name.Local, rd.where())
			}
			if b != nil {
				return strings.TrimSpace(string(b)), nil
			}
			return strings.TrimSpace(s), nil
		}
	}
}

// keyword is text in lower case: the enumerated values (pass, Pass, PASS).
func (rd *reportDecoder) keyword(se xml.StartElement) (string, error) {
	s, err := rd.text(se)
	return strings.ToLower(s), err
}

// raw returns the inner XML of the element just started, as it was
// written (after UTF-8 repair).
func (rd *reportDecoder) raw() ([]byte, error) {
	start := rd.d.InputOffset()
	rd.g.startRecording(start)
	before := rd.g.replaced
	for depth := 1; ; {
		end := rd.d.InputOffset()
		tok, err := rd.next()
		if err != nil {
			rd.g.stopRecording()
			return nil, rd.eof(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
		if depth == 0 {
			rec := rd.g.stopRecording()
			if rd.g.replaced > before {
				rd.warnf("invalid UTF-8 in an extension in %s replaced with U+FFFD", rd.where())
			}
			if n := end - start; n > 0 && n <= int64(len(rec)) {
				return bytes.Clone(rec[:n]), nil
			}
			return nil, nil
		}
	}
}

// recordChunk is the most records collected per allocation; one slice of
// the final size is made at the end, so the records cost about three times
// their size in allocations, not the five times of append's growth.
const recordChunk = 512

func (rd *reportDecoder) feedback(root xml.StartElement) (*Feedback, error) {
	f := &Feedback{XMLName: root.Name}
	var chunks [][]Record
	nrec := 0
	err := rd.children(func(se xml.StartElement) error {
		var err error
		switch se.Name.Local {
		case "version":
			f.Version, err = rd.text(se)
		case "report_metadata":
			rd.part = "report_metadata"
			err = rd.metadata(&f.Metadata)
		case "policy_published":
			rd.part = "policy_published"
			err = rd.policy(&f.PolicyPublished)
		case "extension":
			rd.part = "the report extension"
			var inner []byte
			if inner, err = rd.raw(); err == nil {
				f.Extension = &Extension{Inner: inner}
			}
		case "record":
			if nrec >= rd.l.records {
				return &LimitError{Limit: "MaxRecords", Max: int64(rd.l.records), Where: "the report"}
			}
			// The record's own start tag counts in the record.
			outside := rd.scope - 1
			rd.inRecord, rd.scope, rd.recordNo = true, 1, nrec+1
			if len(chunks) == 0 || len(chunks[len(chunks)-1]) == cap(chunks[len(chunks)-1]) {
				// Chunks grow with the report, from 8 records to 512.
				chunks = append(chunks, make([]Record, 0, min(recordChunk, max(8, nrec))))
			}
			c := &chunks[len(chunks)-1]
			*c = append(*c, Record{})
			if err = rd.record(&(*c)[len(*c)-1]); err == nil {
				nrec++
			}
			rd.inRecord, rd.scope = false, outside
		default:
			rd.part = "<" + se.Name.Local + ">"
			err = rd.skip()
		}
		rd.part = "the report"
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case len(chunks) == 1:
		f.Records = chunks[0]
	case nrec > 0:
		f.Records = make([]Record, 0, nrec)
		for _, c := range chunks {
			f.Records = append(f.Records, c...)
		}
	}
	return f, nil
}

// field is a child element read into a string: its text, or with
// keyword set its text as a keyword (see keyword).
type field struct {
	name    string
	p       *string
	keyword bool
}

// fields reads the children of the element just started: those that fs
// names into their strings, the others through other (nil: skipped).
func (rd *reportDecoder) fields(fs []field, other func(se xml.StartElement) error) error {
	return rd.children(func(se xml.StartElement) error {
		for _, f := range fs {
			if f.name != se.Name.Local {
				continue
			}
			var err error
			if f.keyword {
				*f.p, err = rd.keyword(se)
			} else {
				*f.p, err = rd.text(se)
			}
			return err
		}
		if other == nil {
			return rd.skip()
		}
		return other(se)
	})
}

func (rd *reportDecoder) metadata(m *Metadata) error {
	fs := []field{
		{name: "org_name", p: &m.OrgName},
		{name: "email", p: &m.Email},
		{name: "extra_contact_info", p: &m.ExtraContactInfo},
		{name: "report_id", p: &m.ReportID},
		{name: "generator", p: &m.Generator},
	}
	return rd.fields(fs, func(se xml.StartElement) error {
		var err error
		switch se.Name.Local {
		case "error":
			if len(m.Errors) >= rd.l.errors {
				return rd.limit("MaxErrors", int64(rd.l.errors))
			}
			var s string
			if s, err = rd.text(se); err == nil {
				m.Errors = append(m.Errors, s)
			}
		case "date_range":
			err = rd.children(func(se xml.StartElement) error {
				var p *int64
				switch se.Name.Local {
				case "begin":
					p = &m.DateRange.Begin
				case "end":
					p = &m.DateRange.End
				default:
					return rd.skip()
				}
				s, err := rd.text(se)
				if err != nil {
					return err
				}
				*p, err = parseTimestamp(s)
				if err != nil {
					return fmt.Errorf("%w: date_range <%s> %q: %v", ErrFormat, se.Name.Local, truncate(s, 40), err)
				}
				return nil
			})
		default:
			err = rd.skip()
		}
		return err
	})
}

// parseTimestamp reads seconds since the epoch; some reporters write a
// fractional part ("1337270400.0"), which is dropped. Empty is 0.
func parseTimestamp(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if !allDigits(whole) || (frac != "" && !allDigits(frac)) {
		return 0, errors.New("not a number of seconds")
	}
	return strconv.ParseInt(whole, 10, 64)
}

func (rd *reportDecoder) policy(pp *PolicyPublished) error {
	fs := []field{
		{name: "domain", p: &pp.Domain},
		{name: "discovery_method", p: &pp.DiscoveryMethod, keyword: true},
		{name: "fo", p: &pp.FO, keyword: true},
		{name: "adkim", p: &pp.ADKIM, keyword: true},
		{name: "aspf", p: &pp.ASPF, keyword: true},
		{name: "testing", p: &pp.Testing, keyword: true},
		{name: "pct", p: &pp.Percent},
	}
	return rd.fields(fs, func(se xml.StartElement) error {
		var p *dmarc.Policy
		switch se.Name.Local {
		case "p":
			p = &pp.P
		case "sp":
			p = &pp.SP
		case "np":
			p = &pp.NP
		default:
			return rd.skip()
		}
		s, err := rd.keyword(se)
		*p = dmarc.Policy(s)
		return err
	})
}

func (rd *reportDecoder) record(rec *Record) error {
	results := 0
	return rd.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "row":
			return rd.row(&rec.Row)
		case "identifiers":
			id := &rec.Identifiers
			return rd.fields([]field{
				{name: "envelope_to", p: &id.EnvelopeTo},
				{name: "envelope_from", p: &id.EnvelopeFrom},
				{name: "header_from", p: &id.HeaderFrom},
			}, nil)
		case "auth_results":
			ar := &rec.AuthResults
			return rd.children(func(se xml.StartElement) error {
				if se.Name.Local != "dkim" && se.Name.Local != "spf" {
					return rd.skip()
				}
				results++
				if results > rd.l.recordResults {
					return rd.limit("MaxRecordResults", int64(rd.l.recordResults))
				}
				if se.Name.Local == "dkim" {
					var r DKIMResult
					err := rd.authResult(&r.Domain, &r.Selector, &r.Result, &r.HumanResult, "selector")
					ar.DKIM = append(ar.DKIM, r)
					return err
				}
				var r SPFResult
				err := rd.authResult(&r.Domain, &r.Scope, &r.Result, &r.HumanResult, "scope")
				ar.SPF = append(ar.SPF, r)
				return err
			})
		}
		e := AnyElement{XMLName: se.Name}
		if len(se.Attr) > 0 {
			e.Attrs = append([]xml.Attr(nil), se.Attr...)
		}
		var err error
		e.Inner, err = rd.raw()
		rec.Extensions = append(rec.Extensions, e)
		return err
	})
}

// authResult reads a dkim or spf result; second is the selector or the
// scope (a keyword for spf).
func (rd *reportDecoder) authResult(domain, second, result, human *string, secondName string) error {
	return rd.fields([]field{
		{name: "domain", p: domain},
		{name: secondName, p: second, keyword: secondName == "scope"},
		{name: "result", p: result, keyword: true},
		{name: "human_result", p: human},
	}, nil)
}

func (rd *reportDecoder) row(row *Row) error {
	return rd.fields([]field{{name: "source_ip", p: &row.SourceIP}}, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "count":
			s, err := rd.text(se)
			if err != nil {
				return err
			}
			if s == "" {
				return nil
			}
			row.Count, err = strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("%w: <count> %q in %s is not a number", ErrFormat, truncate(s, 40), rd.where())
			}
			return nil
		case "policy_evaluated":
			pe := &row.PolicyEvaluated
			fs := []field{
				{name: "disposition", p: &pe.Disposition, keyword: true},
				{name: "dkim", p: &pe.DKIM, keyword: true},
				{name: "spf", p: &pe.SPF, keyword: true},
			}
			return rd.fields(fs, func(se xml.StartElement) error {
				if se.Name.Local != "reason" {
					return rd.skip()
				}
				if len(pe.Reasons) >= rd.l.recordReasons {
					return rd.limit("MaxRecordReasons", int64(rd.l.recordReasons))
				}
				var r Reason
				err := rd.fields([]field{{name: "type", p: &r.Type, keyword: true}, {name: "comment", p: &r.Comment}}, nil)
				pe.Reasons = append(pe.Reasons, r)
				return err
			})
		}
		return rd.skip()
	})
}
