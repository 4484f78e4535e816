package report

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/internal/testmail"
)

// bomb compresses 3 MiB of text that would decompress past a 1 MiB
// limit; the zip variant lies about its uncompressed size in the headers,
// so only the cap on bytes actually read can stop it.
func bomb(t testing.TB, asZip bool) []byte {
	payload := append([]byte("<feedback><report_metadata><org_name>"), bytes.Repeat([]byte("A"), 3<<20)...)
	if !asZip {
		return testmail.Gzip(t, payload)
	}
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestSpeed)
	require.NoError(t, err)
	_, err = fw.Write(payload)
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "r.xml", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(payload),
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100})
	require.NoError(t, err)
	_, err = w.Write(comp.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// containers returns the sample in each container a report arrives in.
func containers(t testing.TB, name string, b []byte) map[string][]byte {
	return map[string][]byte{
		"xml":  b,
		"gzip": testmail.Gzip(t, b),
		"zip":  testmail.Zip(t, map[string][]byte{strings.TrimSuffix(name, ".xml") + ".xml": b}),
	}
}

func TestParseSamples(t *testing.T) {
	type want struct {
		org, email, id, domain string
		begin, end             int64
		p, sp, np              dmarc.Policy
		records                int
		messages               int64
		first                  Record
		namespace              string
	}
	tests := map[string]want{
		"google-style.xml": {
			org: "google.com", email: "noreply-dmarc-support@google.com", id: "4312257963015524870", domain: "example.com",
			begin: 1764460800, end: 1764547199, p: dmarc.PolicyReject, sp: dmarc.PolicyReject, np: dmarc.PolicyReject, records: 2, messages: 45,
			first: Record{
				Row:         Row{SourceIP: "192.0.2.10", Count: 42, PolicyEvaluated: PolicyEvaluated{Disposition: "none", DKIM: "pass", SPF: "pass"}},
				Identifiers: Identifiers{HeaderFrom: "example.com"},
				AuthResults: AuthResults{
					DKIM: []DKIMResult{{Domain: "example.com", Selector: "s2025", Result: "pass"}},
					SPF:  []SPFResult{{Domain: "bounce.example.com", Result: "pass"}},
				},
			},
		},
		"microsoft-style.xml": {
			org: "Enterprise Outlook", email: "dmarcreport@microsoft.com", id: "9a1c5e1b2f3d4c7e8a6b0d9c8e7f6a5b", domain: "example.org",
			begin: 1764374400, end: 1764460800, p: dmarc.PolicyQuarantine, sp: dmarc.PolicyNone, records: 2, messages: 6,
			first: Record{
				Row:         Row{SourceIP: "198.51.100.7", Count: 1, PolicyEvaluated: PolicyEvaluated{Disposition: "quarantine", DKIM: "fail", SPF: "fail"}},
				Identifiers: Identifiers{EnvelopeTo: "contoso.example", EnvelopeFrom: "list.example.net", HeaderFrom: "example.org"},
				AuthResults: AuthResults{
					DKIM: []DKIMResult{{Domain: "example.org", Selector: "selector1", Result: "fail"}},
					SPF:  []SPFResult{{Domain: "list.example.net", Scope: "mfrom", Result: "pass"}},
				},
			},
		},
		"yahoo-style.xml": {
			org: "Yahoo", email: "dmarchelp@yahooinc.com", id: "1764460800.734205", domain: "example.net",
			begin: 1764374400, end: 1764460799, p: dmarc.PolicyNone, records: 1, messages: 12,
			first: Record{
				Row:         Row{SourceIP: "203.0.113.44", Count: 12, PolicyEvaluated: PolicyEvaluated{Disposition: "none", DKIM: "pass", SPF: "fail"}},
				Identifiers: Identifiers{HeaderFrom: "news.example.net"},
				AuthResults: AuthResults{
					DKIM: []DKIMResult{{Domain: "example.net", Selector: "y1", Result: "pass"}, {Domain: "esp.example", Selector: "k1", Result: "pass"}},
					SPF:  []SPFResult{{Domain: "esp.example", Result: "pass"}},
				},
			},
		},
		"rfc9990-style.xml": {
			org: "Receiver Example", email: "dmarc-reports@receiver.example", id: "<20261130.1@receiver.example>", domain: "example.com",
			begin: 1764460800, end: 1764547199, p: dmarc.PolicyReject, sp: dmarc.PolicyQuarantine, np: dmarc.PolicyReject, records: 1, messages: 7,
			namespace: Namespace,
			first: Record{
				Row: Row{SourceIP: "192.0.2.99", Count: 7, PolicyEvaluated: PolicyEvaluated{Disposition: "quarantine", DKIM: "fail", SPF: "fail",
					Reasons: []Reason{{Type: "policy_test_mode", Comment: "t=y lowered reject"}}}},
				Identifiers: Identifiers{EnvelopeTo: "receiver.example", HeaderFrom: "mail.example.com"},
				AuthResults: AuthResults{
					DKIM: []DKIMResult{{Domain: "mail.example.com", Selector: "2026a", Result: "fail", HumanResult: "body hash did not verify"}},
					SPF:  []SPFResult{{Domain: "mail.example.com", Scope: "mfrom", Result: "temperror"}},
				},
			},
		},
	}
	for name, w := range tests {
		for kind, data := range containers(t, name, readSample(t, name)) {
			t.Run(name+"/"+kind, func(t *testing.T) {
				f, err := Parse(bytes.NewReader(data))
				require.NoError(t, err)
				require.NoError(t, f.Validate())
				m := f.Metadata
				assert.Equal(t, w.org, m.OrgName)
				assert.Equal(t, w.email, m.Email)
				assert.Equal(t, w.id, m.ReportID)
				assert.Equal(t, w.begin, m.DateRange.Begin)
				assert.Equal(t, w.end, m.DateRange.End)
				assert.Equal(t, w.domain, f.PolicyPublished.Domain)
				assert.Equal(t, w.p, f.PolicyPublished.P)
				assert.Equal(t, w.sp, f.PolicyPublished.SP)
				assert.Equal(t, w.np, f.PolicyPublished.NP)
				assert.Equal(t, w.namespace, f.XMLName.Space)
				require.Len(t, f.Records, w.records)
				assert.Equal(t, w.messages, f.MessageCount())
				first := f.Records[0]
				first.Extensions = nil
				assert.Equal(t, w.first, first)
			})
		}
	}
}

func TestParseDetails(t *testing.T) {
	f, err := Parse(bytes.NewReader(readSample(t, "rfc9990-style.xml")))
	require.NoError(t, err)
	assert.Equal(t, "1.0", f.Version)
	assert.Equal(t, "treewalk", f.PolicyPublished.DiscoveryMethod)
	assert.Equal(t, "y", f.PolicyPublished.Testing)
	assert.Equal(t, "Example MTA 4.2", f.Metadata.Generator)
	assert.Equal(t, []string{"Multiple DMARC Policy Records at _dmarc.old.example.com"}, f.Metadata.Errors)
	require.NotNil(t, f.Extension)
	assert.Contains(t, string(f.Extension.Inner), "arc-override")
	require.Len(t, f.Records[0].Extensions, 1)
	assert.Equal(t, "arc-results", f.Records[0].Extensions[0].XMLName.Local)
	assert.Equal(t, "https://ext.example/arc-1", f.Records[0].Extensions[0].XMLName.Space)
	ip, err := f.Records[0].Row.SourceAddr()
	require.NoError(t, err)
	assert.Equal(t, netip.MustParseAddr("192.0.2.99"), ip)
	assert.Equal(t, time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC), f.Metadata.DateRange.BeginTime())

	l1, err := Parse(bytes.NewReader(readSample(t, "latin1.xml")))
	require.NoError(t, err)
	assert.Equal(t, "Recépteur", l1.Metadata.OrgName)
}

