package tlsrpt

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultMaxBuilderDetails bounds the distinct failure details a Builder
// keeps per policy when MaxFailureDetails is zero.
const DefaultMaxBuilderDetails = 1000

// DefaultMaxBuilderPolicies bounds the distinct policies a Builder keeps
// per policy domain when MaxPolicies is zero.
const DefaultMaxBuilderPolicies = 100

// Session is the outcome of one delivery attempt (one SMTP session) for
// the report: which policy applied and whether TLS met it.
type Session struct {
	// Policy is the policy that applied: Type sts with the MTA-STS policy's
	// lines and mx patterns, tlsa with the TLSA records, or
	// no-policy-found. Domain is the recipient (policy) domain.
	Policy PolicyInfo
	// Failure is nil for a successful session; otherwise what failed
	// (FailedSessionCount is ignored: each Session counts one).
	Failure *FailureDetails
}

// Builder counts sessions per policy domain and policy (RFC 8460 §4) and
// writes the reports: JSON (§4.4), its gzip, the file name (§5.1) and the
// report email (§5.3). Its zero value is ready; it is safe for concurrent
// use. Sessions beyond MaxPolicies distinct policies or MaxFailureDetails
// distinct failures per policy are still counted in the summary of an
// existing policy, so the totals stay right while memory stays bounded.
type Builder struct {
	// OrganizationName is the reporting organization (RFC 8460 §4.4).
	OrganizationName string
	// ContactInfo is how to reach it (an email address or URI).
	ContactInfo string
	// Submitter is the domain of the reporting MTA, for
	// TLS-Report-Submitter and the file name (§5.1, §5.3).
	Submitter string
	// Start and End bound the period the report covers (§4.1 suggests a
	// UTC day).
	Start, End time.Time
	// MaxFailureDetails bounds distinct failure details per policy (zero:
	// DefaultMaxBuilderDetails).
	MaxFailureDetails int
	// MaxPolicies bounds distinct policies per policy domain (zero:
	// DefaultMaxBuilderPolicies).
	MaxPolicies int

	mu      sync.Mutex
	domains map[string]*domainAgg
}

type domainAgg struct {
	order    []string
	policies map[string]*policyAgg
}

type policyAgg struct {
	info    PolicyInfo
	summary Summary
	order   []string
	details map[string]*FailureDetails
}

func policyKey(p PolicyInfo) string {
	return string(p.Type) + "\x00" + strings.Join(p.String, "\x01") + "\x00" + strings.Join(p.MXHost, "\x01")
}

func detailKey(f *FailureDetails) string {
	return strings.Join([]string{string(f.ResultType), f.SendingMTAIP, f.ReceivingMXHostname, f.ReceivingMXHelo,
		f.ReceivingIP, f.AdditionalInformation, f.FailureReasonCode}, "\x00")
}

// Add counts one session.
func (b *Builder) Add(s Session) {
	b.mu.Lock()
	defer b.mu.Unlock()
	domain := strings.ToLower(strings.TrimSuffix(s.Policy.Domain, "."))
	if b.domains == nil {
		b.domains = map[string]*domainAgg{}
	}
	d := b.domains[domain]
	if d == nil {
		d = &domainAgg{policies: map[string]*policyAgg{}}
		b.domains[domain] = d
	}
	pk := policyKey(s.Policy)
	pa := d.policies[pk]
	if pa == nil {
		if len(d.order) >= orDefault(b.MaxPolicies, DefaultMaxBuilderPolicies) {
			// Over the bound: count it under the last policy kept.
			pa = d.policies[d.order[len(d.order)-1]]
		} else {
			info := s.Policy
			info.Domain = domain
			info.String = append([]string(nil), info.String...)
			info.MXHost = append(MXHosts(nil), info.MXHost...)
			pa = &policyAgg{info: info, details: map[string]*FailureDetails{}}
			d.policies[pk] = pa
			d.order = append(d.order, pk)
		}
	}
	if s.Failure == nil {
		pa.summary.TotalSuccessfulSessionCount++
		return
	}
	pa.summary.TotalFailureSessionCount++
	dk := detailKey(s.Failure)
	if fd := pa.details[dk]; fd != nil {
		fd.FailedSessionCount++
		return
	}
	if len(pa.order) >= orDefault(b.MaxFailureDetails, DefaultMaxBuilderDetails) {
		return // counted in the summary only
	}
	fd := *s.Failure
	fd.FailedSessionCount = 1
	pa.details[dk] = &fd
	pa.order = append(pa.order, dk)
}

