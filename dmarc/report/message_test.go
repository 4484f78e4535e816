package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/internal/testmail"
	"github.com/mailsmith/mailsmith/internal/testmem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var realEmails = []string{"google.eml", "mailru.eml", "outlook.eml", "xs4all.eml", "yahoo.eml"}

func readEmail(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "report-emails", name))
	require.NoError(t, err)
	return raw
}

// reportAttachment returns the decoded report part of a report email, as
// ParseMessage finds it (fuzz seeds for Parse).
func reportAttachment(t testing.TB, name string) []byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(readEmail(t, name)))
	require.NoError(t, err)
	var found []byte
	w := &mimeWalk{l: (&Parser{}).limits(), report: func(r io.Reader) (*Feedback, error) {
		found, err = io.ReadAll(r)
		return &Feedback{}, err
	}}
	_, err = w.entity(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	require.NoError(t, err)
	require.NotNil(t, found, "no report part in %s", name)
	return found
}

// TestParseMessageRealEmails parses five real report emails
// (testdata/report-emails, see its README) as they arrived: a single-part
// zip from Google, gzip attachments in multipart messages from the others
// (Outlook's three levels deep, XS4ALL's and Yahoo's in binary or base64
// with a name parameter).
func TestParseMessageRealEmails(t *testing.T) {
	tests := []struct {
		file, org, id   string
		begin, end      int64
		records         int
		messages        int64
		firstIP, domain string
	}{
		{"google.eml", "google.com", "13488712042596170873", 1633996800, 1634083199, 2, 5, "2a02:2770:3:0:21a:4aff:fea1:8a7b", "ueber.net"},
		{"mailru.eml", "Mail.Ru", "82403907998914102491559779200", 1559779200, 1559865600, 1, 1, "176.113.22.155", "ueber.net"},
		{"outlook.eml", "Outlook.com", "8be4eb9d89044800947965b8a040291c", 1634256000, 1634342400, 1, 2, "46.19.35.124", "ueber.net"},
		{"xs4all.eml", "xs4all.nl", "xs4all.nl.1627349682.9725429@dmarc-reports.xs4all.net", 1627257600, 1627343999, 1, 1, "", "ueber.net"},
		{"yahoo.eml", "Yahoo! Inc.", "1559613526.307161", 1559520000, 1559606399, 1, 1, "", "ueber.net"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := ParseMessage(bytes.NewReader(readEmail(t, tt.file)))
			require.NoError(t, err)
			require.NoError(t, f.Validate())
			assert.Equal(t, tt.org, f.Metadata.OrgName)
			assert.Equal(t, tt.id, f.Metadata.ReportID)
			assert.Equal(t, tt.begin, f.Metadata.DateRange.Begin)
			assert.Equal(t, tt.end, f.Metadata.DateRange.End)
			assert.Equal(t, tt.domain, f.PolicyPublished.Domain)
			assert.Equal(t, dmarc.PolicyReject, f.PolicyPublished.P)
			require.Len(t, f.Records, tt.records)
			assert.Equal(t, tt.messages, f.MessageCount())
			if tt.firstIP != "" {
				assert.Equal(t, tt.firstIP, f.Records[0].Row.SourceIP)
			}
			assert.Nil(t, f.Warnings)
		})
	}
}

// sampleReport is a small valid report document.
func sampleReport(t testing.TB) []byte { return readSample(t, "rfc9990-style.xml") }

const hdr = "From: dmarc@receiver.example\r\nTo: agg@example.com\r\nSubject: Report Domain: example.com\r\nMIME-Version: 1.0\r\n"

