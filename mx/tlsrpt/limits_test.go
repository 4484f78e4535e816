package tlsrpt_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testmail"
	"github.com/mailsmith/mailsmith/internal/testmem"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

const reportHead = `{"organization-name":"o","date-range":{"start-datetime":"2023-01-10T00:00:00Z","end-datetime":"2023-01-10T23:59:59Z"},"contact-info":"c","report-id":"r","policies":`

func policyJSON(details string) string {
	return `{"policy":{"policy-type":"sts","policy-domain":"d"},"summary":{"total-successful-session-count":1,"total-failure-session-count":0},"failure-details":[` + details + `]}`
}

// repeatJoin makes n copies of s separated by commas, up to about size
// bytes.
func repeatJoin(s string, size int) string {
	n := size / (len(s) + 1)
	return strings.Repeat(s+",", n-1) + s
}

// TestLimitsWorstShapes feeds the shapes a hostile sender would use, each
// as large as the limit allows, and checks which limit stops it and how
// much memory the attempt took (a few times the input at most: the work
// stops before decoding).
func TestLimitsWorstShapes(t *testing.T) {
	const maxBytes = 1 << 20
	p := &tlsrpt.Parser{MaxBytes: maxBytes, MaxDepth: 16, MaxPolicies: 100, MaxFailureDetails: 1000, MaxArrayLen: 1000}
	tests := []struct {
		name  string
		input func() []byte
		limit string
	}{
		{"over MaxBytes", func() []byte { return []byte(reportHead + `[` + policyJSON("") + `]` + strings.Repeat(" ", maxBytes)) }, "MaxBytes"},
		{"deep nesting", func() []byte { return []byte(strings.Repeat("[", maxBytes-1)) }, "MaxDepth"},
		{"deep objects", func() []byte { return []byte(strings.Repeat(`{"a":`, maxBytes/5-1)) }, "MaxDepth"},
		{"many policies", func() []byte { return []byte(reportHead + `[` + repeatJoin("{}", maxBytes-200) + `]}`) }, "MaxPolicies"},
		{"many failure details", func() []byte {
			return []byte(reportHead + `[` + policyJSON(repeatJoin("{}", maxBytes-400)) + `]}`)
		}, "MaxFailureDetails"},
		{"failure details spread over policies", func() []byte {
			return []byte(reportHead + `[` + repeatJoin(policyJSON(repeatJoin(`{}`, 100)), maxBytes-400) + `]}`)
		}, "MaxFailureDetails"},
		{"escaped key still counted", func() []byte {
			return []byte(reportHead + `[{"failure-detail\u0073":[` + repeatJoin("0", maxBytes-400) + `]}]}`)
		}, "MaxFailureDetails"},
		{"long policy-string", func() []byte {
			return []byte(reportHead + `[{"policy":{"policy-string":[` + repeatJoin(`""`, maxBytes-400) + `]}}]}`)
		}, "MaxArrayLen"},
		{"gzip bomb", func() []byte { return testmail.Gzip(t, make([]byte, 64<<20)) }, "MaxBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.input()
			var err error
			alloc := testmem.Allocated(func() { _, err = p.ParseReport(bytes.NewReader(in)) })
			require.ErrorIs(t, err, tlsrpt.ErrLimit)
			var le *tlsrpt.LimitError
			require.True(t, errors.As(err, &le))
			assert.Equal(t, tt.limit, le.Limit)
			assert.Contains(t, err.Error(), tt.limit)
			t.Logf("%s: input %d bytes, allocated %d bytes, stopped by %s", tt.name, len(in), alloc, le.Limit)
			assert.Less(t, alloc, allocSlack*uint64(4*maxBytes+64<<10), "memory bounded by the limit, not the input")
		})
	}
}

// TestLargestAcceptedReport is the biggest valid report the limits let
// through: decoding it costs memory proportional to its size.
func TestLargestAcceptedReport(t *testing.T) {
	const maxBytes = 1 << 20
	p := &tlsrpt.Parser{MaxBytes: maxBytes, MaxFailureDetails: 100000}
	detail := `{"result-type":"validation-failure","failed-session-count":1}`
	in := []byte(reportHead + `[` + policyJSON(repeatJoin(detail, maxBytes-400)) + `]}`)
	require.LessOrEqual(t, len(in), maxBytes)
	var r *tlsrpt.Report
	var err error
	alloc := testmem.Allocated(func() { r, err = p.ParseReport(bytes.NewReader(in)) })
	require.NoError(t, err)
	n := len(r.Policies[0].FailureDetails)
	t.Logf("accepted %d bytes with %d failure details, allocated %d bytes", len(in), n, alloc)
	assert.Greater(t, n, 10000)
	assert.Less(t, alloc, allocSlack*uint64(16*maxBytes))
}

func TestMessageLimits(t *testing.T) {
	part := "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
	many := "MIME-Version: 1.0\r\nContent-Type: multipart/report; boundary=b\r\n\r\n" + strings.Repeat(part, 200) + "--b--\r\n"
	p := &tlsrpt.Parser{}
	_, err := p.ParseReportMessage(strings.NewReader(many))
	var le *tlsrpt.LimitError
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, "MaxParts", le.Limit)

	var nested strings.Builder
	nested.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&nested, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
	}
	_, err = p.ParseReportMessage(strings.NewReader(nested.String()))
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, "MaxMIMEDepth", le.Limit)

	big := "Subject: x\r\nContent-Type: application/tlsrpt+json\r\n\r\n" + strings.Repeat(" ", 2<<20)
	_, err = (&tlsrpt.Parser{MaxMessageBytes: 1 << 20}).ParseReportMessage(strings.NewReader(big))
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, "MaxMessageBytes", le.Limit)
}
