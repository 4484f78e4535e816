package tlsrpt

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"time"
)

// MessageOptions are the envelope details of a report email.
type MessageOptions struct {
	// From is the report's sender address ("tlsrpt@mail.example.com").
	From string
	// To is the rua mailto address; a leading "mailto:" is removed.
	To string
	// ReportID is the report-id; it also goes in the Subject (§5.3).
	ReportID string
	// Date is the message date; zero means time.Now().
	Date time.Time
	// MessageID is the Message-ID without angle brackets; empty means one
	// made up from random bytes and the Submitter.
	MessageID string
	// JSON attaches application/tlsrpt+json instead of the default
	// application/tlsrpt+gzip.
	JSON bool
}

// Message writes the report email of RFC 8460 §5.3 for one policy
// domain: the TLS-Report-Domain and TLS-Report-Submitter headers, the
// Subject "Report Domain: ... Submitter: ... Report-ID: <...>", a
// multipart/report with report-type "tlsrpt" holding a short text part and
// the report (gzip by default, base64) named as §5.1 says. The message is
// not DKIM-signed: §5.3 requires a signature, which the caller adds (for
// example with package dkim) before sending.
func (b *Builder) Message(policyDomain string, opts MessageOptions) ([]byte, error) {
	js, err := b.JSON(policyDomain, opts.ReportID)
	if err != nil {
		return nil, err
	}
	domain := strings.ToLower(strings.TrimSuffix(policyDomain, "."))
	if len(opts.To) > 7 && strings.EqualFold(opts.To[:7], "mailto:") {
		opts.To = opts.To[7:]
	}
	for _, v := range []string{opts.From, opts.To, opts.ReportID, b.Submitter, domain, opts.MessageID} {
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("tlsrpt: header value %q contains a line break", cut(v))
		}
	}
	attach, mediaType, gz := js, MediaTypeJSON, false
	if !opts.JSON {
		if attach, err = gzipBytes(js); err != nil {
			return nil, err
		}
		mediaType, gz = MediaTypeGzip, true
	}
	date := opts.Date
	if date.IsZero() {
		date = time.Now()
	}
	msgID := opts.MessageID
	if msgID == "" {
		var r [12]byte
		_, _ = rand.Read(r[:])
		msgID = hex.EncodeToString(r[:]) + "@" + b.Submitter
	}
	fileName := FileName(b.Submitter, domain, b.Start, b.End, opts.ReportID, gz)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	text := textproto.MIMEHeader{}
	text.Set("Content-Type", "text/plain; charset=us-ascii")
	text.Set("Content-Transfer-Encoding", "7bit")
	w, err := mw.CreatePart(text)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "This is an aggregate TLS report from %s for %s (RFC 8460).\r\n", b.Submitter, domain)
	rh := textproto.MIMEHeader{}
	rh.Set("Content-Type", mediaType)
	rh.Set("Content-Transfer-Encoding", "base64")
	rh.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fileName}))
	if w, err = mw.CreatePart(rh); err != nil {
		return nil, err
	}
	enc := base64.StdEncoding.EncodeToString(attach)
	for len(enc) > 76 {
		fmt.Fprintf(w, "%s\r\n", enc[:76])
		enc = enc[76:]
	}
	fmt.Fprintf(w, "%s\r\n", enc)
	if err := mw.Close(); err != nil {
		return nil, err
	}

	var m bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&m, "%s: %s\r\n", k, v) }
	hdr("From", opts.From)
	hdr("To", opts.To)
	hdr("Date", date.Format(time.RFC1123Z))
	hdr("Subject", fmt.Sprintf("Report Domain: %s Submitter: %s Report-ID: <%s>", domain, b.Submitter, opts.ReportID))
	hdr("TLS-Report-Domain", domain)
	hdr("TLS-Report-Submitter", b.Submitter)
	hdr("Message-ID", "<"+msgID+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", mime.FormatMediaType("multipart/report", map[string]string{"report-type": "tlsrpt", "boundary": mw.Boundary()}))
	m.WriteString("\r\n")
	m.Write(body.Bytes())
	return m.Bytes(), nil
}
