package report

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Parser reads aggregate reports as they arrive: plain XML, gzip (RFC
// 9990 §2.5.1) or zip (still sent by some receivers), alone (Parse) or in
// the email that brought them (ParseMessage). Every size is capped so a
// hostile report (zip bomb, huge XML, millions of tiny elements, a
// message of endless MIME parts) cannot exhaust memory or time (RFC 9990
// §7.1): the byte caps bound what is read, the other limits what is
// built from it. A report over a limit fails with a *LimitError that
// names the limit.
//
// The zero value uses the Default* limits. Every field is a safety cap:
// 0 or a negative value means its default, never "no limit" (to allow
// more, set a larger value).
type Parser struct {
	MaxBytes           int64 // decompressed XML; 0 or negative: DefaultMaxBytes
	MaxCompressedBytes int64 // gzip or zip input; 0 or negative: DefaultMaxCompressedBytes
	MaxZipEntries      int   // files in a zip archive; 0 or negative: DefaultMaxZipEntries
	MaxRecords         int   // record elements; 0 or negative: DefaultMaxRecords
	// MaxRecordElements bounds the elements, comments and processing
	// instructions inside one record, and those outside the records
	// together; 0 or negative: DefaultMaxRecordElements.
	MaxRecordElements int
	// MaxRecordResults bounds the dkim and spf results of one record;
	// 0 or negative: DefaultMaxRecordResults.
	MaxRecordResults int
	// MaxRecordReasons bounds the reason elements of one record; 0 or
	// negative: DefaultMaxRecordReasons.
	MaxRecordReasons int
	// MaxErrors bounds the error elements of report_metadata; 0 or
	// negative: DefaultMaxErrors.
	MaxErrors int
	// MaxElements is the budget of elements, comments and processing
	// instructions in the whole document: the total work, and with it
	// the memory a report can take. 0 or negative: DefaultMaxElements.
	MaxElements int64
	// MaxDepth bounds element nesting; 0 or negative: DefaultMaxDepth.
	MaxDepth int
	// MaxTokenBytes bounds one tag (name and attributes), comment,
	// declaration or run of text, and one value kept; 0 or negative:
	// DefaultMaxTokenBytes.
	MaxTokenBytes int
	// MaxAttributes bounds the attributes of one element; 0 or negative:
	// DefaultMaxAttributes.
	MaxAttributes int
	// MaxMessageBytes bounds the bytes ParseMessage reads from a report
	// email; 0 or negative: DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// MaxParts bounds the MIME parts ParseMessage visits, the message
	// itself included; 0 or negative: DefaultMaxParts.
	MaxParts int
	// MaxPartDepth bounds the nesting of multipart entities and attached
	// messages in a report email; 0 or negative: DefaultMaxPartDepth.
	MaxPartDepth int
}

// Parse parses a report with the default limits.
func Parse(r io.Reader) (*Feedback, error) {
	var p Parser
	return p.Parse(r)
}

// Parse detects the container by its magic bytes and parses the report.
// Errors wrap ErrTooLarge (a *LimitError says which limit) or
// ErrFormat; an empty input or container also wraps ErrEmpty.
// Feedback.Warnings lists what was repaired on the way.
func (p *Parser) Parse(r io.Reader) (*Feedback, error) {
	l := p.limits()
	br := bufio.NewReader(&capReader{r: r, n: l.compressed, limit: "MaxCompressedBytes"})
	magic, err := br.Peek(4)
	if len(magic) == 0 {
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		return nil, emptyErr("the input has no bytes")
	}
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		return p.parseGzip(br, l)
	case len(magic) == 4 && string(magic) == "PK\x03\x04":
		return p.parseZip(br, l)
	}
	// Plain XML: the compressed-size cap does not apply, the XML one does.
	return parseXML(io.MultiReader(bytes.NewReader(peekAll(br)), r), l, nil)
}

// peekAll returns (and consumes) what br has buffered.
func peekAll(br *bufio.Reader) []byte {
	b, _ := br.Peek(br.Buffered())
	out := bytes.Clone(b)
	_, _ = br.Discard(len(b))
	return out
}

// emptyReportError is the error for an empty report: it is both
// ErrEmpty and ErrFormat.
type emptyReportError struct{ why string }

func (e *emptyReportError) Error() string { return ErrEmpty.Error() + ": " + e.why }

func (e *emptyReportError) Is(target error) bool {
	return target == ErrEmpty || target == ErrFormat
}

func emptyErr(why string) error { return &emptyReportError{why: why} }

func (p *Parser) parseGzip(br *bufio.Reader, l reportLimits) (*Feedback, error) {
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrFormat, err)
	}
	defer zr.Close()
	zr.Multistream(false)
	gs := &gzipStream{br: br, zr: zr}
	var warn []string
	f, err := parseXML(gs, l, func() []string {
		if gs.trailing {
			warn = append(warn, "bytes after the gzip data ignored")
		}
		return warn
	})
	return f, err
}

