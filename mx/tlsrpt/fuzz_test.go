package tlsrpt_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailsmith/mailsmith/internal/testmail"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"v=TLSRPTv1; rua=mailto:tlsrpt@mox.example;",
		"v=TLSRPTv1; rua=mailto:tlsrpt@mox.example , \t\t https://mox.example/tlsrpt  ",
		"v=TLSRPTv1 ; rua=mailto:x@x.example; rua=mailto:y@x.example; ext=1",
		"v=TLSRPTv1; rua=http://bad/%",
		"v=TLSRPTv1; rua=,, ,",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := tlsrpt.ParseRecord(s)
		if err != nil {
			return
		}
		back, err := tlsrpt.ParseRecord(r.String())
		if err != nil {
			t.Fatalf("%q formats to %q, which does not parse: %v", s, r.String(), err)
		}
		if back.String() != r.String() {
			t.Fatalf("round trip changed %q to %q", r.String(), back.String())
		}
	})
}

// fuzzParser has small limits so the fuzzer reaches them.
var fuzzParser = &tlsrpt.Parser{MaxBytes: 1 << 16, MaxDepth: 8, MaxPolicies: 20, MaxFailureDetails: 50, MaxArrayLen: 50, MaxMessageBytes: 1 << 17, MaxParts: 10, MaxMIMEDepth: 3}

func addFileSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", "mox", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseReport(f *testing.F) {
	addFileSeeds(f, "rfc8460-appendixB-report-as-in-mox.json")
	f.Add([]byte(smallReport))
	f.Add(testmail.Gzip(f, []byte(smallReport)))
	f.Add([]byte(`{"policies":[{"failure-details":[{},{}]}]}`))
	f.Add([]byte("\x1f\x8b"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := fuzzParser.ParseReport(bytes.NewReader(b))
		if err != nil {
			return
		}
		// What parses marshals to JSON that parses to the same report.
		js, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := tlsrpt.ParseReport(bytes.NewReader(js))
		if err != nil {
			t.Fatalf("re-parse of %s: %v", js, err)
		}
		js2, _ := json.Marshal(back)
		if !bytes.Equal(js, js2) {
			t.Fatalf("round trip changed %s to %s", js, js2)
		}
	})
}

func FuzzParseReportMessage(f *testing.F) {
	addFileSeeds(f, "example.eml", "microsoft.eml", "report-message-nonmultipart-as-in-mox.eml", "rfc8460-sec5.3-report-message-as-in-mox.eml")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = fuzzParser.ParseReportMessage(bytes.NewReader(b))
	})
}
