package testmail

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"slices"
	"strings"
	"testing"
)

// Gzip returns b compressed as one gzip member at the default level. A
// failure ends the test.
func Gzip(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatalf("testmail: gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("testmail: gzip: %v", err)
	}
	return buf.Bytes()
}

// Zip returns a zip archive holding files (name to content), deflated,
// in the order of their names. A failure ends the test.
func Zip(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatalf("testmail: zip %q: %v", name, err)
		}
		if _, err := w.Write(files[name]); err != nil {
			t.Fatalf("testmail: zip %q: %v", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("testmail: zip: %v", err)
	}
	return buf.Bytes()
}

// Base64Lines returns b in standard base64 (with padding) in lines of at
// most 76 characters (RFC 2045 §6.8), each ending in CRLF, the last one
// included.
func Base64Lines(b []byte) string {
	const width = 76
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	out.Grow(len(s) + (len(s)/width+1)*2)
	for len(s) > width {
		out.WriteString(s[:width])
		out.WriteString("\r\n")
		s = s[width:]
	}
	out.WriteString(s)
	out.WriteString("\r\n")
	return out.String()
}

// QuotedPrintable returns b in quoted-printable (RFC 2045 §6.7) with soft
// line breaks, in binary mode: CR and LF are encoded as =0D and =0A, so
// the decoded bytes are b exactly.
func QuotedPrintable(b []byte) string {
	var buf bytes.Buffer
	w := quotedprintable.NewWriter(&buf)
	w.Binary = true
	// Writes to a bytes.Buffer do not fail.
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.String()
}

// Multipart returns a multipart entity (RFC 2046 §5.1.1): its
// Content-Type header line, contentType (such as "multipart/mixed" or
// "multipart/report; report-type=tlsrpt") with the boundary parameter
// added, an empty line, a one-line preamble, each part after a
// delimiter line, and the close delimiter. Each part is an entity of
// its own: its header lines, an empty line and its body (which may be
// another Multipart). The boundary must not occur in the parts.
func Multipart(contentType, boundary string, parts ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Content-Type: %s; boundary=%q\r\n\r\nThis is a MIME message.\r\n", contentType, boundary)
	for _, p := range parts {
		fmt.Fprintf(&b, "--%s\r\n%s\r\n", boundary, p)
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.String()
}
