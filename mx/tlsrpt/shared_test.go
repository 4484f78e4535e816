package tlsrpt_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// The shared cases transcribed from mox's tests (testdata/README.md).

type moxRecord struct {
	Version    string      `json:"version"`
	RUA        [][]string  `json:"rua"`
	Extensions [][2]string `json:"extensions"`
}

type moxRecordCase struct {
	ID     string          `json:"id"`
	Kind   string          `json:"kind"`
	TXT    json.RawMessage `json:"txt"`
	Source string          `json:"source"`
	Input  struct {
		Record *moxRecord `json:"record"`
		Domain string     `json:"domain"`
		DNS    string     `json:"dns"`
	} `json:"input"`
	Expect struct {
		OK     bool       `json:"ok"`
		Record *moxRecord `json:"record"`
		String string     `json:"string"`
		Error  *string    `json:"error"`
	} `json:"expect"`
}

type moxRecordFile struct {
	DNSFixtures map[string]dnstest.Fixture `json:"dns_fixtures"`
	Cases       []moxRecordCase            `json:"cases"`
}

// flatRUA: mox keeps one list per rua field; this package one list.
func flatRUA(m moxRecord) []string {
	var l []string
	for _, r := range m.RUA {
		l = append(l, r...)
	}
	return l
}

func exts(m moxRecord) []tlsrpt.Extension {
	var l []tlsrpt.Extension
	for _, e := range m.Extensions {
		l = append(l, tlsrpt.Extension{Key: e[0], Value: e[1]})
	}
	return l
}

// moxErr maps mox's names to this package's (DESIGN.md): several or an
// invalid record also mean "no record" (RFC 8460 §3).
func moxErr(name string) []error {
	switch name {
	case "ErrNoRecord":
		return []error{tlsrpt.ErrNoRecord}
	case "ErrMultipleRecords":
		return []error{tlsrpt.ErrNoRecord, tlsrpt.ErrMultipleRecords}
	case "ErrRecordSyntax":
		return []error{tlsrpt.ErrNoRecord, tlsrpt.ErrRecordSyntax}
	case "ErrDNS":
		return []error{tlsrpt.ErrTemporary}
	}
	panic(name)
}