// TestParseSkipsUnknownChildren: an element the format does not define,
// at any level, is passed over with what it holds, and the known ones
// around it still land in their fields.
func TestParseSkipsUnknownChildren(t *testing.T) {
	doc := `<feedback><report_metadata><org_name>Rx</org_name><x-meta><a>1</a></x-meta>` +
		`<date_range><begin>1</begin><x-when>2</x-when><end>3</end></date_range></report_metadata>` +
		`<policy_published><domain>example.com</domain><x-pol>q</x-pol><p>reject</p></policy_published>` +
		`<record><row><source_ip>192.0.2.1</source_ip><x-row/><count>2</count>` +
		`<policy_evaluated><x-pe>1</x-pe><disposition>none</disposition>` +
		`<reason><x-r/><type>forwarded</type></reason></policy_evaluated></row>` +
		`<identifiers><x-id>a</x-id><header_from>example.com</header_from></identifiers>` +
		`<auth_results><x-ar/><spf><x-s/><domain>example.com</domain><result>pass</result></spf></auth_results>` +
		`</record></feedback>`
	f, err := Parse(strings.NewReader(doc))
	require.NoError(t, err)
	assert.Equal(t, "Rx", f.Metadata.OrgName)
	assert.Equal(t, int64(3), f.Metadata.DateRange.End)
	assert.Equal(t, "reject", string(f.PolicyPublished.P))
	require.Len(t, f.Records, 1)
	r := f.Records[0]
	assert.Equal(t, int64(2), r.Row.Count)
	assert.Equal(t, "none", r.Row.PolicyEvaluated.Disposition)
	require.Len(t, r.Row.PolicyEvaluated.Reasons, 1)
	assert.Equal(t, "forwarded", r.Row.PolicyEvaluated.Reasons[0].Type)
	assert.Equal(t, "example.com", r.Identifiers.HeaderFrom)
	require.Len(t, r.AuthResults.SPF, 1)
	assert.Equal(t, "pass", r.AuthResults.SPF[0].Result)
}

