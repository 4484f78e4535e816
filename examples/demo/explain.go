package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/dkim/arc"
	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/ptr"
	"github.com/mailsmith/mailsmith/spf"
)

// The texts below turn each check's result into a sentence.

func iprevText(c *authcheck.Result) string {
	if c.IPRev.Result == ptr.Pass {
		return fmt.Sprintf("%s has reverse DNS names (%s) that lead back to it; all servers here share it",
			c.IPRev.IP, strings.Join(c.IPRev.Names, ", "))
	}
	return fmt.Sprintf("%s: %v", c.IPRev.IP, c.IPRevErr)
}

func spfText(c *authcheck.Result) string {
	switch c.SPF.Result {
	case spf.Pass:
		return fmt.Sprintf("%s allows %s to send its mail (mechanism %q)", c.SPF.Domain, c.SPF.ClientIP, c.SPF.Mechanism)
	case spf.Fail:
		return fmt.Sprintf("%s does not allow %s to send its mail", c.SPF.Domain, c.SPF.ClientIP)
	case spf.None:
		return fmt.Sprintf("%s publishes no SPF record", c.SPFDomain)
	}
	return fmt.Sprintf("%s: %v", c.SPFDomain, c.SPFErr)
}

func dkimText(v dkim.Verification) string {
	who := fmt.Sprintf("%s signature by %s (selector %s)", v.Algorithm, v.Domain, v.Selector)
	switch {
	case v.Result == dkim.Pass:
		return who + " verifies: the message is unchanged"
	case errors.Is(v.Err, dkim.ErrSignatureMismatch):
		return who + " does not verify with the published key: forged"
	case errors.Is(v.Err, dkim.ErrBodyHashMismatch):
		return who + ": the body was changed on the way"
	}
	return fmt.Sprintf("%s: %v", who, v.Err)
}

func dmarcText(c *authcheck.Result) string {
	d := c.DMARC
	switch d.Result {
	case dmarc.Pass:
		var by []string
		sameOrg := false
		if d.SPFAligned {
			by = append(by, "SPF for "+c.SPFDomain)
			sameOrg = sameOrg || c.SPFDomain != d.FromDomain
		}
		if passed := c.DKIMPassed(); d.DKIMAligned && len(passed) > 0 {
			by = append(by, "DKIM for "+passed[0].Domain)
			sameOrg = sameOrg || passed[0].Domain != d.FromDomain
		}
		text := fmt.Sprintf("the From: domain %s is backed by %s", d.FromDomain, strings.Join(by, " and "))
		if sameOrg {
			text += " (same organization, relaxed alignment)"
		}
		return text
	case dmarc.Fail:
		return fmt.Sprintf("neither SPF nor DKIM vouches for %s, whose policy is p=%s", d.FromDomain, d.PublishedPolicy)
	case dmarc.None:
		return fmt.Sprintf("%s publishes no DMARC policy", c.FromDomain)
	}
	return fmt.Sprintf("%s: %v", c.FromDomain, c.DMARCErr)
}

// arcStatus is the arc= result as Authentication-Results writes it.
func arcStatus(c *authcheck.Result) string {
	if c.ARC.Temporary() {
		return "temperror"
	}
	if c.ARC.Status == "" {
		return string(arc.None)
	}
	return string(c.ARC.Status)
}

func arcText(c *authcheck.Result) string {
	r := c.ARC
	switch {
	case r.Status == arc.Pass:
		n := r.Instances[len(r.Instances)-1]
		return fmt.Sprintf("%d ARC set(s), the newest sealed by %s: every seal and the newest message signature verify", r.Sets, n.Seal.Domain)
	case r.Status == arc.Fail:
		return fmt.Sprintf("the ARC chain is broken: %v", r.Err)
	}
	return "no ARC headers: no forwarder vouched for what it saw"
}

func actionText(a authcheck.Action) string {
	switch a {
	case authcheck.Reject:
		return "reject, with 550 5.7.1"
	case authcheck.Quarantine:
		return "quarantine: deliver to the Junk folder"
	}
	return "accept: deliver to the inbox"
}
