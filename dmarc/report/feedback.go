package report

import (
	"encoding/xml"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/dmarc"
)

// Namespace is the XML namespace of RFC 9990 aggregate reports.
// Reports in the RFC 7489 Appendix C format have no namespace.
const Namespace = "urn:ietf:params:xml:ns:dmarc-2.0"

// Version is the value of the RFC 9990 "version" element.
const Version = "1.0"

// Feedback is a DMARC aggregate report (RFC 9990 §2.1 and Appendix A; the
// RFC 7489 Appendix C schema is a subset, plus the historic pct element).
// Values are kept as strings where reporters disagree on spelling, so
// that a report from any major receiver parses; Validate checks the
// RFC 9990 rules.
type Feedback struct {
	// XMLName is the root element: "feedback" in Namespace (RFC
	// 9990) or in no namespace (RFC 7489).
	XMLName         xml.Name
	Version         string          `xml:"version,omitempty"`
	Metadata        Metadata        `xml:"report_metadata"`
	PolicyPublished PolicyPublished `xml:"policy_published"`
	Extension       *Extension      `xml:"extension,omitempty"`
	Records         []Record        `xml:"record"`
	// Warnings lists what the parser repaired or ignored to read the
	// report (invalid UTF-8 replaced with U+FFFD and where, bytes after
	// the gzip data); nil when nothing was. It is not written out.
	Warnings []string `xml:"-"`
}

// MarshalXML writes the report with its root element named by XMLName
// ("feedback" when unset), so an RFC 9990 report carries its namespace.
func (f Feedback) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	type plain Feedback
	p := plain(f)
	if p.XMLName.Local == "" {
		p.XMLName.Local = "feedback"
	}
	return e.Encode(p)
}

// Metadata describes the reporter (RFC 9990 §2.1.3).
type Metadata struct {
	OrgName          string    `xml:"org_name"`
	Email            string    `xml:"email"`
	ExtraContactInfo string    `xml:"extra_contact_info,omitempty"`
	ReportID         string    `xml:"report_id"`
	DateRange        DateRange `xml:"date_range"`
	Errors           []string  `xml:"error,omitempty"`
	Generator        string    `xml:"generator,omitempty"`
}

// DateRange is the reporting period in seconds since the epoch, UTC.
type DateRange struct {
	Begin int64 `xml:"begin"`
	End   int64 `xml:"end"`
}

// BeginTime returns Begin as a time.Time.
func (d DateRange) BeginTime() time.Time { return time.Unix(d.Begin, 0).UTC() }

// EndTime returns End as a time.Time.
func (d DateRange) EndTime() time.Time { return time.Unix(d.End, 0).UTC() }

// PolicyPublished is the policy the reporter found (RFC 9990 §2.1.5).
type PolicyPublished struct {
	Domain          string       `xml:"domain"`
	DiscoveryMethod string       `xml:"discovery_method,omitempty"` // "psl" or "treewalk"
	P               dmarc.Policy `xml:"p"`
	SP              dmarc.Policy `xml:"sp,omitempty"`
	NP              dmarc.Policy `xml:"np,omitempty"`
	FO              string       `xml:"fo,omitempty"`
	ADKIM           string       `xml:"adkim,omitempty"`
	ASPF            string       `xml:"aspf,omitempty"`
	Testing         string       `xml:"testing,omitempty"` // "y" or "n"
	// Percent is the historic pct element of RFC 7489 reports.
	Percent string `xml:"pct,omitempty"`
}

// Extension holds the report-level extension element verbatim.
type Extension struct {
	Inner []byte `xml:",innerxml"`
}

// AnyElement is a namespaced extension element inside a record.
type AnyElement struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   []byte     `xml:",innerxml"`
}

// Record is one row of results (RFC 9990 §2.1.7).
type Record struct {
	Row         Row          `xml:"row"`
	Identifiers Identifiers  `xml:"identifiers"`
	AuthResults AuthResults  `xml:"auth_results"`
	Extensions  []AnyElement `xml:",any"`
}

// Row is the source and the evaluated policy (RFC 9990 §2.1.8).
type Row struct {
	SourceIP        string          `xml:"source_ip"`
	Count           int64           `xml:"count"`
	PolicyEvaluated PolicyEvaluated `xml:"policy_evaluated"`
}

// SourceAddr parses SourceIP.
func (r Row) SourceAddr() (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(r.SourceIP))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: source_ip %q", ErrFormat, r.SourceIP)
	}
	return a, nil
}