// TestParseRoundTrip: parse, write, parse again gives the same report.
func TestParseRoundTrip(t *testing.T) {
	for _, name := range []string{"google-style.xml", "microsoft-style.xml", "yahoo-style.xml", "rfc9990-style.xml", "latin1.xml"} {
		t.Run(name, func(t *testing.T) {
			f, err := Parse(bytes.NewReader(readSample(t, name)))
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, f.WriteGzip(&buf))
			g, err := Parse(&buf)
			require.NoError(t, err)
			// Extension bodies keep their prefixes, not their bindings.
			f.Extension, g.Extension = nil, nil
			for i := range f.Records {
				f.Records[i].Extensions, g.Records[i].Extensions = nil, nil
			}
			assert.Equal(t, f, g)
		})
	}
}

func TestParseErrors(t *testing.T) {
	valid := readSample(t, "yahoo-style.xml")
	tests := []struct {
		name string
		p    Parser
		data []byte
		want error
	}{
		{"empty", Parser{}, nil, ErrFormat},
		{"not XML", Parser{}, []byte("hello"), ErrFormat},
		{"wrong root", Parser{}, []byte("<html><body/></html>"), ErrFormat},
		{"truncated", Parser{}, valid[:len(valid)/2], ErrFormat},
		{"bad number", Parser{}, bytes.Replace(valid, []byte("<count>12</count>"), []byte("<count>many</count>"), 1), ErrFormat},
		{"entity expansion refused", Parser{}, []byte(`<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa">]><feedback><report_metadata><org_name>&a;</org_name></report_metadata></feedback>`), ErrFormat},
		{"unknown charset", Parser{}, []byte(`<?xml version="1.0" encoding="EBCDIC"?><feedback/>`), ErrFormat},
		{"XML over the limit", Parser{MaxBytes: 500}, valid, ErrTooLarge},
		{"gzip over the decompressed limit", Parser{MaxBytes: 500}, testmail.Gzip(t, valid), ErrTooLarge},
		{"gzip bomb", Parser{MaxBytes: 1 << 20}, bomb(t, false), ErrTooLarge},
		// archive/zip stops at the declared size and reports a format error.
		{"zip bomb lying about its size", Parser{MaxBytes: 1 << 20}, bomb(t, true), ErrFormat},
		{"zip bomb, declared size honest", Parser{MaxBytes: 1 << 20}, testmail.Zip(t, map[string][]byte{"r.xml": bytes.Repeat([]byte(" "), 2<<20)}), ErrTooLarge},
		{"compressed input over the limit", Parser{MaxCompressedBytes: 100}, testmail.Gzip(t, valid), ErrTooLarge},
		{"zip input over the limit", Parser{MaxCompressedBytes: 100}, testmail.Zip(t, map[string][]byte{"r.xml": valid}), ErrTooLarge},
		{"too many zip entries", Parser{MaxZipEntries: 2}, testmail.Zip(t, map[string][]byte{"a.xml": valid, "b.txt": nil, "c.txt": nil}), ErrTooLarge},
		{"zip without xml", Parser{}, testmail.Zip(t, map[string][]byte{"a.txt": valid, "b.txt": valid}), ErrFormat},
		{"broken gzip", Parser{}, []byte{0x1f, 0x8b, 0, 0, 1, 2, 3}, ErrFormat},
		{"broken zip", Parser{}, []byte("PK\x03\x04garbage"), ErrFormat},
		{"too many records", Parser{MaxRecords: 1}, readSample(t, "google-style.xml"), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := tt.p.Parse(bytes.NewReader(tt.data))
			assert.Nil(t, f)
			assert.ErrorIs(t, err, tt.want)
			if err != nil {
				assert.True(t, strings.HasPrefix(err.Error(), "dmarc/report: "), err.Error())
				assert.Equal(t, 1, strings.Count(err.Error(), "dmarc/report:"), err.Error())
			}
		})
	}
	// A zip holding a single file with another extension is accepted.
	f, err := Parse(bytes.NewReader(testmail.Zip(t, map[string][]byte{"report": valid})))
	require.NoError(t, err)
	assert.Equal(t, "Yahoo", f.Metadata.OrgName)
}