// TestParseMessageShapes: the shapes report emails come in, each must
// yield the sample report.
func TestParseMessageShapes(t *testing.T) {
	doc := sampleReport(t)
	gz := testmail.Gzip(t, doc)
	zp := testmail.Zip(t, map[string][]byte{"r.xml": doc})
	text := "Content-Type: text/plain; charset=utf-8\r\n\r\nThis is an aggregate report for example.com.\r\n"
	html := "Content-Type: text/html\r\n\r\n<html><body>report</body></html>\r\n"
	tests := map[string]string{
		"inline XML":              hdr + "Content-Type: text/xml\r\n\r\n" + string(doc),
		"inline XML, no type":     hdr + "\r\n" + string(doc),
		"inline XML, text/plain":  hdr + "Content-Type: text/plain\r\n\r\n\r\n  " + string(doc),
		"single-part gzip":        hdr + "Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n" + testmail.Base64Lines(gz),
		"single-part zip, LF":     strings.ReplaceAll(hdr+"Content-Type: application/zip\r\nContent-Transfer-Encoding: BASE64\r\n\r\n"+testmail.Base64Lines(zp), "\r\n", "\n"),
		"multipart gzip":          hdr + testmail.Multipart("multipart/mixed", "b1", text, "Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"r!example.com!1!2.xml.gz\"\r\n\r\n"+testmail.Base64Lines(gz)),
		"multipart zip as octets": hdr + testmail.Multipart("multipart/mixed", "b1", text, "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"+testmail.Base64Lines(zp)),
		"multipart xml by name":   hdr + testmail.Multipart("multipart/mixed", "b1", text, "Content-Type: application/octet-stream; name=\"r.xml\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+testmail.QuotedPrintable(doc)),
		"nested alternative":      hdr + testmail.Multipart("multipart/mixed", "outer", testmail.Multipart("multipart/mixed", "inner", text, html), "Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n"+testmail.Base64Lines(gz)),
		"base64 with spaces":      hdr + "Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n" + strings.ReplaceAll(testmail.Base64Lines(gz), "\r\n", " \t\r\n"),
		"bare XML, no email":      string(doc),
		"bare gzip, no email":     string(gz),
		"forwarded report":        hdr + testmail.Multipart("multipart/mixed", "fw", text, "Content-Type: message/rfc822\r\n\r\n"+hdr+"Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n"+testmail.Base64Lines(gz)),
	}
	want, err := Parse(bytes.NewReader(doc))
	require.NoError(t, err)
	for name, msg := range tests {
		f, err := ParseMessage(strings.NewReader(msg))
		if assert.NoError(t, err, name) {
			assert.Equal(t, want, f, name)
		}
	}
}

// TestParseMessageErrors: what is not a report email says so.
func TestParseMessageErrors(t *testing.T) {
	text := "Content-Type: text/plain\r\n\r\nno report here\r\n"
	tests := []struct {
		name, msg string
		want      error
		limit     string
	}{
		{"no report part", hdr + testmail.Multipart("multipart/mixed", "b", text, "Content-Type: text/html\r\n\r\n<p>hi</p>\r\n"), ErrNoReport, ""},
		{"plain text", hdr + "\r\nHello\r\n", ErrNoReport, ""},
		{"no header", "", ErrFormat, ""},
		{"multipart without boundary", hdr + "Content-Type: multipart/mixed\r\n\r\n--x\r\n", ErrFormat, ""},
		{"unterminated multipart", hdr + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx", ErrFormat, ""},
		{"gzip part that is not gzip", hdr + "Content-Type: application/gzip\r\n\r\nhello", ErrFormat, ""},
		{"broken base64", hdr + "Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n", ErrFormat, ""},
		{"too deep", hdr + nest(10), ErrTooLarge, "MaxPartDepth"},
		{"too many parts", hdr + testmail.Multipart("multipart/mixed", "b", strings.Split(strings.Repeat(text+"\x00", 70), "\x00")[:70]...), ErrTooLarge, "MaxParts"},
	}
	for _, tt := range tests {
		f, err := ParseMessage(strings.NewReader(tt.msg))
		assert.Nil(t, f, tt.name)
		assert.ErrorIs(t, err, tt.want, tt.name)
		if err != nil {
			assert.True(t, strings.HasPrefix(err.Error(), "dmarc/report: "), "%s: %v", tt.name, err)
			assert.Equal(t, 1, strings.Count(err.Error(), "dmarc/report:"), "%s: %v", tt.name, err)
		}
		if tt.limit != "" {
			var le *LimitError
			if assert.ErrorAs(t, err, &le, tt.name) {
				assert.Equal(t, tt.limit, le.Limit, tt.name)
			}
		}
	}
}

// nest returns n multipart entities, each the first part of the one
// before.
func nest(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	return b.String()
}

// TestParseMessageBounded: a message far over MaxMessageBytes stops at
// the cap, having read and allocated little more than it (the report is
// streamed, the message never held whole).
func TestParseMessageBounded(t *testing.T) {
	const limit = 1 << 20
	p := &Parser{MaxMessageBytes: limit}
	text := "Content-Type: text/plain\r\n\r\n" + strings.Repeat("filler line of a human-readable part\r\n", 100) + "\r\n"
	head := hdr + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + text
	// An endless text part: 64 MiB if read whole.
	in := &countingReader{r: io.MultiReader(strings.NewReader(head), newRepeatReader("", "more text that is not a report\r\n", "", 64<<20))}
	var err error
	allocated := testmem.Allocated(func() { _, err = p.ParseMessage(bufio.NewReader(in)) })
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "MaxMessageBytes", le.Limit)
	assert.Less(t, in.n, int64(limit+64<<10), "bytes read")
	assert.Less(t, allocated, uint64(4<<20), "bytes allocated")
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestParseMessagePartsWork: a message of many tiny parts stops at
// MaxParts; the work is bounded by the count, not the message size.
func TestParseMessagePartsWork(t *testing.T) {
	part := "Content-Type: text/plain\r\n\r\nx\r\n"
	parts := make([]string, 100000)
	for i := range parts {
		parts[i] = part
	}
	msg := hdr + testmail.Multipart("multipart/mixed", "b", parts...)
	in := &countingReader{r: strings.NewReader(msg)}
	_, err := (&Parser{}).ParseMessage(in)
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "MaxParts", le.Limit)
	assert.EqualValues(t, DefaultMaxParts, le.Max)
	assert.Less(t, in.n, int64(len(msg)/100), "read far into the message")
}

func FuzzParseMessage(f *testing.F) {
	for _, name := range realEmails {
		f.Add(readEmail(f, name))
	}
	doc := readSample(f, "rfc9990-style.xml")
	f.Add([]byte(hdr + "Content-Type: text/xml\r\n\r\n" + string(doc)))
	f.Add([]byte(hdr + testmail.Multipart("multipart/mixed", "b", "Content-Type: text/plain\r\n\r\nhi\r\n", "Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n"+testmail.Base64Lines(testmail.Gzip(f, doc)))))
	f.Add([]byte(hdr + testmail.Multipart("multipart/mixed", "fw", "Content-Type: message/rfc822\r\n\r\n"+hdr+"Content-Type: application/octet-stream; name=r.xml\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+testmail.QuotedPrintable(doc))))
	f.Add([]byte(hdr + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n"))
	p := Parser{MaxMessageBytes: 1 << 20, MaxBytes: 1 << 20, MaxCompressedBytes: 1 << 20, MaxRecords: 1000, MaxElements: 20000, MaxTokenBytes: 4096}
	f.Fuzz(func(t *testing.T, data []byte) {
		fb, err := p.ParseMessage(bytes.NewReader(data))
		if (fb == nil) == (err == nil) {
			t.Fatalf("report %v and error %v", fb != nil, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "dmarc/report: ") {
			t.Fatalf("error without the package prefix: %v", err)
		}
	})
}
