package report

import (
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/dmarc"
)

// Message is one evaluated message (or several identical ones) to
// add to an aggregate report.
type Message struct {
	SourceIP     netip.Addr
	HeaderFrom   string // RFC5322.From domain
	EnvelopeFrom string // RFC5321.MailFrom domain ("" for a null path)
	EnvelopeTo   string // RFC5321.RcptTo domain (optional)
	// Disposition applied: none, quarantine or reject (RFC 9990 also
	// allows "pass").
	Disposition string
	DKIMAligned bool // policy_evaluated/dkim pass
	SPFAligned  bool // policy_evaluated/spf pass
	Reasons     []Reason
	DKIM        []DKIMResult // raw DKIM results
	SPF         *SPFResult   // raw SPF result (MAIL FROM)
	Count       int64        // messages; 0 means 1
}

// NewMessage turns a DMARC verdict into a Message: the disposition, the
// alignment results, and a policy_test_mode (t=y) or sampled_out (pct)
// reason when the disposition was lowered. The raw results and the
// envelope are the caller's to add.
func NewMessage(v dmarc.Verdict, ip netip.Addr) Message {
	m := Message{
		SourceIP:    ip,
		HeaderFrom:  v.FromDomain,
		Disposition: string(v.Disposition),
		DKIMAligned: v.DKIMAligned,
		SPFAligned:  v.SPFAligned,
	}
	if m.Disposition == "" {
		m.Disposition = string(dmarc.PolicyNone)
	}
	switch {
	case v.Testing:
		m.Reasons = append(m.Reasons, Reason{Type: "policy_test_mode"})
	case v.SampledOut:
		m.Reasons = append(m.Reasons, Reason{Type: "sampled_out"})
	}
	return m
}

// Builder accumulates evaluated messages for one Policy Domain and
// reporting period and produces an RFC 9990 report. Identical messages
// (same source, identifiers, evaluation and raw results) share a record
// whose count grows. The zero value is ready; set the metadata fields and
// call SetPolicy before Feedback. Not safe for concurrent use.
type Builder struct {
	OrgName          string // reporting organization
	Email            string // reporter contact
	ExtraContactInfo string
	ReportID         string // unique among reports to the domain
	Generator        string // e.g. "mailsmith dmarc"
	Begin, End       time.Time
	Errors           []string

	policy  PolicyPublished
	records []Record
	index   map[string]int
}

// SetPolicy records the policy the messages were evaluated against: the
// record, where it was found, and the discovery method. Unspecified tags
// get their default values (RFC 9990 §2.1.5).
func (b *Builder) SetPolicy(policyDomain string, r *dmarc.Record, d dmarc.Discovery) {
	pp := PolicyPublished{Domain: policyDomain, DiscoveryMethod: d.String(), P: dmarc.PolicyNone}
	if r != nil {
		if asNone, ok := r.PolicyUsable(); ok && !asNone {
			pp.P = r.Policy
			pp.SP = r.SubdomainPolicy
			if pp.SP == "" {
				pp.SP = r.Policy
			}
			pp.NP = r.NonExistentPolicy
		}
		pp.ADKIM = string(r.EffectiveDKIMAlignment())
		pp.ASPF = string(r.EffectiveSPFAlignment())
		pp.FO = r.EffectiveFailureOptions()
		pp.Testing = "n"
		if r.Testing {
			pp.Testing = "y"
		}
	}
	b.policy = pp
}

// Add accumulates one message.
func (b *Builder) Add(m Message) {
	count := m.Count
	if count <= 0 {
		count = 1
	}
	rec := Record{
		Row: Row{
			SourceIP: m.SourceIP.Unmap().String(),
			PolicyEvaluated: PolicyEvaluated{
				Disposition: m.Disposition,
				DKIM:        passFail(m.DKIMAligned),
				SPF:         passFail(m.SPFAligned),
				Reasons:     append([]Reason(nil), m.Reasons...),
			},
		},
		Identifiers: Identifiers{
			EnvelopeTo:   lowerDomain(m.EnvelopeTo),
			EnvelopeFrom: lowerDomain(m.EnvelopeFrom),
			HeaderFrom:   lowerDomain(m.HeaderFrom),
		},
		AuthResults: AuthResults{DKIM: rankDKIM(m.DKIM, lowerDomain(m.HeaderFrom))},
	}
	if rec.Row.PolicyEvaluated.Disposition == "" {
		rec.Row.PolicyEvaluated.Disposition = string(dmarc.PolicyNone)
	}
	if m.SPF != nil {
		rec.AuthResults.SPF = []SPFResult{*m.SPF}
	}
	key := recordKey(&rec)
	if b.index == nil {
		b.index = map[string]int{}
	}
	if i, ok := b.index[key]; ok {
		b.records[i].Row.Count += count
		return
	}
	rec.Row.Count = count
	b.index[key] = len(b.records)
	b.records = append(b.records, rec)
}

