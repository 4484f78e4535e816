package tlsrpt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Report is an aggregate TLS report, the JSON object of RFC 8460 §4.
// json.Marshal of a *Report gives the RFC's field names.
type Report struct {
	OrganizationName string         `json:"organization-name"`
	DateRange        DateRange      `json:"date-range"`
	ContactInfo      string         `json:"contact-info"`
	ReportID         string         `json:"report-id"`
	Policies         []PolicyResult `json:"policies"`
}

// DateRange is the period a report covers (RFC 8460 §4.4, RFC 3339
// date-times).
type DateRange struct {
	Start DateTime `json:"start-datetime"`
	End   DateTime `json:"end-datetime"`
}

// PolicyResult is one element of "policies": a policy that was applied,
// and the sessions counted under it (RFC 8460 §4.4).
type PolicyResult struct {
	Policy         PolicyInfo       `json:"policy"`
	Summary        Summary          `json:"summary"`
	FailureDetails []FailureDetails `json:"failure-details,omitempty"`
}

// PolicyType is the "policy-type" of RFC 8460 §4.4.
type PolicyType string

// The policy types of RFC 8460 §4.4.
const (
	PolicyTLSA          PolicyType = "tlsa"            // DANE (RFC 7672)
	PolicySTS           PolicyType = "sts"             // MTA-STS (RFC 8461)
	PolicyNoPolicyFound PolicyType = "no-policy-found" // neither
)

// PolicyInfo describes the applied policy (RFC 8460 §4.4 "policy").
type PolicyInfo struct {
	Type PolicyType `json:"policy-type"`
	// String is the policy as a list of strings: the MTA-STS policy's
	// lines, or the TLSA records in presentation form.
	String []string `json:"policy-string,omitempty"`
	// Domain is the policy domain (the recipient domain).
	Domain string `json:"policy-domain"`
	// MXHost lists the MX host patterns of an MTA-STS policy. RFC 8460
	// shows a string; erratum 6241 and real senders use an array. Both are
	// accepted when parsing; an array is written.
	MXHost MXHosts `json:"mx-host,omitempty"`
}

// Summary counts the sessions of a policy (RFC 8460 §4.4).
type Summary struct {
	TotalSuccessfulSessionCount int64 `json:"total-successful-session-count"`
	TotalFailureSessionCount    int64 `json:"total-failure-session-count"`
}

// ResultType is a "result-type" of RFC 8460 §4.3 (IANA "STARTTLS
// Validation Result Types").
type ResultType string

// The result types of RFC 8460 §4.3.
const (
	// §4.3.1 negotiation failures.
	ResultSTARTTLSNotSupported    ResultType = "starttls-not-supported"
	ResultCertificateHostMismatch ResultType = "certificate-host-mismatch"
	ResultCertificateExpired      ResultType = "certificate-expired"
	ResultCertificateNotTrusted   ResultType = "certificate-not-trusted"
	ResultValidationFailure       ResultType = "validation-failure"
	// §4.3.2.1 DANE-specific policy failures.
	ResultTLSAInvalid   ResultType = "tlsa-invalid"
	ResultDNSSECInvalid ResultType = "dnssec-invalid"
	ResultDANERequired  ResultType = "dane-required"
	// §4.3.2.2 MTA-STS-specific policy failures.
	ResultSTSPolicyFetchError ResultType = "sts-policy-fetch-error"
	ResultSTSPolicyInvalid    ResultType = "sts-policy-invalid"
	ResultSTSWebPKIInvalid    ResultType = "sts-webpki-invalid"
)

// ResultTypes lists every result type of RFC 8460 §4.3.
var ResultTypes = []ResultType{
	ResultSTARTTLSNotSupported, ResultCertificateHostMismatch, ResultCertificateExpired,
	ResultCertificateNotTrusted, ResultValidationFailure, ResultTLSAInvalid,
	ResultDNSSECInvalid, ResultDANERequired, ResultSTSPolicyFetchError,
	ResultSTSPolicyInvalid, ResultSTSWebPKIInvalid,
}

// FailureDetails is one element of "failure-details" (RFC 8460 §4.4): a
// kind of failure and how many sessions failed that way.
type FailureDetails struct {
	ResultType            ResultType `json:"result-type"`
	SendingMTAIP          string     `json:"sending-mta-ip,omitempty"`
	ReceivingMXHostname   string     `json:"receiving-mx-hostname,omitempty"`
	ReceivingMXHelo       string     `json:"receiving-mx-helo,omitempty"`
	ReceivingIP           string     `json:"receiving-ip,omitempty"`
	FailedSessionCount    int64      `json:"failed-session-count"`
	AdditionalInformation string     `json:"additional-information,omitempty"`
	FailureReasonCode     string     `json:"failure-reason-code,omitempty"`
}

// MXHosts is the "mx-host" field: a list of MX host patterns, read from
// either a JSON string or a JSON array of strings.
type MXHosts []string

// UnmarshalJSON accepts a string (RFC 8460 as published) or an array of
// strings (erratum 6241).
func (m *MXHosts) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*m = MXHosts{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("mx-host: want a string or an array of strings")
	}
	*m = l
	return nil
}

// DateTime is an RFC 3339 date-time. When parsing, a date-time without a
// time zone (as some senders write, "2023-01-10T00:00:00") is taken as UTC,
// and fractional seconds are accepted; it is written in UTC with "Z".
type DateTime struct {
	time.Time
}

// dateLayouts are tried in order when parsing.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// MarshalJSON writes "2006-01-02T15:04:05Z" in UTC.
func (d DateTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.UTC().Format("2006-01-02T15:04:05Z") + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 date-time, with or without a time zone.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date-time: want a string")
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			d.Time = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("date-time %q is not RFC 3339", cut(s))
}
