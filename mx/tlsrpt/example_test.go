package tlsrpt_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// staticTXT is a Resolver that gives every name the same TXT records; in a
// program, pass a *net.Resolver (nil means net.DefaultResolver).
type staticTXT []string

func (s staticTXT) LookupTXT(context.Context, string) ([]string, error) { return s, nil }

func ExampleLookup() {
	dns := staticTXT{"v=spf1 -all", "v=TLSRPTv1; rua=mailto:reports@example.com,https://tlsrpt.example.com/v1"}
	rec, err := tlsrpt.Lookup(context.Background(), dns, "example.com")
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.RUA)
	// Output:
	// [mailto:reports@example.com https://tlsrpt.example.com/v1]
}

func ExampleBuilder() {
	day := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	b := &tlsrpt.Builder{OrganizationName: "Example Mail", ContactInfo: "postmaster@mail.example.org", Submitter: "mail.example.org", Start: day, End: day.Add(24*time.Hour - time.Second)}
	policy := tlsrpt.PolicyInfo{Type: tlsrpt.PolicySTS, Domain: "example.com",
		String: []string{"version: STSv1", "mode: enforce", "mx: *.example.com", "max_age: 86400"}, MXHost: tlsrpt.MXHosts{"*.example.com"}}
	b.AddSuccess(policy)
	b.AddSuccess(policy)
	b.AddFailure(policy, tlsrpt.FailureDetails{ResultType: tlsrpt.ResultCertificateHostMismatch, ReceivingMXHostname: "mx2.example.com"})

	msg, err := b.Message("example.com", tlsrpt.MessageOptions{From: "tlsrpt@mail.example.org", To: "reports@example.com", ReportID: "2026-12-06_example.com"})
	if err != nil {
		panic(err)
	}
	// The receiving side reads it back.
	rep, err := tlsrpt.ParseReportMessage(bytes.NewReader(msg))
	if err != nil {
		panic(err)
	}
	s := rep.Policies[0].Summary
	fmt.Println(rep.ReportID, s.TotalSuccessfulSessionCount, s.TotalFailureSessionCount, rep.Policies[0].FailureDetails[0].ResultType)
	fmt.Println(tlsrpt.FileName(b.Submitter, "example.com", b.Start, b.End, "", true))
	// Output:
	// 2026-12-06_example.com 2 1 certificate-host-mismatch
	// mail.example.org!example.com!1796515200!1796601599.json.gz
}

func ExampleParseReport() {
	rep, err := tlsrpt.ParseReport(bytes.NewReader([]byte(`{"organization-name":"Microsoft Corporation","date-range":{"start-datetime":"2023-01-10T00:00:00","end-datetime":"2023-01-10T23:59:59"},"contact-info":"tlsrpt-noreply@microsoft.com","report-id":"133198585438131172+test.xmox.nl","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: komijn.test.xmox.nl","max_age: 86400"],"policy-domain":"test.xmox.nl"},"summary":{"total-successful-session-count":2,"total-failure-session-count":0}}]}`)))
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.OrganizationName, rep.DateRange.Start.Format(time.RFC3339), rep.Policies[0].Summary.TotalSuccessfulSessionCount)
	// Output:
	// Microsoft Corporation 2023-01-10T00:00:00Z 2
}