// MaxDKIMResults is how many DKIM results a record keeps (RFC 9990
// §2.1.15: no more than 100 signatures per row).
const MaxDKIMResults = 100

// rankDKIM orders DKIM results as RFC 9990 §2.1.15 prefers them (passing
// and strictly aligned, passing and relaxed aligned, other passing, not
// passing; relaxed alignment approximated by a shared parent domain) and
// keeps the first MaxDKIMResults.
func rankDKIM(in []DKIMResult, headerFrom string) []DKIMResult {
	if len(in) == 0 {
		return nil
	}
	out := append([]DKIMResult(nil), in...)
	rank := func(r DKIMResult) int {
		d := lowerDomain(r.Domain)
		switch {
		case r.Result != "pass":
			return 3
		case d == headerFrom:
			return 0
		case isSubdomain(d, headerFrom) || isSubdomain(headerFrom, d):
			return 1
		}
		return 2
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	if len(out) > MaxDKIMResults {
		out = out[:MaxDKIMResults]
	}
	return out
}

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "fail"
}

func lowerDomain(d string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
}

// recordKey identifies records that may be merged.
func recordKey(r *Record) string {
	var b strings.Builder
	w := func(s ...string) {
		for _, x := range s {
			b.WriteString(strconv.Quote(x))
		}
		b.WriteByte('|')
	}
	pe := r.Row.PolicyEvaluated
	w(r.Row.SourceIP, pe.Disposition, pe.DKIM, pe.SPF)
	for _, x := range pe.Reasons {
		w(x.Type, x.Comment)
	}
	w(r.Identifiers.EnvelopeTo, r.Identifiers.EnvelopeFrom, r.Identifiers.HeaderFrom)
	for _, x := range r.AuthResults.DKIM {
		w(x.Domain, x.Selector, x.Result, x.HumanResult)
	}
	for _, x := range r.AuthResults.SPF {
		w(x.Domain, x.Scope, x.Result, x.HumanResult)
	}
	return b.String()
}

// Len returns the number of records accumulated so far.
func (b *Builder) Len() int { return len(b.records) }

// Feedback returns the report built so far, validated against RFC 9990.
func (b *Builder) Feedback() (*Feedback, error) {
	f := &Feedback{
		XMLName: xml.Name{Space: Namespace, Local: "feedback"},
		Version: Version,
		Metadata: Metadata{
			OrgName:          b.OrgName,
			Email:            b.Email,
			ExtraContactInfo: b.ExtraContactInfo,
			ReportID:         b.ReportID,
			DateRange:        DateRange{Begin: b.Begin.Unix(), End: b.End.Unix()},
			Errors:           append([]string(nil), b.Errors...),
			Generator:        b.Generator,
		},
		PolicyPublished: b.policy,
		Records:         append([]Record(nil), b.records...),
	}
	if b.Begin.IsZero() {
		f.Metadata.DateRange.Begin = 0
	}
	if b.End.IsZero() {
		f.Metadata.DateRange.End = 0
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// Marshal returns the report as an XML document (with declaration).
func (f *Feedback) Marshal() ([]byte, error) {
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// WriteXML writes the report as an XML document.
func (f *Feedback) WriteXML(w io.Writer) error {
	b, err := f.Marshal()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// WriteGzip writes the report as gzip-compressed XML (RFC 9990 §2.5.1:
// media type application/gzip, file name extension ".xml.gz").
func (f *Feedback) WriteGzip(w io.Writer) error {
	zw := gzip.NewWriter(w)
	if err := f.WriteXML(zw); err != nil {
		return err
	}
	return zw.Close()
}

// Filename returns the attachment file name of RFC 9990 §2.5.1:
// receiver!policy-domain!begin!end[!unique-id].xml[.gz]. uniqueID may be
// empty; characters other than letters and digits are removed from it.
func Filename(receiver, policyDomain string, begin, end time.Time, uniqueID string, gzipped bool) string {
	var b strings.Builder
	b.WriteString(lowerDomain(receiver))
	b.WriteByte('!')
	b.WriteString(lowerDomain(policyDomain))
	b.WriteByte('!')
	b.WriteString(strconv.FormatInt(begin.Unix(), 10))
	b.WriteByte('!')
	b.WriteString(strconv.FormatInt(end.Unix(), 10))
	var id strings.Builder
	for _, c := range uniqueID {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			id.WriteRune(c)
		}
	}
	if id.Len() > 0 {
		b.WriteByte('!')
		b.WriteString(id.String())
	}
	b.WriteString(".xml")
	if gzipped {
		b.WriteString(".gz")
	}
	return b.String()
}
