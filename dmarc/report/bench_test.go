package report

import (
	"bytes"
	"testing"

	"github.com/mailsmith/mailsmith/internal/testmail"
)

// BenchmarkParse: one report as XML, gzip and zip; b.SetBytes is the
// size of the XML, so MB/s compare across containers.
func BenchmarkParse(b *testing.B) {
	data := readSample(b, "google-style.xml")
	for _, c := range []struct {
		name string
		in   []byte
	}{
		{"xml", data},
		{"gzip", testmail.Gzip(b, data)},
		{"zip", testmail.Zip(b, map[string][]byte{"r.xml": data})},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse(bytes.NewReader(c.in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseMessage: a real report email (Outlook's, three MIME
// levels deep, base64 gzip).
func BenchmarkParseMessage(b *testing.B) {
	msg := readEmail(b, "outlook.eml")
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := ParseMessage(bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}
