package outbound

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
	"github.com/mailsmith/mailsmith/smtp"
)

// Source says which policy decided the TLS of a delivery to one MX host.
type Source string

// The policy sources, in the order they are consulted (RFC 8461 §2: DANE
// wins over MTA-STS when it applies).
const (
	SourceDANE   Source = "dane"    // secure TLSA records (RFC 7672)
	SourceMTASTS Source = "mta-sts" // an MTA-STS policy in mode enforce or testing (RFC 8461)
	SourceNone   Source = "none"    // neither: opportunistic STARTTLS (RFC 7435)
)

// ReasonNotInPolicy is the failure-reason-code of a TLS-RPT failure for an
// MX host that the MTA-STS policy does not list (result type
// validation-failure, RFC 8460 §4.3.1).
const ReasonNotInPolicy = "mx-not-in-policy"

// ErrNotInPolicy is why an MX host is skipped under an MTA-STS policy in
// mode enforce that does not list it (RFC 8461 §5).
var ErrNotInPolicy = errors.New("MX host not in the MTA-STS policy (mode enforce): not tried")

// HostTLS is what the Deliverer does with one MX host: whether to try it,
// with which smtp.TLSPolicy, and how to count the session in a TLS report.
type HostTLS struct {
	Host   string // the MX host name, lower case, no trailing dot
	Source Source
	// Skip, when not nil, says why the host must not be tried now (a
	// temporary failure: the message is retried later).
	Skip error
	// Policy is the smtp client's TLS policy for the host.
	Policy smtp.TLSPolicy
	// CheckName, when not empty, is the name the certificate is checked
	// against after an opportunistic STARTTLS (MTA-STS mode testing, RFC
	// 8461 §5): a failure is reported, the message delivered anyway.
	CheckName string
	// Report is the policy the session is counted under (RFC 8460 §4.4).
	Report tlsrpt.PolicyInfo
	// Failure, when not nil, is a failure counted for the host whatever
	// the session gives: a host outside the MTA-STS policy
	// (validation-failure), a DANE host whose TLSA records are all
	// unusable (tlsa-invalid), a bogus DNSSEC answer (dnssec-invalid).
	Failure *tlsrpt.FailureDetails
}

// Policies is what the Deliverer found out about a recipient domain's
// TLS before it delivers: the DANE status of its MX hosts and its MTA-STS
// policy with the plan over the MX hosts.
type Policies struct {
	Domain string
	// DANE holds the DANE status of each MX host by name (lower case, no
	// trailing dot); nil when DANE was not looked up.
	DANE map[string]dane.Host
	// STS is the MTA-STS policy; nil without one.
	STS *mtasts.Policy
	// Plan is mtasts.PlanDelivery of STS over the MX hosts.
	Plan mtasts.Plan
	// RootCAs are the WebPKI roots MTA-STS checks certificates against
	// (nil: the system's).
	RootCAs *x509.CertPool
}

// HostTLS decides for the MX host at index i of the plan (RFC 8461 §2:
// DANE when the host has secure TLSA records, else MTA-STS, else
// opportunistic TLS).
func (p *Policies) HostTLS(i int) HostTLS {
	hp := p.Plan.Hosts[i]
	name := normalize(hp.Host)
	h := HostTLS{Host: name}
	enforce := p.STS != nil && p.Plan.Mode == mtasts.ModeEnforce
	if dh, ok := p.DANE[name]; ok && dh.Status != dane.StatusNone {
		// RFC 8461 §2: DANE wins where the host has usable TLSA records.
		// With none usable (StatusEncrypt), RFC 7672 §2.2 still asks for
		// TLS; an MTA-STS policy in mode enforce asks for more (a
		// verified certificate) and applies instead.
		if dh.Status != dane.StatusEncrypt || !enforce {
			return p.daneTLS(h, dh)
		}
	}
	opportunistic := smtp.TLSPolicy{Mode: smtp.TLSOpportunistic, Config: &tls.Config{ServerName: name}}
	if p.STS == nil || p.Plan.Mode == mtasts.ModeNone {
		h.Source, h.Policy = SourceNone, opportunistic
		h.Report = tlsrpt.PolicyInfo{Type: tlsrpt.PolicyNoPolicyFound, Domain: p.Domain}
		return h
	}
	h.Source = SourceMTASTS
	h.Report = tlsrpt.PolicyInfo{Type: tlsrpt.PolicySTS, Domain: p.Domain,
		String: tlsrpt.PolicyLines(p.STS.String()), MXHost: tlsrpt.MXHosts(p.STS.MX)}
	notInPolicy := &tlsrpt.FailureDetails{ResultType: tlsrpt.ResultValidationFailure,
		ReceivingMXHostname: name, FailureReasonCode: ReasonNotInPolicy}
	switch {
	case !hp.Allowed:
		h.Skip, h.Failure = fmt.Errorf("%s: %w", name, ErrNotInPolicy), notInPolicy
	case hp.TLS == mtasts.TLSVerified:
		h.Policy = smtp.TLSPolicy{Mode: smtp.TLSVerified, Config: &tls.Config{ServerName: hp.ServerName, RootCAs: p.RootCAs}}
	case hp.TLS == mtasts.TLSVerifiedReport:
		h.Policy, h.CheckName = opportunistic, hp.ServerName
	default: // testing, host not in the policy: delivered, reported
		h.Policy, h.Failure = opportunistic, notInPolicy
	}
	return h
}

// daneTLS is the decision for a host DANE applies to.
func (p *Policies) daneTLS(h HostTLS, dh dane.Host) HostTLS {
	h.Source = SourceDANE
	lines := make([]string, len(dh.Records))
	for i, r := range dh.Records {
		lines[i] = r.String()
	}
	h.Report = tlsrpt.PolicyInfo{Type: tlsrpt.PolicyTLSA, Domain: p.Domain, String: lines}
	switch dh.Status {
	case dane.StatusDefer:
		h.Skip = fmt.Errorf("%s: DANE lookup failed, delivery deferred (RFC 7672 §2.1.1): %w", h.Host, dh.Err)
		if errors.Is(dh.Err, dane.ErrBogus) {
			h.Failure = &tlsrpt.FailureDetails{ResultType: tlsrpt.ResultDNSSECInvalid, ReceivingMXHostname: h.Host}
		}
		return h
	case dane.StatusEncrypt:
		// RFC 7672 §2.2: TLS is mandatory, the server is not
		// authenticated; RFC 8460 §4.3.2.1 calls the records tlsa-invalid.
		h.Failure = &tlsrpt.FailureDetails{ResultType: tlsrpt.ResultTLSAInvalid, ReceivingMXHostname: h.Host}
	}
	cfg, err := dh.TLSConfig(nil)
	if err != nil {
		h.Skip = fmt.Errorf("%s: %w", h.Host, err)
		return h
	}
	h.Policy = smtp.TLSPolicy{Mode: smtp.TLSRequired, Config: cfg}
	return h
}

// normalize returns a host name in lower case without the trailing dot.
func normalize(host string) string {
	return strings.TrimSuffix(strings.ToLower(host), ".")
}
