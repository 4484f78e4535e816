package tlsrpt_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

func newBuilder() *tlsrpt.Builder {
	start := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	return &tlsrpt.Builder{
		OrganizationName: "Mailsmith Test",
		ContactInfo:      "tlsrpt@mail.example.org",
		Submitter:        "mail.example.org",
		Start:            start,
		End:              start.Add(24*time.Hour - time.Second),
	}
}

var stsPolicy = tlsrpt.PolicyInfo{
	Type:   tlsrpt.PolicySTS,
	String: []string{"version: STSv1", "mode: enforce", "mx: *.example.com", "max_age: 86400"},
	Domain: "example.com",
	MXHost: tlsrpt.MXHosts{"*.example.com"},
}

func TestBuilderCounts(t *testing.T) {
	b := newBuilder()
	for i := 0; i < 5; i++ {
		b.AddSuccess(stsPolicy)
	}
	expired := tlsrpt.FailureDetails{ResultType: tlsrpt.ResultCertificateExpired, SendingMTAIP: "192.0.2.9", ReceivingMXHostname: "mx1.example.com", ReceivingIP: "198.51.100.1"}
	b.AddFailure(stsPolicy, expired)
	b.AddFailure(stsPolicy, expired)
	b.AddFailure(stsPolicy, tlsrpt.FailureDetails{ResultType: tlsrpt.ResultValidationFailure, ReceivingMXHostname: "mx.other.example", FailureReasonCode: "mx not in policy"})
	tlsa := tlsrpt.PolicyInfo{Type: tlsrpt.PolicyTLSA, String: []string{"3 1 1 ABCD"}, Domain: "Example.COM."}
	b.AddSuccess(tlsa)
	b.AddSuccess(tlsrpt.PolicyInfo{Type: tlsrpt.PolicyNoPolicyFound, Domain: "example.net"})
	b.AddFailure(tlsrpt.PolicyInfo{Type: tlsrpt.PolicyNoPolicyFound, Domain: "example.net"}, tlsrpt.FailureDetails{ResultType: tlsrpt.ResultSTARTTLSNotSupported})

	assert.Equal(t, []string{"example.com", "example.net"}, b.Domains())
	r := b.Report("example.com", "id1")
	require.NotNil(t, r)
	require.Len(t, r.Policies, 2)
	sts := r.Policies[0]
	assert.Equal(t, tlsrpt.Summary{TotalSuccessfulSessionCount: 5, TotalFailureSessionCount: 3}, sts.Summary)
	require.Len(t, sts.FailureDetails, 2)
	assert.Equal(t, int64(2), sts.FailureDetails[0].FailedSessionCount)
	assert.Equal(t, tlsrpt.ResultCertificateExpired, sts.FailureDetails[0].ResultType)
	assert.Equal(t, int64(1), sts.FailureDetails[1].FailedSessionCount)
	assert.Equal(t, tlsrpt.PolicyTLSA, r.Policies[1].Policy.Type)
	assert.Equal(t, "example.com", r.Policies[1].Policy.Domain)
	assert.Equal(t, int64(1), r.Policies[1].Summary.TotalSuccessfulSessionCount)

	n := b.Report("example.net", "id2")
	require.Len(t, n.Policies, 1)
	assert.Equal(t, tlsrpt.Summary{TotalSuccessfulSessionCount: 1, TotalFailureSessionCount: 1}, n.Policies[0].Summary)
	assert.Nil(t, b.Report("example.org", "x"))

	// The JSON and the gzip parse back to the same report.
	js, err := b.JSON("example.com", "id1")
	require.NoError(t, err)
	back, err := tlsrpt.ParseReport(bytes.NewReader(js))
	require.NoError(t, err)
	assert.Equal(t, r, back)
	gz, err := b.Gzip("example.com", "id1")
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, js, plain)
	back, err = tlsrpt.ParseReport(bytes.NewReader(gz))
	require.NoError(t, err)
	assert.Equal(t, r, back)
}

