package dmarc

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Default limits of a zero ReportParser.
const (
	DefaultMaxReportBytes     = 32 << 20 // decompressed XML
	DefaultMaxCompressedBytes = 16 << 20 // gzip or zip input
	DefaultMaxZipEntries      = 16
	DefaultMaxReportRecords   = 200000
)

// ReportParser reads aggregate reports as they arrive by mail: plain XML,
// gzip (RFC 9990 §2.5.1) or zip (still sent by some receivers). Every
// size is capped so a hostile report (zip bomb, huge XML) cannot exhaust
// memory (RFC 9990 §7.1). The zero value uses the Default* limits.
type ReportParser struct {
	MaxBytes           int64 // decompressed XML; 0: DefaultMaxReportBytes
	MaxCompressedBytes int64 // compressed input; 0: DefaultMaxCompressedBytes
	MaxZipEntries      int   // files in a zip archive; 0: DefaultMaxZipEntries
	MaxRecords         int   // record elements; 0: DefaultMaxReportRecords
}

// ParseReport parses a report with the default limits.
func ParseReport(r io.Reader) (*Feedback, error) {
	var p ReportParser
	return p.Parse(r)
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

// Parse detects the container by its magic bytes and parses the report.
// Errors wrap ErrReportTooLarge or ErrReportFormat.
func (p *ReportParser) Parse(r io.Reader) (*Feedback, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(4)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		return p.parseGzip(br)
	case len(magic) == 4 && string(magic) == "PK\x03\x04":
		return p.parseZip(br)
	}
	return p.parseXML(br)
}

func (p *ReportParser) parseGzip(r io.Reader) (*Feedback, error) {
	cr := &capReader{r: r, n: p.maxCompressed(), what: "compressed report"}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrReportFormat, err)
	}
	defer zr.Close()
	return p.parseXML(zr)
}

func (p *ReportParser) parseZip(r io.Reader) (*Feedback, error) {
	data, err := io.ReadAll(&capReader{r: r, n: p.maxCompressed(), what: "compressed report"})
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: zip: %v", ErrReportFormat, err)
	}
	maxEntries := p.MaxZipEntries
	if maxEntries <= 0 {
		maxEntries = DefaultMaxZipEntries
	}
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("%w: zip has %d entries, limit %d", ErrReportTooLarge, len(zr.File), maxEntries)
	}
	var pick *zip.File
	var files []*zip.File
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		files = append(files, f)
		if pick == nil && strings.HasSuffix(strings.ToLower(f.Name), ".xml") {
			pick = f
		}
	}
	if pick == nil && len(files) == 1 {
		pick = files[0]
	}
	if pick == nil {
		return nil, fmt.Errorf("%w: zip holds no .xml file", ErrReportFormat)
	}
	if pick.UncompressedSize64 > uint64(p.maxBytes()) {
		return nil, fmt.Errorf("%w: zip entry %q declares %d bytes, limit %d", ErrReportTooLarge, pick.Name, pick.UncompressedSize64, p.maxBytes())
	}
	rc, err := pick.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: zip entry %q: %v", ErrReportFormat, pick.Name, err)
	}
	defer rc.Close()
	return p.parseXML(rc)
}

// capReader fails with ErrReportTooLarge once more than n bytes were read.
type capReader struct {
	r    io.Reader
	n    int64
	what string
}

func (c *capReader) Read(b []byte) (int, error) {
	if c.n < 0 {
		return 0, fmt.Errorf("%w: %s", ErrReportTooLarge, c.what)
	}
	if int64(len(b)) > c.n+1 {
		b = b[:c.n+1]
	}
	n, err := c.r.Read(b)
	c.n -= int64(n)
	if c.n < 0 {
		return n, fmt.Errorf("%w: %s exceeds the limit", ErrReportTooLarge, c.what)
	}
	return n, err
}

