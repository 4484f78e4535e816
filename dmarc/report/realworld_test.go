package report

// Aggregate reports as real receivers send them (issue 12 point 2): each
// case is a shape met in the wild that the parser must read.

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testmail"
)

// wildReport fills a minimal report; meta, policy and record replace the
// parts.
func wildReport(root, meta, record string) string {
	if meta == "" {
		meta = `<report_metadata><org_name>r.example</org_name><email>d@r.example</email><report_id>1</report_id>
<date_range><begin>1337270400</begin><end>1337356799</end></date_range></report_metadata>`
	}
	if record == "" {
		record = `<record><row><source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
<identifiers><header_from>example.com</header_from></identifiers>
<auth_results><dkim><domain>example.com</domain><result>pass</result></dkim><spf><domain>example.com</domain><result>fail</result></spf></auth_results></record>`
	}
	if root == "" {
		root = "<feedback>"
	}
	end := "</feedback>"
	if i := strings.IndexAny(root[1:], " >"); strings.HasPrefix(root, "<") && i >= 0 {
		end = "</" + root[1:1+i] + ">"
	}
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + root + meta +
		`<policy_published><domain>example.com</domain><p>reject</p></policy_published>` + record + end
}

func TestParseInTheWild(t *testing.T) {
	t.Run("fractional timestamps", func(t *testing.T) {
		f, err := Parse(strings.NewReader(wildReport("", `<report_metadata><org_name>r</org_name><email>d@r.example</email><report_id>1</report_id>
<date_range><begin>1337270400.0</begin><end> 1337356799.999 </end></date_range></report_metadata>`, "")))
		require.NoError(t, err)
		assert.Equal(t, int64(1337270400), f.Metadata.DateRange.Begin)
		assert.Equal(t, int64(1337356799), f.Metadata.DateRange.End)
		require.NoError(t, f.Validate())
	})
	t.Run("result words in other cases", func(t *testing.T) {
		f, err := Parse(strings.NewReader(wildReport("", "", `<record><row><source_ip>192.0.2.1</source_ip><count>1</count>
<policy_evaluated><disposition>None</disposition><dkim>Pass</dkim><spf>FAIL</spf><reason><type>Forwarded</type></reason></policy_evaluated></row>
<identifiers><header_from>example.com</header_from></identifiers>
<auth_results><dkim><domain>example.com</domain><result>Pass</result></dkim><spf><domain>example.com</domain><scope>MFROM</scope><result>SoftFail</result></spf></auth_results></record>`)))
		require.NoError(t, err)
		r := f.Records[0]
		assert.Equal(t, PolicyEvaluated{Disposition: "none", DKIM: "pass", SPF: "fail", Reasons: []Reason{{Type: "forwarded"}}}, r.Row.PolicyEvaluated)
		assert.Equal(t, "pass", r.AuthResults.DKIM[0].Result)
		assert.Equal(t, SPFResult{Domain: "example.com", Scope: "mfrom", Result: "softfail"}, r.AuthResults.SPF[0])
		require.NoError(t, f.Validate())
	})
	t.Run("namespaces", func(t *testing.T) {
		for _, root := range []string{
			`<feedback>`,
			`<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">`,
			`<feedback xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`,
		} {
			f, err := Parse(strings.NewReader(wildReport(root, "", "")))
			require.NoError(t, err, root)
			assert.Equal(t, int64(3), f.MessageCount(), root)
		}
		// A prefixed root, its children unprefixed in no namespace.
		doc := `<d:feedback xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0"><d:report_metadata><d:org_name>r</d:org_name></d:report_metadata>
<d:record><d:row><d:count>4</d:count></d:row></d:record></d:feedback>`
		f, err := Parse(strings.NewReader(doc))
		require.NoError(t, err)
		assert.Equal(t, Namespace, f.XMLName.Space)
		assert.Equal(t, "r", f.Metadata.OrgName)
		assert.Equal(t, int64(4), f.MessageCount())
	})
	t.Run("empty elements", func(t *testing.T) {
		f, err := Parse(strings.NewReader(wildReport("", `<report_metadata><org_name>r</org_name><email/><extra_contact_info></extra_contact_info><report_id>1</report_id>
<date_range><begin/><end>1337356799</end></date_range><error/></report_metadata>`, `<record><row><source_ip>192.0.2.1</source_ip><count/>
<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf><reason/></policy_evaluated></row>
<identifiers><envelope_to/><envelope_from></envelope_from><header_from>example.com</header_from></identifiers>
<auth_results><dkim><domain>example.com</domain><selector/><result>pass</result><human_result/></dkim><spf/></auth_results></record>`)))
		require.NoError(t, err)
		assert.Equal(t, int64(0), f.Metadata.DateRange.Begin)
		assert.Equal(t, []string{""}, f.Metadata.Errors)
		r := f.Records[0]
		assert.Equal(t, int64(0), r.Row.Count)
		assert.Equal(t, []Reason{{}}, r.Row.PolicyEvaluated.Reasons)
		assert.Equal(t, []DKIMResult{{Domain: "example.com", Result: "pass"}}, r.AuthResults.DKIM)
		assert.Equal(t, []SPFResult{{}}, r.AuthResults.SPF)
	})
	t.Run("stray outer elements", func(t *testing.T) {
		for _, doc := range []string{
			"<report>" + strings.TrimPrefix(wildReport("", "", ""), `<?xml version="1.0" encoding="UTF-8"?>`+"\n") + "</report>",
			`<?xml version="1.0"?><envelope><body><!-- c --><feedback><record><row><count>3</count></row></record></feedback></body></envelope>`,
		} {
			f, err := Parse(strings.NewReader(doc))
			require.NoError(t, err, doc)
			assert.Equal(t, int64(3), f.MessageCount())
		}
		_, err := Parse(strings.NewReader(`<report><body/></report>`))
		assert.ErrorIs(t, err, ErrFormat)
		assert.ErrorContains(t, err, "no <feedback> element")
	})
	t.Run("invalid UTF-8 in a domain", func(t *testing.T) {
		doc := wildReport("", "", strings.Replace(wildReport("", "", "")[strings.Index(wildReport("", "", ""), "<record>"):strings.Index(wildReport("", "", ""), "</record>")+9],
			"<header_from>example.com", "<header_from>ex\xe4mple.com", 1))
		f, err := Parse(strings.NewReader(doc))
		require.NoError(t, err)
		assert.Equal(t, "ex\uFFFDmple.com", f.Records[0].Identifiers.HeaderFrom)
		require.Len(t, f.Warnings, 1)
		assert.Contains(t, f.Warnings[0], "invalid UTF-8 in <header_from> in record 1")
		// Gzipped, and a truncated multi-byte sequence at the very end
		// of a value.
		doc = strings.Replace(wildReport("", "", ""), "<domain>example.com</domain>", "<domain>example.com\xc3</domain>", 1)
		f, err = Parse(bytes.NewReader(testmail.Gzip(t, []byte(doc))))
		require.NoError(t, err)
		assert.Equal(t, "example.com\uFFFD", f.PolicyPublished.Domain)
		assert.Len(t, f.Warnings, 1)
		// A valid document gets no warning; Latin-1 declared is converted.
		f, err = Parse(strings.NewReader(wildReport("", "", "")))
		require.NoError(t, err)
		assert.Nil(t, f.Warnings)
	})
	t.Run("gzip followed by trailing bytes", func(t *testing.T) {
		gz := testmail.Gzip(t, []byte(wildReport("", "", "")))
		for name, tail := range map[string][]byte{
			"zero padding": make([]byte, 512),
			"junk":         []byte("\r\n--boundary--\r\n"),
			"broken magic": {0x1f, 0x8b, 0, 0},
		} {
			f, err := Parse(bytes.NewReader(append(bytes.Clone(gz), tail...)))
			require.NoError(t, err, name)
			assert.Equal(t, int64(3), f.MessageCount(), name)
			assert.Equal(t, []string{"bytes after the gzip data ignored"}, f.Warnings, name)
		}
		// Two members make one stream (RFC 1952 §2.2).
		doc := wildReport("", "", "")
		two := append(testmail.Gzip(t, []byte(doc[:100])), testmail.Gzip(t, []byte(doc[100:]))...)
		f, err := Parse(bytes.NewReader(two))
		require.NoError(t, err)
		assert.Equal(t, int64(3), f.MessageCount())
		assert.Nil(t, f.Warnings)
	})
	t.Run("empty file", func(t *testing.T) {
		for name, data := range map[string][]byte{
			"no bytes":    nil,
			"empty gzip":  testmail.Gzip(t, nil),
			"empty zip":   testmail.Zip(t, map[string][]byte{"r.xml": nil}),
			"white space": []byte(" \r\n\t"),
		} {
			f, err := Parse(bytes.NewReader(data))
			assert.Nil(t, f, name)
			assert.ErrorIs(t, err, ErrEmpty, name)
			assert.ErrorIs(t, err, ErrFormat, name)
			assert.ErrorContains(t, err, "empty", name)
		}
	})
}

// TestLatin1AfterWhiteSpace: a Latin-1 declaration after leading
// white space still converts (no U+FFFD, no warning).
func TestLatin1AfterWhiteSpace(t *testing.T) {
	doc := "\r\n" + `<?xml version="1.0" encoding="ISO-8859-1"?><feedback><report_metadata><org_name>R` + "\xe9" + `cepteur</org_name></report_metadata></feedback>`
	f, err := Parse(strings.NewReader(doc))
	require.NoError(t, err)
	assert.Equal(t, "Récepteur", f.Metadata.OrgName)
	assert.Nil(t, f.Warnings)
	_, err = Parse(strings.NewReader(""))
	assert.EqualError(t, err, "dmarc/report: report is empty: the input has no bytes")
}