// AddSuccess counts one successful session under policy p.
func (b *Builder) AddSuccess(p PolicyInfo) { b.Add(Session{Policy: p}) }

// AddFailure counts one failed session under policy p.
func (b *Builder) AddFailure(p PolicyInfo, f FailureDetails) { b.Add(Session{Policy: p, Failure: &f}) }

// Domains returns the policy domains with sessions, sorted: one report
// goes to each (RFC 8460 §4.1).
func (b *Builder) Domains() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Sorted(maps.Keys(b.domains))
}

// Report returns the report for one policy domain with the given
// report-id, or nil when no session was counted for it.
func (b *Builder) Report(policyDomain, reportID string) *Report {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.domains[strings.ToLower(strings.TrimSuffix(policyDomain, "."))]
	if d == nil {
		return nil
	}
	rep := &Report{
		OrganizationName: b.OrganizationName,
		DateRange:        DateRange{Start: DateTime{b.Start.UTC()}, End: DateTime{b.End.UTC()}},
		ContactInfo:      b.ContactInfo,
		ReportID:         reportID,
		Policies:         make([]PolicyResult, 0, len(d.order)),
	}
	for _, pk := range d.order {
		pa := d.policies[pk]
		pr := PolicyResult{Policy: pa.info, Summary: pa.summary}
		pr.Policy.String = append([]string(nil), pa.info.String...)
		pr.Policy.MXHost = append(MXHosts(nil), pa.info.MXHost...)
		for _, dk := range pa.order {
			pr.FailureDetails = append(pr.FailureDetails, *pa.details[dk])
		}
		rep.Policies = append(rep.Policies, pr)
	}
	return rep
}

// JSON returns the report for one policy domain as RFC 8460 §4.4 JSON.
func (b *Builder) JSON(policyDomain, reportID string) ([]byte, error) {
	rep := b.Report(policyDomain, reportID)
	if rep == nil {
		return nil, fmt.Errorf("tlsrpt: no sessions for %q", policyDomain)
	}
	return json.Marshal(rep)
}

// Gzip returns the JSON of JSON compressed with gzip (application/tlsrpt+gzip).
func (b *Builder) Gzip(policyDomain, reportID string) ([]byte, error) {
	js, err := b.JSON(policyDomain, reportID)
	if err != nil {
		return nil, err
	}
	return gzipBytes(js)
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FileName returns the report file name of RFC 8460 §5.1:
// submitter "!" policy-domain "!" begin "!" end ["!" unique-id] "." ext,
// with begin and end in seconds since the epoch (UTC) and ext "json.gz" or
// "json".
func FileName(submitter, policyDomain string, start, end time.Time, uniqueID string, gz bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s!%s!%d!%d", submitter, policyDomain, start.Unix(), end.Unix())
	// unique-id = 1*(ALPHA / DIGIT): other characters are dropped.
	id := strings.Map(func(r rune) rune {
		if r < 0x80 && isAlnum(byte(r)) {
			return r
		}
		return -1
	}, uniqueID)
	if id != "" {
		b.WriteString("!")
		b.WriteString(id)
	}
	if gz {
		b.WriteString(".json.gz")
	} else {
		b.WriteString(".json")
	}
	return b.String()
}
