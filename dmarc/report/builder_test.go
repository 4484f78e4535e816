package report

import (
	"bytes"
	"context"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuilder(t *testing.T) {
	rec, err := dmarc.Parse("v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:d@example.com")
	require.NoError(t, err)
	b := &Builder{
		OrgName: "mailsmith test", Email: "postmaster@receiver.example", ReportID: "r-1", Generator: "mailsmith dmarc",
		Begin: time.Unix(1764460800, 0), End: time.Unix(1764547199, 0),
	}
	_, err = b.Feedback()
	assert.ErrorIs(t, err, ErrIncomplete, "no policy, no records")
	b.SetPolicy("example.com", rec, dmarc.TreeWalk)

	ip1 := netip.MustParseAddr("192.0.2.1")
	ip2 := netip.MustParseAddr("::ffff:192.0.2.2")
	pass := Message{SourceIP: ip1, HeaderFrom: "Example.COM.", EnvelopeFrom: "example.com", Disposition: "none", DKIMAligned: true, SPFAligned: true,
		DKIM: []DKIMResult{{Domain: "example.com", Selector: "s1", Result: "pass"}}, SPF: &SPFResult{Domain: "example.com", Scope: "mfrom", Result: "pass"}}
	for range 3 {
		b.Add(pass)
	}
	fail := Message{SourceIP: ip2, HeaderFrom: "example.com", Disposition: "reject", Count: 4,
		SPF: &SPFResult{Domain: "evil.example.net", Scope: "mfrom", Result: "fail"}}
	b.Add(fail)
	b.Add(fail)
	v := dmarc.Verdict{Result: dmarc.Fail, Disposition: dmarc.PolicyQuarantine, Testing: true, FromDomain: "www.example.com"}
	b.Add(NewMessage(v, ip1))
	assert.Equal(t, 3, b.Len())

	f, err := b.Feedback()
	require.NoError(t, err)
	assert.Equal(t, Namespace, f.XMLName.Space)
	assert.Equal(t, PolicyPublished{Domain: "example.com", DiscoveryMethod: "treewalk", P: dmarc.PolicyReject, SP: dmarc.PolicyQuarantine,
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

	g, err := Parse(strings.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, f, g)

	var gz bytes.Buffer
	require.NoError(t, f.WriteGzip(&gz))
	h, err := Parse(&gz)
	require.NoError(t, err)
	assert.Equal(t, f, h)
}

func TestBuilderFromCheck(t *testing.T) {
	c := &dmarc.Checker{Resolver: dnstest.NewMemory(t, `_dmarc.example.com. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:agg@example.com"`)}
	b := &Builder{OrgName: "r", Email: "r@receiver.example", ReportID: "1", Begin: time.Unix(0, 0), End: time.Unix(86399, 0)}
	for i, in := range []dmarc.Input{
		{FromDomain: "example.com", DKIMDomains: []string{"example.com"}},
		{FromDomain: "example.com", SPFDomain: "example.net", SPFPass: true},
		{FromDomain: "example.com", DKIMDomains: []string{"example.com"}},
	} {
		v, err := c.Check(context.Background(), in)
		require.NoError(t, err)
		if i == 0 {
			b.SetPolicy(v.PolicyDomain, v.Record, c.Discovery)
		}
		m := NewMessage(v, netip.MustParseAddr("192.0.2.5"))
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

func TestBuilderDKIMOrder(t *testing.T) {
	b := &Builder{OrgName: "r", Email: "r@x.example", ReportID: "1", Begin: time.Unix(0, 0), End: time.Unix(1, 0)}
	b.SetPolicy("example.com", &dmarc.Record{Policy: dmarc.PolicyNone}, dmarc.PSL)
	var sigs []DKIMResult
	sigs = append(sigs, DKIMResult{Domain: "bad.example", Selector: "a", Result: "fail"})
	for i := range 150 {
		sigs = append(sigs, DKIMResult{Domain: "other.example", Selector: strconv.Itoa(i), Result: "pass"})
	}
	sigs = append(sigs, DKIMResult{Domain: "mail.example.com", Selector: "r", Result: "pass"}, DKIMResult{Domain: "Example.com", Selector: "s", Result: "pass"})
	b.Add(Message{SourceIP: netip.MustParseAddr("192.0.2.1"), HeaderFrom: "example.com", Disposition: "none", DKIMAligned: true, DKIM: sigs})
	f, err := b.Feedback()
	require.NoError(t, err)
	got := f.Records[0].AuthResults.DKIM
	require.Len(t, got, MaxDKIMResults)
	assert.Equal(t, "s", got[0].Selector)
	assert.Equal(t, "r", got[1].Selector)
	assert.Equal(t, "0", got[2].Selector)
	for _, r := range got {
		assert.NotEqual(t, "fail", r.Result)
	}
}

func TestFilename(t *testing.T) {
	b, e := time.Unix(1013662812, 0), time.Unix(1013749130, 0)
	assert.Equal(t, "mail.receiver.example!example.com!1013662812!1013749130.xml.gz", Filename("mail.receiver.example", "example.com", b, e, "", true))
	assert.Equal(t, "r.example!example.com!1013662812!1013749130!abc123.xml", Filename("R.example.", "Example.com", b, e, "abc-123", false))
}