func TestBuilderBounds(t *testing.T) {
	b := newBuilder()
	b.MaxFailureDetails = 3
	b.MaxPolicies = 2
	for i := 0; i < 10; i++ {
		b.AddFailure(stsPolicy, tlsrpt.FailureDetails{ResultType: tlsrpt.ResultValidationFailure, FailureReasonCode: string(rune('a' + i))})
	}
	for i := 0; i < 5; i++ {
		b.AddSuccess(tlsrpt.PolicyInfo{Type: tlsrpt.PolicyTLSA, Domain: "example.com", String: []string{string(rune('a' + i))}})
	}
	r := b.Report("example.com", "x")
	require.Len(t, r.Policies, 2)
	assert.Len(t, r.Policies[0].FailureDetails, 3)
	assert.Equal(t, int64(10), r.Policies[0].Summary.TotalFailureSessionCount, "all sessions counted")
	assert.Equal(t, int64(5), r.Policies[1].Summary.TotalSuccessfulSessionCount, "sessions over the policy bound counted in the last policy")
}

func TestFileName(t *testing.T) {
	start := time.Unix(1013662812, 0)
	end := time.Unix(1013749130, 0)
	assert.Equal(t, "mail.sender.example!example.com!1013662812!1013749130.json.gz", tlsrpt.FileName("mail.sender.example", "example.com", start, end, "", true))
	assert.Equal(t, "mail.sender.example!example.com!1013662812!1013749130!abc123.json", tlsrpt.FileName("mail.sender.example", "example.com", start, end, "abc-123", false))
}

func TestMessageRoundTrip(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		b := newBuilder()
		b.AddSuccess(stsPolicy)
		b.AddFailure(stsPolicy, tlsrpt.FailureDetails{ResultType: tlsrpt.ResultSTSWebPKIInvalid})
		msg, err := b.Message("example.com", tlsrpt.MessageOptions{
			From: "tlsrpt@mail.example.org", To: "mailto:reports@example.com", ReportID: "2026-12-06.example.com",
			Date: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC), JSON: asJSON,
		})
		require.NoError(t, err)

		m, err := mail.ReadMessage(bytes.NewReader(msg))
		require.NoError(t, err)
		assert.Equal(t, "reports@example.com", m.Header.Get("To"))
		assert.Equal(t, "example.com", m.Header.Get("TLS-Report-Domain"))
		assert.Equal(t, "mail.example.org", m.Header.Get("TLS-Report-Submitter"))
		assert.Equal(t, "Report Domain: example.com Submitter: mail.example.org Report-ID: <2026-12-06.example.com>", m.Header.Get("Subject"))
		mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
		require.NoError(t, err)
		assert.Equal(t, "multipart/report", mt)
		assert.Equal(t, "tlsrpt", params["report-type"])
		mr := multipart.NewReader(m.Body, params["boundary"])
		p1, err := mr.NextPart()
		require.NoError(t, err)
		assert.Contains(t, p1.Header.Get("Content-Type"), "text/plain")
		p2, err := mr.NextRawPart()
		require.NoError(t, err)
		wantType, wantName := tlsrpt.MediaTypeGzip, "mail.example.org!example.com!1796515200!1796601599!20261206examplecom.json.gz"
		if asJSON {
			wantType, wantName = tlsrpt.MediaTypeJSON, "mail.example.org!example.com!1796515200!1796601599!20261206examplecom.json"
		}
		assert.Equal(t, wantType, p2.Header.Get("Content-Type"))
		_, dp, err := mime.ParseMediaType(p2.Header.Get("Content-Disposition"))
		require.NoError(t, err)
		assert.Equal(t, wantName, dp["filename"])

		r, err := tlsrpt.ParseReportMessage(bytes.NewReader(msg))
		require.NoError(t, err)
		assert.Equal(t, b.Report("example.com", "2026-12-06.example.com"), r)
	}
}

func TestMessageRefusesHeaderInjection(t *testing.T) {
	b := newBuilder()
	b.AddSuccess(stsPolicy)
	_, err := b.Message("example.com", tlsrpt.MessageOptions{From: "a@b\r\nBcc: x@y", To: "r@example.com", ReportID: "x"})
	assert.Error(t, err)
}