// PolicyEvaluated is the outcome of DMARC for the row (RFC 9990 §2.1.9).
type PolicyEvaluated struct {
	Disposition string   `xml:"disposition"` // none, pass, quarantine, reject
	DKIM        string   `xml:"dkim"`        // pass or fail (aligned DKIM)
	SPF         string   `xml:"spf"`         // pass or fail (aligned SPF)
	Reasons     []Reason `xml:"reason,omitempty"`
}

// Reason is a policy override reason (RFC 9990 §2.1.14). Types:
// local_policy, mailing_list, other, policy_test_mode, trusted_forwarder;
// RFC 7489 also had forwarded and sampled_out.
type Reason struct {
	Type    string `xml:"type"`
	Comment string `xml:"comment,omitempty"`
}

// Identifiers are the domains of the row (RFC 9990 §2.1.10).
type Identifiers struct {
	EnvelopeTo   string `xml:"envelope_to,omitempty"`
	EnvelopeFrom string `xml:"envelope_from,omitempty"`
	HeaderFrom   string `xml:"header_from"`
}

// AuthResults are the raw SPF and DKIM results (RFC 9990 §2.1.11).
type AuthResults struct {
	DKIM []DKIMResult `xml:"dkim,omitempty"`
	SPF  []SPFResult  `xml:"spf,omitempty"`
}

// DKIMResult is one DKIM signature's result (RFC 9990 §2.1.12).
type DKIMResult struct {
	Domain      string `xml:"domain"`
	Selector    string `xml:"selector,omitempty"`
	Result      string `xml:"result"`
	HumanResult string `xml:"human_result,omitempty"`
}

// SPFResult is the SPF result (RFC 9990 §2.1.13).
type SPFResult struct {
	Domain      string `xml:"domain"`
	Scope       string `xml:"scope,omitempty"` // "mfrom" (RFC 7489 also "helo")
	Result      string `xml:"result"`
	HumanResult string `xml:"human_result,omitempty"`
}

// MessageCount returns the sum of the record counts.
func (f *Feedback) MessageCount() int64 {
	var n int64
	for _, r := range f.Records {
		n += r.Row.Count
	}
	return n
}

// Validate checks the elements RFC 9990 requires and the values it
// enumerates. Parsing does not call it: real reports often bend the rules.
func (f *Feedback) Validate() error {
	m := f.Metadata
	switch {
	case m.OrgName == "":
		return fmt.Errorf("%w: report_metadata/org_name", ErrIncomplete)
	case m.Email == "":
		return fmt.Errorf("%w: report_metadata/email", ErrIncomplete)
	case m.ReportID == "":
		return fmt.Errorf("%w: report_metadata/report_id", ErrIncomplete)
	case m.DateRange.End == 0 || m.DateRange.Begin > m.DateRange.End:
		return fmt.Errorf("%w: report_metadata/date_range %d-%d", ErrIncomplete, m.DateRange.Begin, m.DateRange.End)
	case f.PolicyPublished.Domain == "":
		return fmt.Errorf("%w: policy_published/domain", ErrIncomplete)
	case len(f.Records) == 0:
		return fmt.Errorf("%w: no record", ErrIncomplete)
	}
	if !oneOf(string(f.PolicyPublished.P), "none", "quarantine", "reject") {
		return fmt.Errorf("%w: policy_published/p %q", ErrFormat, f.PolicyPublished.P)
	}
	for i, r := range f.Records {
		if _, err := netip.ParseAddr(strings.TrimSpace(r.Row.SourceIP)); err != nil {
			return fmt.Errorf("%w: record %d: source_ip %q", ErrFormat, i+1, truncate(r.Row.SourceIP, 60))
		}
		pe := r.Row.PolicyEvaluated
		switch {
		case r.Row.Count < 0:
			return fmt.Errorf("%w: record %d: count %d", ErrFormat, i+1, r.Row.Count)
		case r.Identifiers.HeaderFrom == "":
			return fmt.Errorf("%w: record %d: identifiers/header_from", ErrIncomplete, i+1)
		case !oneOf(pe.Disposition, "none", "pass", "quarantine", "reject"):
			return fmt.Errorf("%w: record %d: disposition %q", ErrFormat, i+1, pe.Disposition)
		case !oneOf(pe.DKIM, "pass", "fail") || !oneOf(pe.SPF, "pass", "fail"):
			return fmt.Errorf("%w: record %d: policy_evaluated dkim %q spf %q", ErrFormat, i+1, pe.DKIM, pe.SPF)
		}
	}
	return nil
}
