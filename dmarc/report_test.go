package dmarc

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reports", name))
	require.NoError(t, err)
	return b
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func zipBytes(t testing.TB, files map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// bomb compresses 3 MiB of text that would decompress past a 1 MiB
// limit; the zip variant lies about its uncompressed size in the headers,
// so only the cap on bytes actually read can stop it.
func bomb(t testing.TB, asZip bool) []byte {
	payload := append([]byte("<feedback><report_metadata><org_name>"), bytes.Repeat([]byte("A"), 3<<20)...)
	if !asZip {
		return gzipBytes(t, payload)
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
		"gzip": gzipBytes(t, b),
		"zip":  zipBytes(t, map[string][]byte{strings.TrimSuffix(name, ".xml") + ".xml": b}),
	}
}

func TestParseReportSamples(t *testing.T) {
	type want struct {
		org, email, id, domain string
		begin, end             int64
		p, sp, np              Policy
		records                int
		messages               int64
		first                  ReportRecord
		namespace              string
	}
	tests := map[string]want{
		"google-style.xml": {
			org: "google.com", email: "noreply-dmarc-support@google.com", id: "4312257963015524870", domain: "example.com",
			begin: 1764460800, end: 1764547199, p: PolicyReject, sp: PolicyReject, np: PolicyReject, records: 2, messages: 45,
			first: ReportRecord{
				Row:         Row{SourceIP: "192.0.2.10", Count: 42, PolicyEvaluated: PolicyEvaluated{Disposition: "none", DKIM: "pass", SPF: "pass"}},
				Identifiers: Identifiers{HeaderFrom: "example.com"},
				AuthResults: AuthResults{
					DKIM: []DKIMAuthResult{{Domain: "example.com", Selector: "s2025", Result: "pass"}},
					SPF:  []SPFAuthResult{{Domain: "bounce.example.com", Result: "pass"}},
				},
			},
		},
		"microsoft-style.xml": {
			org: "Enterprise Outlook", email: "dmarcreport@microsoft.com", id: "9a1c5e1b2f3d4c7e8a6b0d9c8e7f6a5b", domain: "example.org",
			begin: 1764374400, end: 1764460800, p: PolicyQuarantine, sp: PolicyNone, records: 2, messages: 6,
			first: ReportRecord{
				Row:         Row{SourceIP: "198.51.100.7", Count: 1, PolicyEvaluated: PolicyEvaluated{Disposition: "quarantine", DKIM: "fail", SPF: "fail"}},
				Identifiers: Identifiers{EnvelopeTo: "contoso.example", EnvelopeFrom: "list.example.net", HeaderFrom: "example.org"},
				AuthResults: AuthResults{
					DKIM: []DKIMAuthResult{{Domain: "example.org", Selector: "selector1", Result: "fail"}},
					SPF:  []SPFAuthResult{{Domain: "list.example.net", Scope: "mfrom", Result: "pass"}},
				},
			},
		},
		"yahoo-style.xml": {
			org: "Yahoo", email: "dmarchelp@yahooinc.com", id: "1764460800.734205", domain: "example.net",
			begin: 1764374400, end: 1764460799, p: PolicyNone, records: 1, messages: 12,
			first: ReportRecord{
				Row:         Row{SourceIP: "203.0.113.44", Count: 12, PolicyEvaluated: PolicyEvaluated{Disposition: "none", DKIM: "pass", SPF: "fail"}},
				Identifiers: Identifiers{HeaderFrom: "news.example.net"},
				AuthResults: AuthResults{
					DKIM: []DKIMAuthResult{{Domain: "example.net", Selector: "y1", Result: "pass"}, {Domain: "esp.example", Selector: "k1", Result: "pass"}},
					SPF:  []SPFAuthResult{{Domain: "esp.example", Result: "pass"}},
				},
			},
		},
		"rfc9990-style.xml": {
			org: "Receiver Example", email: "dmarc-reports@receiver.example", id: "<20261130.1@receiver.example>", domain: "example.com",
			begin: 1764460800, end: 1764547199, p: PolicyReject, sp: PolicyQuarantine, np: PolicyReject, records: 1, messages: 7,
			namespace: ReportNamespace,
			first: ReportRecord{
				Row: Row{SourceIP: "192.0.2.99", Count: 7, PolicyEvaluated: PolicyEvaluated{Disposition: "quarantine", DKIM: "fail", SPF: "fail",
					Reasons: []Reason{{Type: "policy_test_mode", Comment: "t=y lowered reject"}}}},
				Identifiers: Identifiers{EnvelopeTo: "receiver.example", HeaderFrom: "mail.example.com"},
				AuthResults: AuthResults{
					DKIM: []DKIMAuthResult{{Domain: "mail.example.com", Selector: "2026a", Result: "fail", HumanResult: "body hash did not verify"}},
					SPF:  []SPFAuthResult{{Domain: "mail.example.com", Scope: "mfrom", Result: "temperror"}},
				},
			},
		},
	}
	for name, w := range tests {
		for kind, data := range containers(t, name, readSample(t, name)) {
			t.Run(name+"/"+kind, func(t *testing.T) {
				f, err := ParseReport(bytes.NewReader(data))
				require.NoError(t, err)
				require.NoError(t, f.Validate())
				m := f.ReportMetadata
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

func TestParseReportDetails(t *testing.T) {
	f, err := ParseReport(bytes.NewReader(readSample(t, "rfc9990-style.xml")))
	require.NoError(t, err)
	assert.Equal(t, "1.0", f.Version)
	assert.Equal(t, "treewalk", f.PolicyPublished.DiscoveryMethod)
	assert.Equal(t, "y", f.PolicyPublished.Testing)
	assert.Equal(t, "Example MTA 4.2", f.ReportMetadata.Generator)
	assert.Equal(t, []string{"Multiple DMARC Policy Records at _dmarc.old.example.com"}, f.ReportMetadata.Errors)
	require.NotNil(t, f.Extension)
	assert.Contains(t, string(f.Extension.Inner), "arc-override")
	require.Len(t, f.Records[0].Extensions, 1)
	assert.Equal(t, "arc-results", f.Records[0].Extensions[0].XMLName.Local)
	assert.Equal(t, "https://ext.example/arc-1", f.Records[0].Extensions[0].XMLName.Space)
	ip, err := f.Records[0].Row.SourceAddr()
	require.NoError(t, err)
	assert.Equal(t, netip.MustParseAddr("192.0.2.99"), ip)
	assert.Equal(t, time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC), f.ReportMetadata.DateRange.BeginTime())

	l1, err := ParseReport(bytes.NewReader(readSample(t, "latin1.xml")))
	require.NoError(t, err)
	assert.Equal(t, "Recépteur", l1.ReportMetadata.OrgName)
}

// TestReportRoundTrip: parse, write, parse again gives the same report.
func TestReportRoundTrip(t *testing.T) {
	for _, name := range []string{"google-style.xml", "microsoft-style.xml", "yahoo-style.xml", "rfc9990-style.xml", "latin1.xml"} {
		t.Run(name, func(t *testing.T) {
			f, err := ParseReport(bytes.NewReader(readSample(t, name)))
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, f.WriteGzip(&buf))
			g, err := ParseReport(&buf)
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

func TestReportParseErrors(t *testing.T) {
	valid := readSample(t, "yahoo-style.xml")
	tests := []struct {
		name string
		p    ReportParser
		data []byte
		want error
	}{
		{"empty", ReportParser{}, nil, ErrReportFormat},
		{"not XML", ReportParser{}, []byte("hello"), ErrReportFormat},
		{"wrong root", ReportParser{}, []byte("<html><body/></html>"), ErrReportFormat},
		{"truncated", ReportParser{}, valid[:len(valid)/2], ErrReportFormat},
		{"bad number", ReportParser{}, bytes.Replace(valid, []byte("<count>12</count>"), []byte("<count>many</count>"), 1), ErrReportFormat},
		{"entity expansion refused", ReportParser{}, []byte(`<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa">]><feedback><report_metadata><org_name>&a;</org_name></report_metadata></feedback>`), ErrReportFormat},
		{"unknown charset", ReportParser{}, []byte(`<?xml version="1.0" encoding="EBCDIC"?><feedback/>`), ErrReportFormat},
		{"XML over the limit", ReportParser{MaxBytes: 500}, valid, ErrReportTooLarge},
		{"gzip over the decompressed limit", ReportParser{MaxBytes: 500}, gzipBytes(t, valid), ErrReportTooLarge},
		{"gzip bomb", ReportParser{MaxBytes: 1 << 20}, bomb(t, false), ErrReportTooLarge},
		// archive/zip stops at the declared size and reports a format error.
		{"zip bomb lying about its size", ReportParser{MaxBytes: 1 << 20}, bomb(t, true), ErrReportFormat},
		{"zip bomb, declared size honest", ReportParser{MaxBytes: 1 << 20}, zipBytes(t, map[string][]byte{"r.xml": bytes.Repeat([]byte(" "), 2<<20)}), ErrReportTooLarge},
		{"compressed input over the limit", ReportParser{MaxCompressedBytes: 100}, gzipBytes(t, valid), ErrReportTooLarge},
		{"zip input over the limit", ReportParser{MaxCompressedBytes: 100}, zipBytes(t, map[string][]byte{"r.xml": valid}), ErrReportTooLarge},
		{"too many zip entries", ReportParser{MaxZipEntries: 2}, zipBytes(t, map[string][]byte{"a.xml": valid, "b.txt": nil, "c.txt": nil}), ErrReportTooLarge},
		{"zip without xml", ReportParser{}, zipBytes(t, map[string][]byte{"a.txt": valid, "b.txt": valid}), ErrReportFormat},
		{"broken gzip", ReportParser{}, []byte{0x1f, 0x8b, 0, 0, 1, 2, 3}, ErrReportFormat},
		{"broken zip", ReportParser{}, []byte("PK\x03\x04garbage"), ErrReportFormat},
		{"too many records", ReportParser{MaxRecords: 1}, readSample(t, "google-style.xml"), ErrReportTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := tt.p.Parse(bytes.NewReader(tt.data))
			assert.Nil(t, f)
			assert.ErrorIs(t, err, tt.want)
		})
	}
	// A zip holding a single file with another extension is accepted.
	f, err := ParseReport(bytes.NewReader(zipBytes(t, map[string][]byte{"report": valid})))
	require.NoError(t, err)
	assert.Equal(t, "Yahoo", f.ReportMetadata.OrgName)
}

func TestReportValidate(t *testing.T) {
	base := func() *Feedback {
		f, err := ParseReport(bytes.NewReader(readSample(t, "yahoo-style.xml")))
		require.NoError(t, err)
		return f
	}
	require.NoError(t, base().Validate())
	for name, mut := range map[string]func(f *Feedback){
		"org_name":    func(f *Feedback) { f.ReportMetadata.OrgName = "" },
		"email":       func(f *Feedback) { f.ReportMetadata.Email = "" },
		"report_id":   func(f *Feedback) { f.ReportMetadata.ReportID = "" },
		"date_range":  func(f *Feedback) { f.ReportMetadata.DateRange.Begin = f.ReportMetadata.DateRange.End + 1 },
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
		assert.Error(t, f.Validate(), name)
	}
}

func TestReportBuilder(t *testing.T) {
	rec, err := Parse("v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:d@example.com")
	require.NoError(t, err)
	b := &ReportBuilder{
		OrgName: "mailsmith test", Email: "postmaster@receiver.example", ReportID: "r-1", Generator: "mailsmith dmarc",
		Begin: time.Unix(1764460800, 0), End: time.Unix(1764547199, 0),
	}
	_, err = b.Feedback()
	assert.ErrorIs(t, err, ErrReportIncomplete, "no policy, no records")
	b.SetPolicy("example.com", rec, TreeWalk)

	ip1 := netip.MustParseAddr("192.0.2.1")
	ip2 := netip.MustParseAddr("::ffff:192.0.2.2")
	pass := ReportMessage{SourceIP: ip1, HeaderFrom: "Example.COM.", EnvelopeFrom: "example.com", Disposition: "none", DKIMAligned: true, SPFAligned: true,
		DKIM: []DKIMAuthResult{{Domain: "example.com", Selector: "s1", Result: "pass"}}, SPF: &SPFAuthResult{Domain: "example.com", Scope: "mfrom", Result: "pass"}}
	for range 3 {
		b.Add(pass)
	}
	fail := ReportMessage{SourceIP: ip2, HeaderFrom: "example.com", Disposition: "reject", Count: 4,
		SPF: &SPFAuthResult{Domain: "evil.example.net", Scope: "mfrom", Result: "fail"}}
	b.Add(fail)
	b.Add(fail)
	v := Verdict{Result: Fail, Disposition: PolicyQuarantine, Testing: true, FromDomain: "www.example.com"}
	b.Add(v.ReportMessage(ip1))
	assert.Equal(t, 3, b.Len())

	f, err := b.Feedback()
	require.NoError(t, err)
	assert.Equal(t, ReportNamespace, f.XMLName.Space)
	assert.Equal(t, PolicyPublished{Domain: "example.com", DiscoveryMethod: "treewalk", P: PolicyReject, SP: PolicyQuarantine,
		FO: "0", ADKIM: "s", ASPF: "r", Testing: "n"}, f.PolicyPublished)
	require.Len(t, f.Records, 3)
	assert.Equal(t, int64(3), f.Records[0].Row.Count)
	assert.Equal(t, "example.com", f.Records[0].Identifiers.HeaderFrom)
	assert.Equal(t, "192.0.2.2", f.Records[1].Row.SourceIP)
	assert.Equal(t, int64(8), f.Records[1].Row.Count)
	assert.Equal(t, PolicyEvaluated{Disposition: "fail", DKIM: "fail", SPF: "fail"}.DKIM, f.Records[1].Row.PolicyEvaluated.DKIM)
	assert.Equal(t, []Reason{{Type: "policy_test_mode"}}, f.Records[2].Row.PolicyEvaluated.Reasons)
	assert.Equal(t, "quarantine", f.Records[2].Row.PolicyEvaluated.Disposition)
	assert.Equal(t, int64(12), f.MessageCount())

	var buf bytes.Buffer
	require.NoError(t, f.WriteXML(&buf))
	out := buf.String()
	assert.True(t, strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`), out)
	assert.Contains(t, out, `<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">`)
	// RFC 9990 element order: version, report_metadata, policy_published, record.
	iv, im, ip, ir := strings.Index(out, "<version>"), strings.Index(out, "<report_metadata>"), strings.Index(out, "<policy_published>"), strings.Index(out, "<record>")
	assert.True(t, iv < im && im < ip && ip < ir, out)
	// row, identifiers, auth_results; disposition, dkim, spf.
	assert.Regexp(t, `(?s)<row>.*</row>\s*<identifiers>.*</identifiers>\s*<auth_results>`, out)
	assert.Regexp(t, `(?s)<disposition>none</disposition>\s*<dkim>pass</dkim>\s*<spf>pass</spf>`, out)

	g, err := ParseReport(strings.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, f, g)

	var gz bytes.Buffer
	require.NoError(t, f.WriteGzip(&gz))
	h, err := ParseReport(&gz)
	require.NoError(t, err)
	assert.Equal(t, f, h)
}

func TestReportBuilderFromCheck(t *testing.T) {
	_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; rua=mailto:agg@example.com"))
	b := &ReportBuilder{OrgName: "r", Email: "r@receiver.example", ReportID: "1", Begin: time.Unix(0, 0), End: time.Unix(86399, 0)}
	for i, in := range []Input{
		{FromDomain: "example.com", DKIMDomains: []string{"example.com"}},
		{FromDomain: "example.com", SPFDomain: "example.net", SPFPass: true},
		{FromDomain: "example.com", DKIMDomains: []string{"example.com"}},
	} {
		v, err := c.Check(ctx(t), in)
		require.NoError(t, err)
		if i == 0 {
			b.SetPolicy(v.PolicyDomain, v.Record, c.Discovery)
		}
		m := v.ReportMessage(netip.MustParseAddr("192.0.2.5"))
		m.EnvelopeFrom = in.SPFDomain
		b.Add(m)
	}
	f, err := b.Feedback()
	require.NoError(t, err)
	require.Len(t, f.Records, 2)
	assert.Equal(t, int64(2), f.Records[0].Row.Count)
	assert.Equal(t, "pass", f.Records[0].Row.PolicyEvaluated.DKIM)
	assert.Equal(t, "reject", f.Records[1].Row.PolicyEvaluated.Disposition)
}

func TestReportBuilderDKIMOrder(t *testing.T) {
	b := &ReportBuilder{OrgName: "r", Email: "r@x.example", ReportID: "1", Begin: time.Unix(0, 0), End: time.Unix(1, 0)}
	b.SetPolicy("example.com", &Record{Policy: PolicyNone}, PSL)
	var sigs []DKIMAuthResult
	sigs = append(sigs, DKIMAuthResult{Domain: "bad.example", Selector: "a", Result: "fail"})
	for i := range 150 {
		sigs = append(sigs, DKIMAuthResult{Domain: "other.example", Selector: strconv.Itoa(i), Result: "pass"})
	}
	sigs = append(sigs, DKIMAuthResult{Domain: "mail.example.com", Selector: "r", Result: "pass"}, DKIMAuthResult{Domain: "Example.com", Selector: "s", Result: "pass"})
	b.Add(ReportMessage{SourceIP: netip.MustParseAddr("192.0.2.1"), HeaderFrom: "example.com", Disposition: "none", DKIMAligned: true, DKIM: sigs})
	f, err := b.Feedback()
	require.NoError(t, err)
	got := f.Records[0].AuthResults.DKIM
	require.Len(t, got, MaxReportDKIMResults)
	assert.Equal(t, "s", got[0].Selector)
	assert.Equal(t, "r", got[1].Selector)
	assert.Equal(t, "0", got[2].Selector)
	for _, r := range got {
		assert.NotEqual(t, "fail", r.Result)
	}
}

func TestReportFilename(t *testing.T) {
	b, e := time.Unix(1013662812, 0), time.Unix(1013749130, 0)
	assert.Equal(t, "mail.receiver.example!example.com!1013662812!1013749130.xml.gz", ReportFilename("mail.receiver.example", "example.com", b, e, "", true))
	assert.Equal(t, "r.example!example.com!1013662812!1013749130!abc123.xml", ReportFilename("R.example.", "Example.com", b, e, "abc-123", false))
}

func FuzzParseReport(f *testing.F) {
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
	p := ReportParser{MaxBytes: 1 << 20, MaxCompressedBytes: 1 << 20, MaxRecords: 1000, MaxElements: 20000, MaxTokenBytes: 4096}
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