// TestNegativeLimits: every Parser field is a safety cap, so a negative
// value is the default, never "no limit".
func TestNegativeLimits(t *testing.T) {
	neg := Parser{MaxBytes: -1, MaxCompressedBytes: -1, MaxZipEntries: -1, MaxRecords: -1, MaxRecordElements: -1,
		MaxRecordResults: -1, MaxRecordReasons: -1, MaxErrors: -1, MaxElements: -1, MaxDepth: -1, MaxTokenBytes: -1,
		MaxAttributes: -1, MaxMessageBytes: -1, MaxParts: -1, MaxPartDepth: -1}
	assert.Equal(t, (&Parser{}).limits(), neg.limits())
	l := neg.limits()
	assert.Equal(t, reportLimits{bytes: DefaultMaxBytes, compressed: DefaultMaxCompressedBytes, zipEntries: DefaultMaxZipEntries,
		records: DefaultMaxRecords, recordElements: DefaultMaxRecordElements, recordResults: DefaultMaxRecordResults,
		recordReasons: DefaultMaxRecordReasons, errors: DefaultMaxErrors, depth: DefaultMaxDepth, tokenBytes: DefaultMaxTokenBytes,
		attributes: DefaultMaxAttributes, elements: DefaultMaxElements, message: DefaultMaxMessageBytes, parts: DefaultMaxParts,
		partDepth: DefaultMaxPartDepth}, l)
	_, err := (&Parser{MaxRecords: -1}).Parse(bytes.NewReader([]byte("<feedback>" + strings.Repeat("<record/>", DefaultMaxRecords+1) + "</feedback>")))
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "MaxRecords", le.Limit)
}

