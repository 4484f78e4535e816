package tlsrpt_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testmail"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

const smallReport = `{"organization-name":"o","date-range":{"start-datetime":"2023-01-10T00:00:00Z","end-datetime":"2023-01-10T23:59:59Z"},"contact-info":"c","report-id":"r=1","policies":[{"policy":{"policy-type":"no-policy-found","policy-domain":"example.com"},"summary":{"total-successful-session-count":7,"total-failure-session-count":0}}]}`

func TestReportMessageShapes(t *testing.T) {
	gz := testmail.Gzip(t, []byte(smallReport))
	oneLine := base64.StdEncoding.EncodeToString(gz)
	var spaced strings.Builder // base64 in short lines with stray spaces
	for i := 0; i < len(oneLine); i += 20 {
		spaced.WriteString(" " + oneLine[i:min(i+20, len(oneLine))] + " \r\n")
	}
	const report = "multipart/report; report-type=tlsrpt"
	gzipPart := "Content-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	tests := []struct {
		name, msg string
	}{
		{"quoted-printable json", testmail.Multipart(report, "x", "Content-Type: text/plain\r\n\r\nhi",
			"Content-Type: application/tlsrpt+json\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+testmail.QuotedPrintable([]byte(smallReport)))},
		{"application/gzip with a .json.gz name", testmail.Multipart(report, "x",
			"Content-Type: application/gzip\r\nContent-Disposition: attachment; filename=\"a!b!1!2.json.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"+testmail.Base64Lines(gz))},
		{"nested multipart, spaced base64", testmail.Multipart("multipart/mixed", "o", testmail.Multipart(report, "i", gzipPart+spaced.String()))},
		{"single part gzip", gzipPart + testmail.Base64Lines(gz)},
		{"single part gzip, base64 on one line", gzipPart + oneLine + "\r\n"},
	}
	for _, tt := range tests {
		r, err := tlsrpt.ParseReportMessage(strings.NewReader(tt.msg))
		if assert.NoError(t, err, tt.name) {
			assert.Equal(t, "r=1", r.ReportID, tt.name)
			assert.Equal(t, tlsrpt.PolicyNoPolicyFound, r.Policies[0].Policy.Type, tt.name)
		}
	}

	_, err := tlsrpt.ParseReportMessage(strings.NewReader(testmail.Multipart("multipart/report", "x", "Content-Type: text/plain\r\n\r\nhi")))
	assert.ErrorIs(t, err, tlsrpt.ErrNoReport)
	_, err = tlsrpt.ParseReportMessage(strings.NewReader("Content-Type: application/json\r\n\r\n" + smallReport))
	assert.ErrorIs(t, err, tlsrpt.ErrNoReport, "application/json without a report file name is not taken")
	_, err = tlsrpt.ParseReportMessage(strings.NewReader("Content-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n"))
	assert.ErrorIs(t, err, tlsrpt.ErrReportSyntax)
	_, err = tlsrpt.ParseReportMessage(strings.NewReader("no header"))
	require.Error(t, err)
}
