package dmarc

import (
	"context"
	"fmt"
	"strings"
)

// ExternalReportLabel is the name part between the policy domain and the
// report domain in a verification query (RFC 9990 §3).
const ExternalReportLabel = "_report._dmarc"

// VerifyExternalDestination reports whether reportDomain (the destination
// host of a rua/ruf URI) agrees to receive reports for policyDomain (the
// domain whose record named it): RFC 9990 §3 and RFC 7489 §7.1 query TXT
// at <policyDomain>._report._dmarc.<reportDomain> and accept when at least
// one record starts with v=DMARC1. Names are converted to A-labels. A name
// longer than the DNS allows yields false (RFC 9990 §3 step 4). NXDOMAIN
// or NODATA yields false with a nil error; a temporary DNS failure yields
// false and an error wrapping ErrTempError.
func (c *Checker) VerifyExternalDestination(ctx context.Context, policyDomain, reportDomain string) (bool, error) {
	ok, _, err := c.externalRecords(ctx, policyDomain, reportDomain)
	return ok, err
}

// ExternalDestination verifies the destination host of one report URI for
// policyDomain like VerifyExternalDestination and also returns the URIs it
// should be replaced with: when the authorizing record has a rua (or, with
// failure set, ruf) tag, its URIs whose destination host equals the
// original one (RFC 9990 §3 step 9); otherwise the original URI.
func (c *Checker) ExternalDestination(ctx context.Context, policyDomain string, uri ReportURI, failure bool) (bool, []ReportURI, error) {
	host := uri.Host()
	if host == "" {
		return false, nil, fmt.Errorf("%w: report URI %q has no destination host", ErrInvalidDomain, uri.URI)
	}
	ok, recs, err := c.externalRecords(ctx, policyDomain, host)
	if !ok || err != nil {
		return false, nil, err
	}
	for _, r := range recs {
		list := r.AggregateReportURIs
		if failure {
			list = r.FailureReportURIs
		}
		if len(list) == 0 {
			continue
		}
		var out []ReportURI
		for _, u := range list {
			if h := u.Host(); h != "" && strings.EqualFold(h, host) {
				out = append(out, u)
			}
		}
		// An override naming another host disqualifies the destination.
		if len(out) == 0 {
			return false, nil, nil
		}
		return true, out, nil
	}
	return true, []ReportURI{uri}, nil
}

func (c *Checker) externalRecords(ctx context.Context, policyDomain, reportDomain string) (bool, []*Record, error) {
	pd, err := NormalizeDomain(policyDomain)
	if err != nil {
		return false, nil, fmt.Errorf("policy domain: %w", err)
	}
	rd, err := NormalizeDomain(reportDomain)
	if err != nil {
		return false, nil, fmt.Errorf("report domain: %w", err)
	}
	name := pd + "." + ExternalReportLabel + "." + rd
	if len(name) > maxDomainLen {
		return false, nil, nil
	}
	name += "."
	txts, err := c.resolver().LookupTXT(ctx, name)
	if err = classify(name, err); err != nil {
		if err == errNotFound {
			return false, nil, nil
		}
		return false, nil, err
	}
	parseRecord := Parse
	if c.Discovery == PSL {
		parseRecord = ParseRFC7489 // RFC 7489 §7.1 reads these records by its own syntax
	}
	var recs []*Record
	ok := false
	for _, t := range txts {
		if !HasDMARCVersion(t) {
			continue
		}
		ok = true
		if r, err := parseRecord(t); err == nil {
			recs = append(recs, r)
		}
	}
	return ok, recs, nil
}
