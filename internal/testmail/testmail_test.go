package testmail

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"testing"
)

// samples are the contents the round trips carry: empty, around the
// 57 bytes that make one 76-character base64 line, and larger, binary
// ones with CR, LF and '=' in them.
func samples() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 10000)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	return map[string][]byte{
		"empty":           nil,
		"one byte":        {'x'},
		"56 bytes":        bytes.Repeat([]byte("a"), 56),
		"57 bytes":        bytes.Repeat([]byte("b"), 57),
		"58 bytes":        bytes.Repeat([]byte("c"), 58),
		"114 bytes":       bytes.Repeat([]byte("d"), 114),
		"XML with CRLF":   []byte("<?xml version=\"1.0\"?>\r\n<feedback a=\"1\">\r\n</feedback>\n"),
		"random binary":   random,
		"long text lines": bytes.Repeat([]byte("a=b "), 300),
	}
}

func TestGzipRoundTrip(t *testing.T) {
	for name, b := range samples() {
		zr, err := gzip.NewReader(bytes.NewReader(Gzip(t, b)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: read back %d bytes (%v), want %d", name, len(got), err, len(b))
		}
	}
}

func TestZipRoundTrip(t *testing.T) {
	files := samples()
	data := Zip(t, files)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(files) {
		t.Fatalf("%d files in the archive, want %d", len(zr.File), len(files))
	}
	prev := ""
	for _, f := range zr.File {
		if f.Name <= prev {
			t.Errorf("%q after %q: not in name order", f.Name, prev)
		}
		prev = f.Name
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		got, err := io.ReadAll(rc)
		_ = rc.Close()
		if want, ok := files[f.Name]; err != nil || !ok || !bytes.Equal(got, want) {
			t.Errorf("%s: read back %d bytes (%v), want %d", f.Name, len(got), err, len(want))
		}
	}
	// The same files make the same archive.
	if again := Zip(t, files); !bytes.Equal(again, data) {
		t.Error("two archives of the same files differ")
	}
}

func TestBase64LinesRoundTrip(t *testing.T) {
	for name, b := range samples() {
		s := Base64Lines(b)
		if !strings.HasSuffix(s, "\r\n") {
			t.Errorf("%s: does not end in CRLF: %q", name, s)
		}
		lines := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
		for i, l := range lines {
			if len(l) > 76 || (i < len(lines)-1 && len(l) != 76) || strings.ContainsAny(l, "\r\n") {
				t.Errorf("%s: line %d has %d characters: %q", name, i+1, len(l), l)
			}
		}
		got, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, strings.NewReader(s)))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: decoded %d bytes (%v), want %d", name, len(got), err, len(b))
		}
	}
}

func TestQuotedPrintableRoundTrip(t *testing.T) {
	for name, b := range samples() {
		s := QuotedPrintable(b)
		for i, l := range strings.Split(s, "\r\n") {
			if len(l) > 76 {
				t.Errorf("%s: line %d has %d characters", name, i+1, len(l))
			}
		}
		got, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(s)))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: decoded %d bytes (%v), want %d", name, len(got), err, len(b))
		}
	}
}

// TestMultipartRoundTrip reads Multipart's entities back with
// net/textproto (the header) and mime/multipart (the parts), nested one
// in another as report emails nest them.
func TestMultipartRoundTrip(t *testing.T) {
	text := "Content-Type: text/plain\r\n\r\nA report.\r\n"
	gz := "Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Base64Lines(Gzip(t, []byte("<feedback/>")))
	inner := Multipart("multipart/alternative", "inner", text, "Content-Type: text/html\r\n\r\n<p>A report.</p>")
	tests := []struct {
		name, contentType, boundary string
		parts                       []string
		wantTypes                   []string
	}{
		{"no parts", "multipart/mixed", "b", nil, nil},
		{"text and gzip", "multipart/mixed", "b1", []string{text, gz}, []string{"text/plain", "application/gzip"}},
		{"report with a parameter", "multipart/report; report-type=tlsrpt", "=_x y", []string{text}, []string{"text/plain"}},
		{"nested", "multipart/mixed", "outer", []string{inner, gz}, []string{"multipart/alternative", "application/gzip"}},
	}
	for _, tt := range tests {
		entity := Multipart(tt.contentType, tt.boundary, tt.parts...)
		tp := textproto.NewReader(bufio.NewReader(strings.NewReader(entity)))
		h, err := tp.ReadMIMEHeader()
		if err != nil {
			t.Fatalf("%s: header: %v", tt.name, err)
		}
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		wantType, _, _ := strings.Cut(tt.contentType, ";")
		if err != nil || mt != wantType || params["boundary"] != tt.boundary {
			t.Fatalf("%s: Content-Type %q: %s %v (%v)", tt.name, h.Get("Content-Type"), mt, params, err)
		}
		if tt.name == "report with a parameter" && params["report-type"] != "tlsrpt" {
			t.Errorf("%s: parameters %v", tt.name, params)
		}
		mr := multipart.NewReader(tp.R, tt.boundary)
		var types []string
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: part %d: %v", tt.name, len(types)+1, err)
			}
			body, err := io.ReadAll(p)
			if err != nil {
				t.Fatalf("%s: part %d: %v", tt.name, len(types)+1, err)
			}
			// The body is the part after its header, byte for byte.
			_, wantBody, _ := strings.Cut(tt.parts[len(types)], "\r\n\r\n")
			if string(body) != wantBody {
				t.Errorf("%s: part %d body %q, want %q", tt.name, len(types)+1, body, wantBody)
			}
			ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			types = append(types, ct)
		}
		if strings.Join(types, ",") != strings.Join(tt.wantTypes, ",") {
			t.Errorf("%s: parts %v, want %v", tt.name, types, tt.wantTypes)
		}
	}
}
