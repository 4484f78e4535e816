package outbound

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mailsmith/mailsmith/mx"
	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// ErrDeferred marks a delivery put off because a TLS policy could not be
// learnt for sure (a temporary or bogus DNS answer): never a silent
// downgrade to a delivery without the policy (RFC 7672 §2.1.1).
var ErrDeferred = errors.New("TLS policy unknown for now, delivery deferred")

// Policies looks up the TLS policies of domain, whose MX hosts are hosts
// (in order): the DANE status of each host when d.DANE is set, the MTA-STS
// policy when d.MTASTS is set, and plans the delivery (mtasts.PlanDelivery).
//
// A temporary DNS failure of either lookup defers the whole domain
// (ErrDeferred). An MTA-STS policy that cannot be fetched, with nothing
// cached, means delivery as without one (RFC 8461 §3.3), counted as an
// sts-policy-fetch-error or sts-policy-invalid failure in the TLS report.
func (d *Deliverer) Policies(ctx context.Context, domain string, hosts []mx.Host) (*Policies, error) {
	p := &Policies{Domain: normalize(domain), RootCAs: d.RootCAs}
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	if d.DANE != nil {
		dest, err := dane.Lookup(ctx, d.DANE, p.Domain)
		switch {
		case err == nil:
			p.DANE = map[string]dane.Host{}
			for _, h := range dest.Hosts {
				p.DANE[normalize(h.Name)] = h
			}
		case errors.Is(err, dane.ErrTemporary): // ErrBogus too
			return nil, fmt.Errorf("DANE lookup for %s: %w: %w", p.Domain, ErrDeferred, err)
		default:
			// No such domain, null MX: the MX lookup already decided;
			// DANE has nothing to add.
		}
	}
	if d.MTASTS != nil {
		lr, err := d.MTASTS.Lookup(ctx, p.Domain)
		switch {
		case err == nil:
			p.STS = lr.Policy
		case mtasts.IsNoPolicy(err):
			d.reportFetchError(p.Domain, err)
		default:
			return nil, fmt.Errorf("MTA-STS policy of %s: %w: %w", p.Domain, ErrDeferred, err)
		}
	}
	p.Plan = mtasts.PlanDelivery(p.STS, names)
	return p, nil
}

// reportFetchError counts a policy that was announced but could not be
// fetched or read (RFC 8460 §4.3.2.2).
func (d *Deliverer) reportFetchError(domain string, err error) {
	if d.TLSReport == nil {
		return
	}
	var rt tlsrpt.ResultType
	switch {
	case errors.Is(err, mtasts.ErrPolicySyntax):
		rt = tlsrpt.ResultSTSPolicyInvalid
	case errors.Is(err, mtasts.ErrPolicyFetch):
		rt = tlsrpt.ResultSTSPolicyFetchError
	default:
		return // no policy announced
	}
	d.TLSReport.AddFailure(tlsrpt.PolicyInfo{Type: tlsrpt.PolicySTS, Domain: domain},
		tlsrpt.FailureDetails{ResultType: rt, AdditionalInformation: oneLine(err.Error())})
}

// oneLine joins the lines of a (joined) error's text.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
