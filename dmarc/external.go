package dmarc

import (
	"context"
	"fmt"
)

// ExternalReportLabel is the name part between the policy domain and the
// report domain in a verification query (RFC 9990 §3).
const ExternalReportLabel = "_report._dmarc"

// VerifyExternalDestination reports whether reportDomain (the destination
// host of a rua URI) agrees to receive aggregate reports for policyDomain
// (the domain whose record named it): RFC 9990 §3 and RFC 7489 §7.1 query
// TXT at <policyDomain>._report._dmarc.<reportDomain> and accept when at
// least one record starts with v=DMARC1 — unless the records found name
// rua URIs of their own and none of them is on reportDomain: such an
// override must keep the destination host (§3 step 9), so it authorizes
// neither the original destination nor the one it names, and reports go
// to neither. Use ExternalDestination to get the URIs to send to. Names
// are converted to A-labels. A name longer than the DNS allows yields
// false (§3 step 4). NXDOMAIN or NODATA yields false with a nil error; a
// temporary DNS failure yields false and an error wrapping ErrTemporary.
func (c *Checker) VerifyExternalDestination(ctx context.Context, policyDomain, reportDomain string) (bool, error) {
	ok, recs, err := c.externalRecords(ctx, policyDomain, reportDomain)
	if !ok || err != nil {
		return false, err
	}
	rd, _ := NormalizeDomain(reportDomain) // externalRecords checked it
	_, ok = overrideURIs(recs, rd, false)
	return ok, nil
}

// ExternalDestination verifies the destination host of one report URI for
// policyDomain like VerifyExternalDestination (for ruf URIs when failure
// is set) and returns the URIs to send to: when the authorizing records
// have a rua (or, with failure set, ruf) tag, those of its URIs whose
// destination host is the original one (RFC 9990 §3 step 9); otherwise
// the original URI. When the override names only other hosts, the answer
// is false with no URIs: reports go to neither destination.
func (c *Checker) ExternalDestination(ctx context.Context, policyDomain string, uri ReportURI, failure bool) (bool, []ReportURI, error) {
	host := uri.Host()
	if host == "" {
		return false, nil, fmt.Errorf("%w: report URI %q has no destination host", ErrInvalidDomain, uri.URI)
	}
	ok, recs, err := c.externalRecords(ctx, policyDomain, host)
	if !ok || err != nil {
		return false, nil, err
	}
	rd, _ := NormalizeDomain(host) // externalRecords checked it
	out, ok := overrideURIs(recs, rd, failure)
	if !ok {
		return false, nil, nil
	}
	if out == nil {
		out = []ReportURI{uri}
	}
	return true, out, nil
}

// overrideURIs applies RFC 9990 §3 step 9 to the records found at the
// verification name: the URIs of their rua (ruf with failure) tags whose
// destination host is host (normalized). ok is false when the records
// name URIs but none on host: an override may not move reports to
// another host, and it withdraws the original destination. out is nil
// with ok true when no record has such a tag.
func overrideURIs(recs []*Record, host string, failure bool) (out []ReportURI, ok bool) {
	named := false
	for _, r := range recs {
		list := r.AggregateReportURIs
		if failure {
			list = r.FailureReportURIs
		}
		for _, u := range list {
			named = true
			if h, err := NormalizeDomain(u.Host()); err == nil && h == host {
				out = append(out, u)
			}
		}
	}
	if named && len(out) == 0 {
		return nil, false
	}
	return out, true
}

func (c *Checker) externalRecords(ctx context.Context, policyDomain, reportDomain string) (bool, []*Record, error) {
	pd, err := NormalizeDomain(policyDomain)
	if err != nil {
		return false, nil, inContext("policy domain", err)
	}
	rd, err := NormalizeDomain(reportDomain)
	if err != nil {
		return false, nil, inContext("report domain", err)
	}
	name := pd + "." + ExternalReportLabel + "." + rd
	if len(name) > maxDomainLen {
		return false, nil, nil
	}
	name += "."
	txts, err := c.resolver().LookupTXT(ctx, name)
	if err = classify("TXT", name, err); err != nil {
		if err == errNotFound {
			return false, nil, nil
		}
		return false, nil, err
	}
	var recs []*Record
	ok := false
	for _, t := range txts {
		if !HasDMARCVersion(t) {
			continue
		}
		ok = true
		if r, err := Parse(t); err == nil {
			recs = append(recs, r)
		}
	}
	return ok, recs, nil
}
