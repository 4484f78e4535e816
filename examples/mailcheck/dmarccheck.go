package main

import (
	"context"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
)

// checkDMARC finds the policy that applies to mail from the domain (RFC
// 9989 §4.10), the organizational domain both ways, and whether external
// report destinations agreed to receive reports (RFC 9990 §3).
func checkDMARC(ctx context.Context, res resolver.Resolver, r *Report) {
	c := &dmarc.Checker{Resolver: res}
	d := &r.DMARC
	d.OrgDomainPSL = dmarc.OrganizationalDomain(r.Domain)
	org, err := c.OrganizationalDomain(ctx, r.Domain)
	if err != nil {
		r.add(Warning, "dmarc", "organizational domain (DNS tree walk): %v", err)
	}
	d.OrgDomain = org
	if org != "" && org != d.OrgDomainPSL {
		r.add(Info, "dmarc", "the DNS tree walk (RFC 9989) finds organizational domain %s, the Public Suffix List (RFC 7489) %s", org, d.OrgDomainPSL)
	}

	rec, policyDomain, err := c.Lookup(ctx, r.Domain)
	switch {
	case err != nil:
		d.Error = errText(err)
		r.add(Error, "dmarc", "%v", err)
		return
	case rec == nil:
		r.add(Warning, "dmarc", "no DMARC record: receivers cannot tell mail forged in the name of %s from real mail", r.Domain)
		return
	}
	d.Record = rec.String()
	d.PolicyDomain = policyDomain
	d.Policy = string(rec.Policy)
	d.SubdomainPolicy = string(rec.SubdomainPolicy)
	d.NonExistentPolicy = string(rec.NonExistentPolicy)
	d.Testing = rec.Testing
	d.Alignment = AlignmentInfo{DKIM: string(rec.EffectiveDKIMAlignment()), SPF: string(rec.EffectiveSPFAlignment())}
	if policyDomain != r.Domain {
		r.add(Info, "dmarc", "no record at _dmarc.%s: the policy of %s applies", r.Domain, policyDomain)
	}
	for _, t := range rec.Invalid {
		r.add(Warning, "dmarc", "tag %s=%q is invalid and ignored", t.Name, t.Value)
	}
	switch asNone, ok := rec.PolicyUsable(); {
	case !ok:
		r.add(Error, "dmarc", "the record has no valid p= tag and no rua: receivers ignore it")
	case asNone:
		r.add(Warning, "dmarc", "the record has no valid p= tag: receivers act as if it said p=none")
	case rec.Policy == dmarc.PolicyNone:
		r.add(Info, "dmarc", "p=none: monitoring only, forged mail is still delivered")
	}
	if rec.Testing {
		r.add(Info, "dmarc", "t=y: testing, receivers apply one step less than the policy")
	}
	if len(rec.AggregateReportURIs) == 0 {
		r.add(Info, "dmarc", "no rua: the domain gets no aggregate reports about its mail")
	}
	checkReportDests(ctx, c, r, policyDomain, "rua", rec.AggregateReportURIs)
	checkReportDests(ctx, c, r, policyDomain, "ruf", rec.FailureReportURIs)
}

// checkReportDests checks that destinations outside the policy domain's
// organizational domain have published their consent.
func checkReportDests(ctx context.Context, c *dmarc.Checker, r *Report, policyDomain, tag string, uris []dmarc.ReportURI) {
	policyOrg, err := c.OrganizationalDomain(ctx, policyDomain)
	if err != nil {
		policyOrg = dmarc.OrganizationalDomain(policyDomain)
	}
	for _, u := range uris {
		dest := ReportDest{Tag: tag, URI: u.String(), Host: u.Host()}
		if dest.Host != "" {
			hostOrg, err := c.OrganizationalDomain(ctx, dest.Host)
			if err != nil {
				hostOrg = dmarc.OrganizationalDomain(dest.Host)
			}
			dest.External = hostOrg != policyOrg
		}
		if dest.External {
			ok, err := c.VerifyExternalDestination(ctx, policyDomain, dest.Host)
			switch {
			case err != nil:
				r.add(Warning, "dmarc", "%s %s: could not check consent: %v", tag, u.URI, err)
			case !ok:
				dest.Authorized = &ok
				r.add(Warning, "dmarc", "%s %s: %s has not agreed to receive reports for %s (no TXT at %s._report._dmarc.%s); reporters will skip it",
					tag, u.URI, dest.Host, policyDomain, policyDomain, dest.Host)
			default:
				dest.Authorized = &ok
			}
		}
		r.DMARC.Reports = append(r.DMARC.Reports, dest)
	}
}