func TestValidate(t *testing.T) {
	base := func() *Feedback {
		f, err := Parse(bytes.NewReader(readSample(t, "yahoo-style.xml")))
		require.NoError(t, err)
		return f
	}
	require.NoError(t, base().Validate())
	for name, mut := range map[string]func(f *Feedback){
		"org_name":    func(f *Feedback) { f.Metadata.OrgName = "" },
		"email":       func(f *Feedback) { f.Metadata.Email = "" },
		"report_id":   func(f *Feedback) { f.Metadata.ReportID = "" },
		"date_range":  func(f *Feedback) { f.Metadata.DateRange.Begin = f.Metadata.DateRange.End + 1 },
		"domain":      func(f *Feedback) { f.PolicyPublished.Domain = "" },
		"p":           func(f *Feedback) { f.PolicyPublished.P = "block" },
		"records":     func(f *Feedback) { f.Records = nil },
		"source_ip":   func(f *Feedback) { f.Records[0].Row.SourceIP = "300.1.1.1" },
		"header_from": func(f *Feedback) { f.Records[0].Identifiers.HeaderFrom = "" },
		"disposition": func(f *Feedback) { f.Records[0].Row.PolicyEvaluated.Disposition = "drop" },
		"dkim":        func(f *Feedback) { f.Records[0].Row.PolicyEvaluated.DKIM = "neutral" },
		"count":       func(f *Feedback) { f.Records[0].Row.Count = -1 },
	} {
		f := base()
		mut(f)
		err := f.Validate()
		if assert.Error(t, err, name) {
			assert.True(t, errors.Is(err, ErrFormat) || errors.Is(err, ErrIncomplete), "%s: %v", name, err)
			assert.True(t, strings.HasPrefix(err.Error(), "dmarc/report: "), "%s: %v", name, err)
			assert.Equal(t, 1, strings.Count(err.Error(), "dmarc/report:"), "%s: %v", name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"google-style.xml", "microsoft-style.xml", "rfc9990-style.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "reports", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, name := range []string{"google.eml", "mailru.eml", "outlook.eml", "xs4all.eml", "yahoo.eml"} {
		f.Add(reportAttachment(f, name)) // real zip and gzip reports
	}
	f.Add([]byte("<feedback><record><row><count>1</count></row></record></feedback>"))
	f.Add([]byte("<w><feedback><report_metadata><date_range><begin>1337270400.0</begin></date_range></report_metadata><record><row><policy_evaluated><dkim>Pass</dkim></policy_evaluated></row><identifiers><header_from>a\xe4.example</header_from></identifiers><ext a=\"1\"><y/></ext></record></feedback></w>"))
	f.Add([]byte("<!DOCTYPE feedback [<!ENTITY a \">\">]><?pi x?><feedback><!-- c --><extension><![CDATA[x]]></extension></feedback>"))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add([]byte("PK\x03\x04"))
	p := Parser{MaxBytes: 1 << 20, MaxCompressedBytes: 1 << 20, MaxRecords: 1000, MaxElements: 20000, MaxTokenBytes: 4096}
	f.Fuzz(func(t *testing.T, data []byte) {
		fb, err := p.Parse(bytes.NewReader(data))
		if err != nil {
			if fb != nil {
				t.Fatal("report and error both returned")
			}
			return
		}
		_ = fb.Validate()
		_ = fb.MessageCount()
		out, err := fb.Marshal()
		if err != nil {
			return // e.g. invalid XML names captured in extensions
		}
		if _, err := p.Parse(bytes.NewReader(out)); err != nil {
			t.Fatalf("re-parse of written report failed: %v\n%s", err, out)
		}
	})
}
