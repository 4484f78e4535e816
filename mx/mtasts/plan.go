package mtasts

import (
	"strings"

	"golang.org/x/net/idna"
)

// TLSRequirement says what TLS a delivery attempt to one MX host needs
// under the policy. It uses this package's own words; a caller maps it to
// its SMTP client's setting (for this suite's smtp package: TLSNone →
// the delivery default, Verified → smtp.TLSVerified with ServerName).
type TLSRequirement int

const (
	// TLSAsWithoutPolicy: the policy asks nothing of this host (no policy,
	// mode "none"); deliver as the client would without MTA-STS
	// (opportunistic STARTTLS).
	TLSAsWithoutPolicy TLSRequirement = iota
	// TLSVerifiedReport: mode "testing": try STARTTLS with a certificate
	// verified (WebPKI) for ServerName; when that fails, report the failure
	// (TLS-RPT) and deliver anyway as without a policy (RFC 8461 §5).
	TLSVerifiedReport
	// TLSVerified: mode "enforce": STARTTLS must succeed with a certificate
	// verified (WebPKI) for ServerName, or this host must not get the mail
	// (RFC 8461 §4.2, §5).
	TLSVerified
)

// String returns a short name of the requirement.
func (t TLSRequirement) String() string {
	switch t {
	case TLSAsWithoutPolicy:
		return "as-without-policy"
	case TLSVerifiedReport:
		return "verified-report-only"
	case TLSVerified:
		return "verified-required"
	}
	return "unknown"
}

// HostPlan is the decision for one MX host.
type HostPlan struct {
	// Host is the MX host name as given (trailing dot removed).
	Host string
	// Allowed is true when the host may be tried.
	Allowed bool
	// Matched is true when the host matches one of the policy's mx
	// patterns (always false without a policy or in mode "none").
	Matched bool
	// TLS is the TLS the attempt needs.
	TLS TLSRequirement
	// ServerName is the name the certificate must be valid for: the MX
	// host name in A-labels (RFC 8461 §4.2). Empty for TLSAsWithoutPolicy.
	ServerName string
	// Report is true when the policy is in mode "testing" and the host
	// fails it (it does not match the policy): the failure goes in a
	// TLS-RPT report (RFC 8460 result type "validation-failure") while
	// delivery goes on.
	Report bool
}

// Plan is the decision for a whole delivery: one HostPlan per MX host, in
// the order given.
type Plan struct {
	// Mode is the policy mode applied; ModeNone without a policy.
	Mode  Mode
	Hosts []HostPlan
}

// Allowed returns the hosts that may be tried, in order. Under mode
// "enforce" it may be empty: then the mail must not be delivered now
// (RFC 8461 §5: treat it as a temporary failure and retry later).
func (pl Plan) Allowed() []HostPlan {
	var l []HostPlan
	for _, h := range pl.Hosts {
		if h.Allowed {
			l = append(l, h)
		}
	}
	return l
}

// PlanDelivery applies a policy to the ordered MX host names of the
// recipient domain (RFC 8461 §4, §5):
//
//   - nil policy or mode "none": every host allowed, TLS as without a
//     policy;
//   - mode "enforce": only hosts matching the policy are allowed, each
//     with TLS verified against its own name; the others are refused;
//   - mode "testing": every host allowed; a matching host gets
//     TLSVerifiedReport, a host that does not match is marked Report and
//     goes as without a policy.
//
// Hosts keep their order (the MX preference order).
func PlanDelivery(p *Policy, hosts []string) Plan {
	pl := Plan{Mode: ModeNone, Hosts: make([]HostPlan, 0, len(hosts))}
	if p != nil {
		pl.Mode = p.Mode
	}
	for _, h := range hosts {
		hp := HostPlan{Host: strings.TrimSuffix(h, "."), Allowed: true}
		if pl.Mode == ModeEnforce || pl.Mode == ModeTesting {
			hp.Matched = p.Match(h)
			name := serverName(hp.Host)
			switch {
			case hp.Matched && pl.Mode == ModeEnforce:
				hp.TLS, hp.ServerName = TLSVerified, name
			case hp.Matched:
				hp.TLS, hp.ServerName = TLSVerifiedReport, name
			case pl.Mode == ModeEnforce:
				hp.Allowed = false
			default:
				hp.Report = true
			}
		}
		pl.Hosts = append(pl.Hosts, hp)
	}
	return pl
}

// serverName returns host in lower-case A-labels, the name its
// certificate is checked against.
func serverName(host string) string {
	if !isASCII(host) {
		if a, err := idna.Lookup.ToASCII(host); err == nil {
			host = a
		}
	}
	return strings.ToLower(host)
}
