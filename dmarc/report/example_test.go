package report_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
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

// A report email as it arrives: ParseMessage finds the gzip attachment in
// the multipart message and parses it.
func ExampleParseMessage() {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`<?xml version="1.0"?>
<feedback>
  <report_metadata><org_name>receiver.example</org_name><email>r@receiver.example</email>
    <report_id>42</report_id><date_range><begin>1764460800</begin><end>1764547199</end></date_range></report_metadata>
  <policy_published><domain>example.com</domain><p>reject</p></policy_published>
  <record><row><source_ip>192.0.2.1</source_ip><count>3</count>
    <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results><dkim><domain>example.com</domain><result>pass</result></dkim></auth_results></record>
</feedback>`))
	zw.Close()
	msg := "From: dmarc@receiver.example\r\n" +
		"Subject: Report Domain: example.com Submitter: receiver.example Report-ID: 42\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nThis is a DMARC aggregate report.\r\n" +
		"--b\r\nContent-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"receiver.example!example.com!1764460800!1764547199.xml.gz\"\r\n\r\n" +
		base64.StdEncoding.EncodeToString(gz.Bytes()) + "\r\n--b--\r\n"

	f, err := report.ParseMessage(strings.NewReader(msg))
	if err != nil {
		log.Fatal(err)
	}
	r := f.Records[0]
	fmt.Println(f.Metadata.OrgName, f.PolicyPublished.Domain, f.PolicyPublished.P)
	fmt.Println(r.Row.SourceIP, r.Row.Count, r.Row.PolicyEvaluated.DKIM, r.Row.PolicyEvaluated.SPF)
	// Output:
	// receiver.example example.com reject
	// 192.0.2.1 3 pass fail
}
