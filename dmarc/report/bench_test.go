package report

import (
	"bytes"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	data := readSample(b, "google-style.xml")
	gz := gzipBytes(b, data)
	b.Run("xml", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Parse(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gzip", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Parse(bytes.NewReader(gz)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