// parseXML decodes the feedback document one top-level element at a time,
// so the record count can be capped while reading.
func (p *ReportParser) parseXML(r io.Reader) (*Feedback, error) {
	maxRecords := p.MaxRecords
	if maxRecords <= 0 {
		maxRecords = DefaultMaxReportRecords
	}
	d := xml.NewDecoder(&capReader{r: r, n: p.maxBytes(), what: "report XML"})
	d.CharsetReader = charsetReader
	f := &Feedback{}
	var root bool
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, wrapXMLErr(err, root)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			if ee, ok := tok.(xml.EndElement); ok && root && ee.Name.Local == "feedback" {
				break
			}
			continue
		}
		if !root {
			if se.Name.Local != "feedback" {
				return nil, fmt.Errorf("%w: root element is <%s>, want <feedback>", ErrReportFormat, se.Name.Local)
			}
			f.XMLName = se.Name
			root = true
			continue
		}
		switch se.Name.Local {
		case "version":
			err = d.DecodeElement(&f.Version, &se)
		case "report_metadata":
			err = d.DecodeElement(&f.ReportMetadata, &se)
		case "policy_published":
			err = d.DecodeElement(&f.PolicyPublished, &se)
		case "extension":
			f.Extension = &Extension{}
			err = d.DecodeElement(f.Extension, &se)
		case "record":
			if len(f.Records) >= maxRecords {
				return nil, fmt.Errorf("%w: more than %d records", ErrReportTooLarge, maxRecords)
			}
			var rec ReportRecord
			if err = d.DecodeElement(&rec, &se); err == nil {
				f.Records = append(f.Records, rec)
			}
		default:
			err = d.Skip()
		}
		if err != nil {
			return nil, wrapXMLErr(err, true)
		}
	}
	f.normalize()
	return f, nil
}

func wrapXMLErr(err error, root bool) error {
	if errors.Is(err, ErrReportTooLarge) {
		return err
	}
	if err == io.EOF {
		if !root {
			return fmt.Errorf("%w: no <feedback> element", ErrReportFormat)
		}
		return fmt.Errorf("%w: document ends inside <feedback>", ErrReportFormat)
	}
	return fmt.Errorf("%w: %v", ErrReportFormat, err)
}

// charsetReader accepts the encodings reports are declared in: UTF-8 and
// US-ASCII as is, ISO-8859-1 (Latin-1) converted to UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "l1":
		return &latin1Reader{r: bufio.NewReader(in)}, nil
	}
	return nil, fmt.Errorf("unsupported charset %q", label)
}

type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.buf) == 0 {
		b, err := l.r.ReadByte()
		if err != nil {
			return 0, err
		}
		l.buf = utf8.AppendRune(l.buf[:0], rune(b))
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

// normalize trims the white space reporters put around values.
func (f *Feedback) normalize() {
	t := strings.TrimSpace
	f.Version = t(f.Version)
	m := &f.ReportMetadata
	m.OrgName, m.Email, m.ExtraContactInfo, m.ReportID, m.Generator = t(m.OrgName), t(m.Email), t(m.ExtraContactInfo), t(m.ReportID), t(m.Generator)
	for i := range m.Errors {
		m.Errors[i] = t(m.Errors[i])
	}
	pp := &f.PolicyPublished
	pp.Domain, pp.DiscoveryMethod, pp.FO, pp.ADKIM, pp.ASPF, pp.Testing, pp.Percent = t(pp.Domain), t(pp.DiscoveryMethod), t(pp.FO), t(pp.ADKIM), t(pp.ASPF), t(pp.Testing), t(pp.Percent)
	pp.P, pp.SP, pp.NP = Policy(t(string(pp.P))), Policy(t(string(pp.SP))), Policy(t(string(pp.NP)))
	for i := range f.Records {
		r := &f.Records[i]
		r.Row.SourceIP = t(r.Row.SourceIP)
		pe := &r.Row.PolicyEvaluated
		pe.Disposition, pe.DKIM, pe.SPF = t(pe.Disposition), t(pe.DKIM), t(pe.SPF)
		for j := range pe.Reasons {
			pe.Reasons[j].Type, pe.Reasons[j].Comment = t(pe.Reasons[j].Type), t(pe.Reasons[j].Comment)
		}
		id := &r.Identifiers
		id.EnvelopeTo, id.EnvelopeFrom, id.HeaderFrom = t(id.EnvelopeTo), t(id.EnvelopeFrom), t(id.HeaderFrom)
		for j := range r.AuthResults.DKIM {
			a := &r.AuthResults.DKIM[j]
			a.Domain, a.Selector, a.Result, a.HumanResult = t(a.Domain), t(a.Selector), t(a.Result), t(a.HumanResult)
		}
		for j := range r.AuthResults.SPF {
			a := &r.AuthResults.SPF[j]
			a.Domain, a.Scope, a.Result, a.HumanResult = t(a.Domain), t(a.Scope), t(a.Result), t(a.HumanResult)
		}
	}
}
