package main

// Level is how serious a finding is.
type Level string

// Finding levels. Errors make mailcheck exit with status 1.
const (
	Info    Level = "info"
	Warning Level = "warning"
	Error   Level = "error"
)

// Finding is one thing worth telling the domain's owner.
type Finding struct {
	Level   Level  `json:"level"`
	Check   string `json:"check"` // "mx", "spf", "dmarc", "dkim", "dane"
	Message string `json:"message"`
}

// Report is everything mailcheck found for one domain.
type Report struct {
	Domain   string       `json:"domain"`
	MX       MXReport     `json:"mx"`
	SPF      SPFReport    `json:"spf"`
	DMARC    DMARCReport  `json:"dmarc"`
	DKIM     []DKIMReport `json:"dkim,omitempty"`
	DANE     DANEReport   `json:"dane"`
	Findings []Finding    `json:"findings"`
}

func (r *Report) add(level Level, check, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Level: level, Check: check, Message: oneLine(sprintf(format, args...))})
}

// Errors counts the findings of level Error.
func (r *Report) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Level == Error {
			n++
		}
	}
	return n
}

// MXReport is the mail routing of the domain.
type MXReport struct {
	NullMX   bool     `json:"null_mx,omitempty"`
	Implicit bool     `json:"implicit,omitempty"`
	Hosts    []MXHost `json:"hosts,omitempty"`
	Skipped  []string `json:"skipped,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// MXHost is one mail exchanger.
type MXHost struct {
	Name       string       `json:"name"`
	Preference uint16       `json:"preference"`
	Addrs      []AddrReport `json:"addresses"`
	Error      string       `json:"error,omitempty"`
}

// AddrReport is one address of an MX host and its reverse DNS.
type AddrReport struct {
	IP     string   `json:"ip"`
	FCrDNS string   `json:"fcrdns"`          // iprev result: pass, fail, temperror, permerror
	Names  []string `json:"names,omitempty"` // confirmed PTR names
}

// SPFReport is the domain's SPF policy.
type SPFReport struct {
	Record     string   `json:"record,omitempty"`
	Lookups    int      `json:"dns_lookups"`        // DNS-querying terms, includes followed (RFC 7208 §4.6.4)
	Includes   []string `json:"includes,omitempty"` // domains whose records were followed
	All        string   `json:"all,omitempty"`      // the top record's all mechanism as written
	Error      string   `json:"error,omitempty"`
	Incomplete bool     `json:"incomplete,omitempty"` // a macro or failure stopped the count
}

// DMARCReport is the domain's DMARC policy.
type DMARCReport struct {
	Record            string        `json:"record,omitempty"`
	PolicyDomain      string        `json:"policy_domain,omitempty"`
	Policy            string        `json:"p,omitempty"`
	SubdomainPolicy   string        `json:"sp,omitempty"`
	NonExistentPolicy string        `json:"np,omitempty"`
	Testing           bool          `json:"testing,omitempty"`
	OrgDomain         string        `json:"organizational_domain,omitempty"`     // DNS tree walk (RFC 9989)
	OrgDomainPSL      string        `json:"organizational_domain_psl,omitempty"` // Public Suffix List (RFC 7489)
	Reports           []ReportDest  `json:"report_destinations,omitempty"`
	Error             string        `json:"error,omitempty"`
	Alignment         AlignmentInfo `json:"alignment"`
}

// AlignmentInfo holds the adkim and aspf modes in effect.
type AlignmentInfo struct {
	DKIM string `json:"adkim"`
	SPF  string `json:"aspf"`
}

// ReportDest is one rua or ruf address.
type ReportDest struct {
	Tag        string `json:"tag"` // "rua" or "ruf"
	URI        string `json:"uri"`
	Host       string `json:"host"`
	External   bool   `json:"external"`
	Authorized *bool  `json:"authorized,omitempty"` // for external hosts: did they agree (RFC 9990 §3)
}

// DKIMReport is the key published for one selector.
type DKIMReport struct {
	Selector string `json:"selector"`
	Name     string `json:"name"`
	Found    bool   `json:"found"`
	KeyType  string `json:"key_type,omitempty"`
	Bits     int    `json:"bits,omitempty"`
	Testing  bool   `json:"testing,omitempty"`
	Revoked  bool   `json:"revoked,omitempty"`
	Error    string `json:"error,omitempty"`
}
