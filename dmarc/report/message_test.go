package report

import (
	"github.com/mailsmith/mailsmith/dmarc"

	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reportAttachment returns the decoded report attachment of a report
// email: the first part that is gzip, zip or XML (test helper; parsing
// report emails belongs to dmarc/report).
func reportAttachment(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "report-emails", name))
	require.NoError(t, err)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	var found []byte
	var walk func(h map[string][]string, body io.Reader)
	walk = func(h map[string][]string, body io.Reader) {
		get := func(k string) string {
			if v := h[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		mt, params, _ := mime.ParseMediaType(get("Content-Type"))
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return
				}
				walk(p.Header, p)
				if found != nil {
					return
				}
			}
		}
		_, dparams, _ := mime.ParseMediaType(get("Content-Disposition"))
		fname := strings.ToLower(params["name"] + dparams["filename"])
		if !(strings.Contains(mt, "gzip") || strings.Contains(mt, "zip") || strings.HasSuffix(mt, "xml") ||
			strings.HasSuffix(fname, ".gz") || strings.HasSuffix(fname, ".zip") || strings.HasSuffix(fname, ".xml")) {
			return
		}
		data, err := io.ReadAll(body)
		require.NoError(t, err)
		if strings.EqualFold(strings.TrimSpace(get("Content-Transfer-Encoding")), "base64") {
			data, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(data)))
			require.NoError(t, err)
		}
		found = data
	}
	walk(msg.Header, msg.Body)
	require.NotNil(t, found, "no report attachment in %s", name)
	return found
}

// TestParseReportEmails parses the reports of five real report emails
// (testdata/report-emails, see its README) as they arrived: zip from
// Google, gzip from the others.
func TestParseReportEmails(t *testing.T) {
	tests := []struct {
		file, org, id   string
		begin, end      int64
		records         int
		messages        int64
		firstIP, domain string
	}{
		{"google.eml", "google.com", "13488712042596170873", 1633996800, 1634083199, 2, 5, "2a02:2770:3:0:21a:4aff:fea1:8a7b", "ueber.net"},
		{"mailru.eml", "Mail.Ru", "82403907998914102491559779200", 1559779200, 1559865600, 1, 1, "176.113.22.155", "ueber.net"},
		{"outlook.eml", "Outlook.com", "8be4eb9d89044800947965b8a040291c", 1634256000, 1634342400, 1, 2, "46.19.35.124", "ueber.net"},
		{"xs4all.eml", "xs4all.nl", "xs4all.nl.1627349682.9725429@dmarc-reports.xs4all.net", 1627257600, 1627343999, 1, 1, "", "ueber.net"},
		{"yahoo.eml", "Yahoo! Inc.", "1559613526.307161", 1559520000, 1559606399, 1, 1, "", "ueber.net"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := Parse(bytes.NewReader(reportAttachment(t, tt.file)))
			require.NoError(t, err)
			require.NoError(t, f.Validate())
			assert.Equal(t, tt.org, f.Metadata.OrgName)
			assert.Equal(t, tt.id, f.Metadata.ReportID)
			assert.Equal(t, tt.begin, f.Metadata.DateRange.Begin)
			assert.Equal(t, tt.end, f.Metadata.DateRange.End)
			assert.Equal(t, tt.domain, f.PolicyPublished.Domain)
			assert.Equal(t, dmarc.PolicyReject, f.PolicyPublished.P)
			require.Len(t, f.Records, tt.records)
			assert.Equal(t, tt.messages, f.MessageCount())
			if tt.firstIP != "" {
				assert.Equal(t, tt.firstIP, f.Records[0].Row.SourceIP)
			}
			assert.Nil(t, f.Warnings)
		})
	}
}
