package tlsrpt

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Media types of a report (RFC 8460 §6.4, §6.5).
const (
	MediaTypeJSON = "application/tlsrpt+json"
	MediaTypeGzip = "application/tlsrpt+gzip"
)

// ParseReportMessage reads a report email (RFC 8460 §5.3) and returns the
// report it carries. See Parser.ParseReportMessage.
func ParseReportMessage(r io.Reader) (*Report, error) {
	var p Parser
	return p.ParseReportMessage(r)
}

// ParseReportMessage reads a report email (RFC 8460 §5.3): a
// multipart/report (or any multipart, nested up to MaxMIMEDepth) whose
// part of type application/tlsrpt+json or application/tlsrpt+gzip holds
// the report, or a single-part message of one of those types. A part
// typed application/json, application/gzip or application/octet-stream
// whose file name ends in ".json" or ".json.gz" is accepted too, as some
// senders label it so. Base64, quoted-printable, 7bit, 8bit and binary
// transfer encodings are decoded. The first report found is returned;
// none is ErrNoReport. The message's headers are not checked: a receiver
// verifies DKIM (RFC 8460 §5.3) with its own tools.
func (p *Parser) ParseReportMessage(r io.Reader) (*Report, error) {
	max := orDefault(p.MaxMessageBytes, DefaultMaxMessageBytes)
	lr := &limitReader{r: r, n: max, limit: "MaxMessageBytes"}
	msg, err := mail.ReadMessage(bufio.NewReader(lr))
	if err != nil {
		if le := asLimit(err); le != nil {
			return nil, le
		}
		return nil, fmt.Errorf("%w: message header: %w", ErrReportSyntax, err)
	}
	parts := 0
	rep, err := p.walk(textproto.MIMEHeader(msg.Header), msg.Body, 0, &parts)
	if err != nil {
		return nil, err
	}
	if rep == nil {
		return nil, ErrNoReport
	}
	return rep, nil
}

func asLimit(err error) *LimitError {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	return nil
}

// walk looks for the report in one MIME entity.
func (p *Parser) walk(h textproto.MIMEHeader, body io.Reader, depth int, parts *int) (*Report, error) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= orDefault(p.MaxMIMEDepth, DefaultMaxMIMEDepth) {
			return nil, &LimitError{Limit: "MaxMIMEDepth", Max: int64(orDefault(p.MaxMIMEDepth, DefaultMaxMIMEDepth))}
		}
		if params["boundary"] == "" {
			return nil, fmt.Errorf("%w: %s without boundary", ErrReportSyntax, mt)
		}
		mr := multipart.NewReader(body, params["boundary"])
		maxParts := orDefault(p.MaxParts, DefaultMaxParts)
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil, nil
			}
			if err != nil {
				if le := asLimit(err); le != nil {
					return nil, le
				}
				return nil, fmt.Errorf("%w: MIME part: %w", ErrReportSyntax, err)
			}
			*parts++
			if *parts > maxParts {
				return nil, &LimitError{Limit: "MaxParts", Max: int64(maxParts)}
			}
			rep, err := p.walk(part.Header, part, depth+1, parts)
			if rep != nil || err != nil {
				return rep, err
			}
		}
	}
	if !isReportPart(mt, params, h) {
		return nil, nil
	}
	var dec io.Reader = body
	switch cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))); cte {
	case "base64":
		dec = base64.NewDecoder(base64.StdEncoding, &wsStripper{r: body})
	case "quoted-printable":
		dec = quotedprintable.NewReader(body)
	case "", "7bit", "8bit", "binary":
	default:
		return nil, fmt.Errorf("%w: unknown Content-Transfer-Encoding %q", ErrReportSyntax, cut(cte))
	}
	rep, err := p.ParseReport(dec)
	if err != nil {
		return nil, fmt.Errorf("report part %s: %w", mt, err)
	}
	return rep, nil
}

func isReportPart(mt string, params map[string]string, h textproto.MIMEHeader) bool {
	switch mt {
	case MediaTypeJSON, MediaTypeGzip:
		return true
	case "application/json", "application/gzip", "application/x-gzip", "application/octet-stream":
		name := params["name"]
		if _, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
			name = dp["filename"]
		}
		name = strings.ToLower(name)
		return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".json.gz")
	}
	return false
}

// wsStripper drops the spaces and tabs some senders leave in base64 lines
// (Go's decoder already skips CR and LF).
type wsStripper struct{ r io.Reader }

func (w *wsStripper) Read(b []byte) (int, error) {
	for {
		n, err := w.r.Read(b)
		j := 0
		for i := 0; i < n; i++ {
			if b[i] != ' ' && b[i] != '\t' {
				b[j] = b[i]
				j++
			}
		}
		if j > 0 || n == 0 || err != nil {
			return j, err
		}
	}
}
