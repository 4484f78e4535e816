package tlsrpt_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

const smallReport = `{"organization-name":"o","date-range":{"start-datetime":"2023-01-10T00:00:00Z","end-datetime":"2023-01-10T23:59:59Z"},"contact-info":"c","report-id":"r=1","policies":[{"policy":{"policy-type":"no-policy-found","policy-domain":"example.com"},"summary":{"total-successful-session-count":7,"total-failure-session-count":0}}]}`

func TestReportMessageShapes(t *testing.T) {
	gz := base64.StdEncoding.EncodeToString(gzipOf(t, []byte(smallReport)))
	var spaced strings.Builder // base64 in short lines with stray spaces
	for i := 0; i < len(gz); i += 20 {
		spaced.WriteString(" " + gz[i:min(i+20, len(gz))] + " \r\n")
	}
	qp := strings.ReplaceAll(smallReport, "=", "=3D")
	tests := []struct {
		name, msg string
	}{
		{"quoted-printable json", "Content-Type: multipart/report; report-type=tlsrpt; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x\r\nContent-Type: application/tlsrpt+json\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp + "\r\n--x--\r\n"},
		{"application/gzip with a .json.gz name", "Content-Type: multipart/report; report-type=tlsrpt; boundary=x\r\n\r\n--x\r\nContent-Type: application/gzip\r\nContent-Disposition: attachment; filename=\"a!b!1!2.json.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + gz + "\r\n--x--\r\n"},
		{"nested multipart, spaced base64", "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/report; report-type=tlsrpt; boundary=i\r\n\r\n--i\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n" + spaced.String() + "--i--\r\n--o--\r\n"},
		{"single part gzip", "Content-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n" + gz + "\r\n"},
	}
	for _, tt := range tests {
		r, err := tlsrpt.ParseReportMessage(strings.NewReader(tt.msg))
		if assert.NoError(t, err, tt.name) {
			assert.Equal(t, "r=1", r.ReportID, tt.name)
			assert.Equal(t, tlsrpt.PolicyNoPolicyFound, r.Policies[0].Policy.Type, tt.name)
		}
	}

	_, err := tlsrpt.ParseReportMessage(strings.NewReader("Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n"))
	assert.ErrorIs(t, err, tlsrpt.ErrNoReport)
	_, err = tlsrpt.ParseReportMessage(strings.NewReader("Content-Type: application/json\r\n\r\n" + smallReport))
	assert.ErrorIs(t, err, tlsrpt.ErrNoReport, "application/json without a report file name is not taken")
	_, err = tlsrpt.ParseReportMessage(strings.NewReader("Content-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n"))
	assert.ErrorIs(t, err, tlsrpt.ErrReportSyntax)
	_, err = tlsrpt.ParseReportMessage(strings.NewReader("no header"))
	require.Error(t, err)
}
