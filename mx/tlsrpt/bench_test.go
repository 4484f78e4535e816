package tlsrpt_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// BenchmarkParseReport reads a report as it arrives: the RFC 8460
// Appendix B JSON, and Microsoft's report email (gzip attachment).
func BenchmarkParseReport(b *testing.B) {
	for _, bc := range []struct {
		file  string
		parse func(io.Reader) (*tlsrpt.Report, error)
	}{
		{"rfc8460-appendixB-report-as-in-mox.json", tlsrpt.ParseReport},
		{"microsoft.eml", tlsrpt.ParseReportMessage},
	} {
		b.Run(bc.file, func(b *testing.B) {
			in, err := os.ReadFile(filepath.Join("testdata", "mox", bc.file))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := bc.parse(bytes.NewReader(in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseRecord(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tlsrpt.ParseRecord("v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://example.com/tlsrpt"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuilderAdd(b *testing.B) {
	bl := newBuilder()
	f := tlsrpt.FailureDetails{ResultType: tlsrpt.ResultCertificateExpired, ReceivingMXHostname: "mx1.example.com"}
	b.ReportAllocs()
	for b.Loop() {
		bl.AddSuccess(stsPolicy)
		bl.AddFailure(stsPolicy, f)
	}
}
