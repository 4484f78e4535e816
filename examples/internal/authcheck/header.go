package authcheck

import (
	"errors"
	"fmt"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/dmarc"
)

// Methods returns the RFC 8601 method results, one per check, as the
// suite's packages write them (their AuthResult methods): iprev, spf, one
// dkim per signature ("dkim=none" for an unsigned message), arc (RFC 8617
// §7.1), dmarc. A DMARC failure overridden on a trusted sealer's ARC
// results says so in a comment: "dmarc=fail (p=reject dis=reject)
// header.from=example.org (policy override: arc from example.net i=1)".
func (r *Result) Methods() []string {
	m := []string{r.IPRev.AuthResult(), r.SPF.AuthResult()}
	m = append(m, dkim.AuthResults(r.DKIM)...) // dkim.NoSignature when unsigned
	m = append(m, r.ARC.AuthResult())
	switch {
	case r.FromErr != nil:
		m = append(m, "dmarc=permerror (no single From address)")
	case r.Override != nil:
		m = append(m, r.DMARC.AuthResult()+" ("+r.Override.Note()+")")
	default:
		m = append(m, r.DMARC.AuthResult())
	}
	return m
}

// Header returns the Authentication-Results field (RFC 8601 §2.2) of the
// checks with authservID, built by package authres; Field writes it folded
// at 78 columns. A method string that authres cannot read is left out and
// named in the error, with the header of the others: the field is still
// worth adding. An authservID that authres refuses gives only the error.
func (r *Result) Header(authservID string) (*authres.Header, error) {
	h, err := authres.Build(authservID)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, m := range r.Methods() {
		if err := h.Add(m); err != nil {
			errs = append(errs, fmt.Errorf("left out %q: %w", m, err))
		}
	}
	return h, errors.Join(errs...)
}

// ReceivedSPF returns the Received-SPF header field, ending in CRLF.
func (r *Result) ReceivedSPF(receiver string) string {
	return r.SPF.ReceivedSPF(receiver)
}

// Summary is a one-line verdict for logs: "iprev=pass spf=pass dkim=pass
// arc=none dmarc=pass action=accept", with "override=arc:<sealer>" before
// the action when a trusted sealer's ARC results overrode a DMARC failure.
func (r *Result) Summary() string {
	dk := "none"
	if len(r.DKIM) > 0 {
		dk = string(r.DKIM[0].Result)
		if len(r.DKIMPassed()) > 0 {
			dk = "pass"
		}
	}
	dm := string(r.DMARC.Result)
	if r.DMARC.Result == dmarc.Fail {
		dm += "(" + string(r.DMARC.Disposition) + ")"
	}
	arcStatus := string(r.ARC.Status)
	if r.ARC.Temporary() {
		arcStatus = "temperror"
	}
	if arcStatus == "" {
		arcStatus = "none"
	}
	if r.Override != nil {
		dm += " override=arc:" + r.Override.Sealer
	}
	return "iprev=" + string(r.IPRev.Result) + " spf=" + string(r.SPF.Result) +
		" dkim=" + dk + " arc=" + arcStatus + " dmarc=" + dm + " action=" + r.Action().String()
}
