package tlsrpt_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

func BenchmarkParseReport(b *testing.B) {
	js, err := os.ReadFile(filepath.Join("testdata", "mox", "rfc8460-appendixB-report-as-in-mox.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(js)))
	for b.Loop() {
		if _, err := tlsrpt.ParseReport(bytes.NewReader(js)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseReportMessage(b *testing.B) {
	msg, err := os.ReadFile(filepath.Join("testdata", "mox", "microsoft.eml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := tlsrpt.ParseReportMessage(bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
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
