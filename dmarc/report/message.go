package report

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// ParseMessage parses a report email with the default limits.
func ParseMessage(r io.Reader) (*Feedback, error) {
	var p Parser
	return p.ParseMessage(r)
}

// ParseMessage reads a report email (RFC 5322 with MIME, RFC 9990 §2.5)
// as it arrives, from its first header line, and parses the first part
// that holds a report: a gzip or zip attachment (recognized by its
// content, whatever the media type says), or XML sent inline (a part of
// type text/xml or application/xml, or a text part that starts with an
// XML declaration or a feedback element). It looks inside multipart
// entities and attached messages (message/rfc822), and decodes base64
// and quoted-printable. The report part is parsed as Parse does, with
// the same limits; the first one found decides the result, and the rest
// of the message is not read.
//
// Given a report that is not inside an email (gzip, zip or XML from its
// first byte), ParseMessage parses it as Parse does.
//
// Besides the report limits, MaxMessageBytes bounds the bytes read from
// r, MaxParts the MIME parts visited and MaxPartDepth their nesting. A
// message without a report part is ErrNoReport; a broken MIME structure
// is ErrFormat.
func (p *Parser) ParseMessage(r io.Reader) (*Feedback, error) {
	l := p.limits()
	cr := &capReader{r: r, n: l.message, limit: "MaxMessageBytes"}
	br := bufio.NewReader(cr)
	if head, _ := br.Peek(512); isBareReport(head) {
		// Not an email but the report itself, as a mail filter may hand
		// over an attachment it already took out.
		return p.Parse(br)
	}
	msg, err := mail.ReadMessage(br)
	if err != nil {
		if isTooLarge(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: message header: %v", ErrFormat, err)
	}
	w := &mimeWalk{l: l, report: p.Parse}
	f, err := w.entity(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("%w: %d MIME parts, none gzip, zip or XML", ErrNoReport, w.parts)
	}
	return f, nil
}

// mimeWalk visits the entities of one message.
type mimeWalk struct {
	l      reportLimits
	report func(io.Reader) (*Feedback, error) // parses the report part
	parts  int                                // entities visited, the message itself included
}

// entity looks for a report in one MIME entity at nesting depth depth: it
// returns the report, or nil and no error when the entity holds none.
func (w *mimeWalk) entity(h textproto.MIMEHeader, body io.Reader, depth int) (*Feedback, error) {
	w.parts++
	if w.parts > w.l.parts {
		return nil, &LimitError{Limit: "MaxParts", Max: int64(w.l.parts), Where: fmt.Sprintf("MIME part %d", w.parts)}
	}
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" {
		mt = "text/plain" // RFC 2045 §5.2
	} else if err != nil && mt == "" {
		mt = "application/octet-stream"
	}
	nested := strings.HasPrefix(mt, "multipart/") || mt == "message/rfc822" || mt == "message/global"
	if nested && depth+1 > w.l.partDepth {
		return nil, &LimitError{Limit: "MaxPartDepth", Max: int64(w.l.partDepth), Where: fmt.Sprintf("MIME part %d (%s)", w.parts, mt)}
	}
	if strings.HasPrefix(mt, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			return nil, fmt.Errorf("%w: MIME part %d: %s without a boundary", ErrFormat, w.parts, mt)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil, nil
			}
			if err != nil {
				if isTooLarge(err) {
					return nil, err
				}
				return nil, fmt.Errorf("%w: MIME part %d (%s): %v", ErrFormat, w.parts, mt, err)
			}
			f, err := w.entity(part.Header, part, depth+1)
			if f != nil || err != nil {
				return f, err
			}
		}
	}
	content := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if mt == "message/rfc822" || mt == "message/global" {
		inner, err := mail.ReadMessage(bufio.NewReader(content))
		if err != nil {
			if isTooLarge(err) {
				return nil, err
			}
			return nil, nil // not a readable message: no report in it
		}
		return w.entity(textproto.MIMEHeader(inner.Header), inner.Body, depth+1)
	}
	br := bufio.NewReaderSize(content, 512)
	head, _ := br.Peek(512)
	if !holdsReport(mt, h, head) {
		return nil, nil
	}
	return w.report(br)
}

// decodeTransfer undoes a Content-Transfer-Encoding (RFC 2045 §6):
// base64 (white space ignored) and quoted-printable; anything else is
// read as it is.
func decodeTransfer(cte string, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &dropSpace{r: body})
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	}
	return body
}

// dropSpace removes spaces and tabs, which some senders leave at the ends
// of base64 lines (the decoder itself skips CR and LF only).
type dropSpace struct{ r io.Reader }

func (d *dropSpace) Read(p []byte) (int, error) {
	for {
		n, err := d.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c != ' ' && c != '\t' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil || n == 0 {
			return k, err
		}
	}
}

// holdsReport decides whether a leaf part is the report: gzip or zip by
// its first bytes, XML by its media type, its file name or its first
// bytes. Other parts (the human-readable text, HTML) are passed over.
func holdsReport(mt string, h textproto.MIMEHeader, head []byte) bool {
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b,
		len(head) >= 4 && string(head[:4]) == "PK\x03\x04":
		return true
	case mt == "text/xml" || mt == "application/xml" || strings.HasSuffix(mt, "+xml"),
		mt == "application/gzip" || mt == "application/x-gzip" || mt == "application/zip" || mt == "application/x-zip-compressed":
		return true // when the content is not what the type says, Parse tells what is wrong
	}
	switch name := partFilename(h); {
	case strings.HasSuffix(name, ".xml"), strings.HasSuffix(name, ".gz"), strings.HasSuffix(name, ".zip"):
		return true
	}
	return looksXML(head)
}

// looksXML reports whether head starts (after a byte order mark and white
// space) with an XML declaration or a feedback element.
func looksXML(head []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return bytes.HasPrefix(t, []byte("<?xml")) || bytes.HasPrefix(t, []byte("<feedback"))
}

// isBareReport reports whether a message starts like a report rather than
// a header: gzip or zip magic, or XML.
func isBareReport(head []byte) bool {
	return len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b ||
		len(head) >= 4 && string(head[:4]) == "PK\x03\x04" || looksXML(head)
}

// partFilename is the lower-cased file name a part declares, from
// Content-Disposition or the older Content-Type name parameter.
func partFilename(h textproto.MIMEHeader) string {
	if _, params, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return strings.ToLower(params["filename"])
	}
	if _, params, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil {
		return strings.ToLower(params["name"])
	}
	return ""
}