func TestMoxRecordCases(t *testing.T) {
	b, err := os.ReadFile("testdata/tlsrpt-record-cases.json")
	require.NoError(t, err)
	var f moxRecordFile
	require.NoError(t, json.Unmarshal(b, &f))
	servers := map[string]*dnstest.Server{}
	for name, fx := range f.DNSFixtures {
		servers["#/dns_fixtures/"+name] = dnstest.ServeFixture(t, fx)
	}
	passed := 0
	for _, c := range f.Cases {
		ok := t.Run(c.ID, func(t *testing.T) {
			t.Log(c.Source)
			switch c.Kind {
			case "record-parse":
				var txt string
				require.NoError(t, json.Unmarshal(c.TXT, &txt))
				r, err := tlsrpt.ParseRecord(txt)
				if !c.Expect.OK {
					assert.ErrorIs(t, err, tlsrpt.ErrRecordSyntax)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, flatRUA(*c.Expect.Record), r.RUA)
				assert.Equal(t, exts(*c.Expect.Record), r.Extensions)
			case "record-format":
				r := &tlsrpt.Record{RUA: flatRUA(*c.Input.Record), Extensions: exts(*c.Input.Record)}
				assert.Equal(t, c.Expect.String, r.String())
				back, err := tlsrpt.ParseRecord(r.String())
				require.NoError(t, err)
				assert.Equal(t, r, back)
			case "record-lookup":
				srv := servers[c.Input.DNS]
				require.NotNil(t, srv)
				r, err := tlsrpt.Lookup(context.Background(), srv.Resolver(), c.Input.Domain)
				if !c.Expect.OK {
					require.Error(t, err)
					for _, want := range moxErr(*c.Expect.Error) {
						assert.ErrorIs(t, err, want)
					}
					return
				}
				require.NoError(t, err)
				assert.Equal(t, flatRUA(*c.Expect.Record), r.RUA)
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("mox record cases: %d of %d passed", passed, len(f.Cases))
	assert.Equal(t, 28, len(f.Cases))
}

func TestSharedReports(t *testing.T) {
	day := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	appendixB := func(t *testing.T, r *tlsrpt.Report) {
		assert.Equal(t, "Company-X", r.OrganizationName)
		assert.Equal(t, day("2016-04-01T00:00:00Z"), r.DateRange.Start.Time)
		assert.Equal(t, day("2016-04-01T23:59:59Z"), r.DateRange.End.Time)
		assert.Equal(t, "sts-reporting@company-x.example", r.ContactInfo)
		assert.Equal(t, "5065427c-23d3-47ca-b6e0-946ea0e8c4be", r.ReportID)
		require.Len(t, r.Policies, 1)
		p := r.Policies[0]
		assert.Equal(t, tlsrpt.PolicySTS, p.Policy.Type)
		assert.Equal(t, []string{"version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"}, p.Policy.String)
		assert.Equal(t, "company-y.example", p.Policy.Domain)
		assert.Equal(t, tlsrpt.MXHosts{"*.mail.company-y.example"}, p.Policy.MXHost)
		assert.Equal(t, tlsrpt.Summary{TotalSuccessfulSessionCount: 5326, TotalFailureSessionCount: 303}, p.Summary)
		require.Len(t, p.FailureDetails, 3)
		assert.Equal(t, tlsrpt.FailureDetails{ResultType: tlsrpt.ResultCertificateExpired, SendingMTAIP: "2001:db8:abcd:0012::1",
			ReceivingMXHostname: "mx1.mail.company-y.example", FailedSessionCount: 100}, p.FailureDetails[0])
		assert.Equal(t, tlsrpt.ResultSTARTTLSNotSupported, p.FailureDetails[1].ResultType)
		assert.Equal(t, "203.0.113.56", p.FailureDetails[1].ReceivingIP)
		assert.Equal(t, int64(200), p.FailureDetails[1].FailedSessionCount)
		assert.Contains(t, p.FailureDetails[1].AdditionalInformation, "StarttlsNotSupported")
		assert.Equal(t, tlsrpt.ResultValidationFailure, p.FailureDetails[2].ResultType)
		assert.Equal(t, "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED", p.FailureDetails[2].FailureReasonCode)
		assert.Equal(t, int64(3), p.FailureDetails[2].FailedSessionCount)
	}
	tests := []struct {
		file  string
		email bool
		check func(t *testing.T, r *tlsrpt.Report)
	}{
		{"rfc8460-appendixB-report-as-in-mox.json", false, appendixB},
		{"rfc8460-sec5.3-report-message-as-in-mox.eml", true, appendixB},
		{"report-message-nonmultipart-as-in-mox.eml", true, appendixB},
		{"example.eml", true, func(t *testing.T, r *tlsrpt.Report) {
			assert.Equal(t, "Google Inc.", r.OrganizationName)
			assert.Equal(t, "2022-09-15T00:00:00Z_test.xmox.nl", r.ReportID)
			assert.Equal(t, day("2022-09-15T23:59:59Z"), r.DateRange.End.Time)
			require.Len(t, r.Policies, 1)
			assert.Equal(t, "test.xmox.nl", r.Policies[0].Policy.Domain)
			assert.Equal(t, tlsrpt.MXHosts{"komijn.test.xmox.nl"}, r.Policies[0].Policy.MXHost)
			assert.Equal(t, int64(3), r.Policies[0].Summary.TotalSuccessfulSessionCount)
		}},
		{"microsoft.eml", true, func(t *testing.T, r *tlsrpt.Report) {
			assert.Equal(t, "Microsoft Corporation", r.OrganizationName)
			// A date-time without a time zone, read as UTC.
			assert.Equal(t, day("2023-01-10T00:00:00Z"), r.DateRange.Start.Time)
			assert.Equal(t, day("2023-01-10T23:59:59Z"), r.DateRange.End.Time)
			require.Len(t, r.Policies, 1)
			assert.Equal(t, int64(2), r.Policies[0].Summary.TotalSuccessfulSessionCount)
			assert.Empty(t, r.Policies[0].Policy.MXHost)
		}},
	}
	passed := 0
	for _, tt := range tests {
		ok := t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "mox", tt.file))
			require.NoError(t, err)
			defer f.Close()
			var r *tlsrpt.Report
			if tt.email {
				r, err = tlsrpt.ParseReportMessage(f)
			} else {
				r, err = tlsrpt.ParseReport(f)
			}
			require.NoError(t, err)
			tt.check(t, r)
			// Marshal and parse back: the same report.
			js, err := json.Marshal(r)
			require.NoError(t, err)
			back, err := tlsrpt.ParseReport(strings.NewReader(string(js)))
			require.NoError(t, err)
			assert.Equal(t, r, back)
		})
		if ok {
			passed++
		}
	}
	t.Logf("shared report samples: %d of %d parsed", passed, len(tests))
}
