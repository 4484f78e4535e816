package tlsrpt_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// collectKeys returns the object keys of a JSON value, recursively.
func collectKeys(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			into[k] = true
			collectKeys(e, into)
		}
	case []any:
		for _, e := range x {
			collectKeys(e, into)
		}
	}
}

func TestReportJSONFieldNames(t *testing.T) {
	r := &tlsrpt.Report{
		OrganizationName: "Company-X",
		DateRange:        tlsrpt.DateRange{Start: tlsrpt.DateTime{Time: time.Date(2016, 4, 1, 0, 0, 0, 0, time.UTC)}, End: tlsrpt.DateTime{Time: time.Date(2016, 4, 1, 23, 59, 59, 0, time.UTC)}},
		ContactInfo:      "sts-reporting@company-x.example",
		ReportID:         "5065427c",
		Policies: []tlsrpt.PolicyResult{{
			Policy:  tlsrpt.PolicyInfo{Type: tlsrpt.PolicySTS, String: []string{"version: STSv1"}, Domain: "company-y.example", MXHost: tlsrpt.MXHosts{"*.mail.company-y.example"}},
			Summary: tlsrpt.Summary{TotalSuccessfulSessionCount: 1, TotalFailureSessionCount: 2},
			FailureDetails: []tlsrpt.FailureDetails{{
				ResultType: tlsrpt.ResultValidationFailure, SendingMTAIP: "192.0.2.1", ReceivingMXHostname: "mx.example",
				ReceivingMXHelo: "mx.example", ReceivingIP: "192.0.2.2", FailedSessionCount: 2,
				AdditionalInformation: "https://example/info", FailureReasonCode: "X",
			}},
		}},
	}
	js, err := json.Marshal(r)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(js, &v))
	keys := map[string]bool{}
	collectKeys(v, keys)
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	sort.Strings(got)
	// Every field name of RFC 8460 §4.4.
	want := []string{"additional-information", "contact-info", "date-range", "end-datetime", "failed-session-count",
		"failure-details", "failure-reason-code", "mx-host", "organization-name", "policies", "policy", "policy-domain",
		"policy-string", "policy-type", "receiving-ip", "receiving-mx-helo", "receiving-mx-hostname", "report-id",
		"result-type", "sending-mta-ip", "start-datetime", "summary", "total-failure-session-count", "total-successful-session-count"}
	assert.Equal(t, want, got)
	assert.Contains(t, string(js), `"start-datetime":"2016-04-01T00:00:00Z"`)

	back, err := tlsrpt.ParseReport(strings.NewReader(string(js)))
	require.NoError(t, err)
	assert.Equal(t, r, back)
}

func TestResultTypes(t *testing.T) {
	// RFC 8460 §4.3 / IANA "STARTTLS Validation Result Types": 11 values.
	want := []string{"certificate-expired", "certificate-host-mismatch", "certificate-not-trusted", "dane-required",
		"dnssec-invalid", "starttls-not-supported", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
		"tlsa-invalid", "validation-failure"}
	var got []string
	for _, r := range tlsrpt.ResultTypes {
		got = append(got, string(r))
	}
	sort.Strings(got)
	assert.Equal(t, want, got)
}

func TestDateTimeAndMXHost(t *testing.T) {
	base := `{"organization-name":"o","date-range":{"start-datetime":%q,"end-datetime":"2023-01-10T23:59:59+01:00"},"contact-info":"c","report-id":"r","policies":[{"policy":{"policy-type":"sts","policy-domain":"d","mx-host":%s},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}]}`
	tests := []struct {
		start, mx string
		want      time.Time
		mxWant    tlsrpt.MXHosts
	}{
		{"2023-01-10T00:00:00Z", `"mx.example"`, time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC), tlsrpt.MXHosts{"mx.example"}},
		{"2023-01-10T00:00:00", `["a.example","*.b.example"]`, time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC), tlsrpt.MXHosts{"a.example", "*.b.example"}},
		{"2023-01-10T00:00:00.123", `[]`, time.Date(2023, 1, 10, 0, 0, 0, 123e6, time.UTC), tlsrpt.MXHosts{}},
		{"2023-01-10T02:00:00+02:00", `"x"`, time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC), tlsrpt.MXHosts{"x"}},
	}
	for _, tt := range tests {
		r, err := tlsrpt.ParseReport(strings.NewReader(sprintf(base, tt.start, tt.mx)))
		require.NoError(t, err, tt.start)
		assert.True(t, tt.want.Equal(r.DateRange.Start.Time), "%s: %v", tt.start, r.DateRange.Start)
		assert.Equal(t, time.Date(2023, 1, 10, 22, 59, 59, 0, time.UTC), r.DateRange.End.Time)
		assert.Equal(t, tt.mxWant, r.Policies[0].Policy.MXHost)
	}
	for _, bad := range []string{"yesterday", "2023-13-10T00:00:00Z"} {
		_, err := tlsrpt.ParseReport(strings.NewReader(sprintf(base, bad, `"x"`)))
		assert.ErrorIs(t, err, tlsrpt.ErrReportSyntax, bad)
	}
	_, err := tlsrpt.ParseReport(strings.NewReader(sprintf(base, "2023-01-10T00:00:00Z", `5`)))
	assert.ErrorIs(t, err, tlsrpt.ErrReportSyntax)
}

func TestReportSemanticChecks(t *testing.T) {
	for _, js := range []string{
		`{}`,
		`[]`,
		`{"report-id":"r","date-range":{"start-datetime":"2023-01-10T00:00:00Z","end-datetime":"2023-01-10T00:00:00Z"}}`,
		`{"report-id":"r","date-range":{"start-datetime":"2023-01-10T00:00:00Z","end-datetime":"2023-01-10T00:00:00Z"},"policies":[{"policy":{},"summary":{}}]}`,
		`{"report-id":"r","date-range":{"start-datetime":"2023-01-10T00:00:00Z","end-datetime":"2023-01-10T00:00:00Z"},"policies":[{"policy":{"policy-type":"sts"},"summary":{"total-successful-session-count":-1}}]}`,
		`{"report-id":"r"`,
		"\x1f\x8b\x08garbage",
	} {
		_, err := tlsrpt.ParseReport(strings.NewReader(js))
		assert.ErrorIs(t, err, tlsrpt.ErrReportSyntax, js)
	}
}
