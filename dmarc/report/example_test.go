package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/dmarc/report"
)

// A report over one of the parser's limits fails early, with the limit
// named.
func ExampleParser() {
	p := &report.Parser{MaxRecords: 2}
	_, err := p.Parse(strings.NewReader("<feedback><record/><record/><record/></feedback>"))
	var le *report.LimitError
	if errors.As(err, &le) {
		fmt.Println(le.Limit, le.Max)
	}
	fmt.Println(err)
	// Output:
	// MaxRecords 2
	// dmarc/report: report exceeds a limit: MaxRecords (2) exceeded in the report
}

func ExampleBuilder() {
	rec, _ := dmarc.Parse("v=DMARC1; p=none; rua=mailto:dmarc@example.com")
	b := &report.Builder{
		OrgName:  "receiver.example",
		Email:    "dmarc-noreply@receiver.example",
		ReportID: "20261201.1",
		Begin:    time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		End:      time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC),
	}
	b.SetPolicy("example.com", rec, dmarc.TreeWalk)
	for range 3 {
		b.Add(report.Message{
			SourceIP: netip.MustParseAddr("192.0.2.1"), HeaderFrom: "example.com",
			Disposition: "none", DKIMAligned: true,
			DKIM: []report.DKIMResult{{Domain: "example.com", Selector: "s1", Result: "pass"}},
			SPF:  &report.SPFResult{Domain: "example.com", Scope: "mfrom", Result: "softfail"},
		})
	}
	f, err := b.Feedback()
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.WriteGzip(&buf); err != nil {
		log.Fatal(err)
	}
	back, err := report.Parse(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(back.Records), back.MessageCount(), back.XMLName.Space)
	fmt.Println(report.Filename("receiver.example", "example.com", b.Begin, b.End, "", true))
	// Output:
	// 1 3 urn:ietf:params:xml:ns:dmarc-2.0
	// receiver.example!example.com!1795996800!1796083199.xml.gz
}