// gzipStream reads the members of a gzip file one after another (RFC
// 1952 §2.2) and stops at bytes that do not start another member: some
// reporters leave padding or junk after the gzip data.
type gzipStream struct {
	br       *bufio.Reader
	zr       *gzip.Reader
	trailing bool
	done     bool
}

func (g *gzipStream) Read(p []byte) (int, error) {
	for {
		if g.done {
			return 0, io.EOF
		}
		n, err := g.zr.Read(p)
		if err != io.EOF {
			if err != nil && !isTooLarge(err) {
				err = fmt.Errorf("%w: gzip: %v", ErrFormat, err)
			}
			return n, err
		}
		magic, _ := g.br.Peek(2)
		switch {
		case len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b && g.zr.Reset(g.br) == nil:
			g.zr.Multistream(false)
		case len(magic) > 0:
			g.trailing, g.done = true, true
		default:
			g.done = true
		}
		if n > 0 {
			return n, nil
		}
	}
}

func (p *Parser) parseZip(br *bufio.Reader, l reportLimits) (*Feedback, error) {
	data, err := io.ReadAll(br)
	if err != nil {
		if isTooLarge(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: zip: %v", ErrFormat, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: zip: %v", ErrFormat, err)
	}
	if len(zr.File) > l.zipEntries {
		return nil, &LimitError{Limit: "MaxZipEntries", Max: int64(l.zipEntries), Where: fmt.Sprintf("a zip archive of %d entries", len(zr.File))}
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
		return nil, fmt.Errorf("%w: zip holds no .xml file", ErrFormat)
	}
	if pick.UncompressedSize64 > uint64(l.bytes) {
		return nil, &LimitError{Limit: "MaxBytes", Max: l.bytes, Where: fmt.Sprintf("zip entry %q, which declares %d bytes", pick.Name, pick.UncompressedSize64)}
	}
	rc, err := pick.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: zip entry %q: %v", ErrFormat, pick.Name, err)
	}
	defer rc.Close()
	return parseXML(rc, l, nil)
}

// capReader fails with a LimitError once more than n bytes were
// read.
type capReader struct {
	r     io.Reader
	n     int64
	limit string
	max   int64
}

func (c *capReader) Read(b []byte) (int, error) {
	if c.max == 0 {
		c.max = c.n
	}
	if c.n < 0 {
		return 0, &LimitError{Limit: c.limit, Max: c.max}
	}
	if int64(len(b)) > c.n+1 {
		b = b[:c.n+1]
	}
	n, err := c.r.Read(b)
	c.n -= int64(n)
	if c.n < 0 {
		return n, &LimitError{Limit: c.limit, Max: c.max}
	}
	return n, err
}

// xmlDecl finds the encoding named in an XML declaration.
var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// parseXML reads the decompressed document: it skips a UTF-8 byte order
// mark, converts a document declared as ISO-8859-1 to UTF-8, and decodes
// the rest through an xmlGuard. more adds warnings once the document was
// read.
func parseXML(r io.Reader, l reportLimits, more func() []string) (*Feedback, error) {
	br := bufio.NewReader(&capReader{r: r, n: l.bytes, limit: "MaxBytes"})
	head, err := br.Peek(512)
	if len(head) == 0 {
		if err != nil && err != io.EOF {
			if isTooLarge(err) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		return nil, emptyErr("the document has no bytes")
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
		head = head[3:]
	}
	src := br
	if m := xmlDecl.FindSubmatch(head); m != nil {
		switch cs := strings.ToLower(string(m[1])); cs {
		case "utf-8", "utf8", "us-ascii", "ascii":
		case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "l1":
			src = bufio.NewReader(&latin1Reader{r: br})
		default:
			return nil, fmt.Errorf("%w: unsupported charset %q", ErrFormat, cs)
		}
	}
	g := newXMLGuard(src, l)
	f, err := decodeReport(g, l)
	if err != nil {
		return nil, err
	}
	if more != nil {
		f.Warnings = append(f.Warnings, more()...)
	}
	return f, nil
}

// charsetReader lets the decoder accept the declared encodings that
// parseXML has already converted to UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1", "iso8859-1", "l1":
		return in, nil
	}
	return nil, fmt.Errorf("unsupported charset %q", label)
}

// latin1Reader converts ISO-8859-1 to UTF-8.
type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(l.buf) == 0 {
			if n > 0 && l.r.Buffered() == 0 {
				break
			}
			b, err := l.r.ReadByte()
			if err != nil {
				if n > 0 {
					return n, nil
				}
				return 0, err
			}
			l.buf = utf8.AppendRune(l.buf[:0], rune(b))
		}
		k := copy(p[n:], l.buf)
		l.buf = l.buf[k:]
		n += k
	}
	return n, nil
}
