package authcheck

import (
	"fmt"
	"strings"

	"github.com/mailsmith/mailsmith/dkim/arc"
	"github.com/mailsmith/mailsmith/dmarc"
)

// Override records a local policy override of a DMARC failure on the word
// of a trusted ARC sealer (RFC 8617 §7.2; RFC 9990's reason local_policy).
type Override struct {
	Sealer   string // d= of the trusted set's ARC-Seal
	Instance int    // i= of that set
	// Result is the sealer's result the override rests on, as its
	// ARC-Authentication-Results wrote it ("dmarc=pass ... header.from=
	// example.org" or "dkim=pass header.d=example.org ...").
	Result string
}

// Note is the comment the dmarc result gets in Authentication-Results:
// "policy override: arc from example.net i=1".
func (o *Override) Note() string {
	return fmt.Sprintf("policy override: arc from %s i=%d", o.Sealer, o.Instance)
}

// arcOverride applies the rule of Checker.TrustARC to a checked message and
// returns the override, or nil when the rule does not hold:
//
//  1. DMARC failed (Fail; none, temperror and permerror are no failures
//     a domain owner asked to act on);
//  2. the ARC chain passes (arc=pass; fail, none and temperror never
//     override);
//  3. the newest set whose ARC-Seal is by one of the trusted domains
//     (arc.Result.SealedBy) still has a verifying ARC-Message-Signature:
//     its instance is at least the oldest-pass one, so the message is as
//     that sealer sent it (changes made before it are what ARC is for,
//     changes after it are not covered);
//  4. that set's ARC-Authentication-Results hold, for the message's From
//     domain (compared without regard to case or a final dot), dmarc=pass
//     with header.from= that domain, or dkim=pass with header.d= that
//     domain itself (strict alignment: the sealer's own DMARC result
//     covers relaxed alignment).
func arcOverride(trusted []string, r *Result) *Override {
	if len(trusted) == 0 || r.FromErr != nil || r.DMARC.Result != dmarc.Fail || r.ARC.Status != arc.Pass {
		return nil
	}
	set, ok := r.ARC.SealedBy(trusted...)
	if !ok || set.Seal == nil || set.Instance < r.ARC.OldestPass {
		return nil
	}
	aar, err := set.Results()
	if err != nil {
		return nil
	}
	// dmarc=pass first: it is the sealer's verdict on the From domain.
	for _, want := range []struct{ method, prop string }{{"dmarc", "from"}, {"dkim", "d"}} {
		for _, res := range aar.Results {
			if res.Method != want.method || res.Value != "pass" {
				continue
			}
			for _, p := range res.Props {
				if p.Type == "header" && p.Name == want.prop && sameDomain(p.Value, r.FromDomain) {
					return &Override{Sealer: set.Seal.Domain, Instance: set.Instance, Result: res.Text}
				}
			}
		}
	}
	return nil
}

// sameDomain compares domain names without regard to case or a final dot.
func sameDomain(a, b string) bool {
	a, b = strings.TrimSuffix(a, "."), strings.TrimSuffix(b, ".")
	return a != "" && strings.EqualFold(a, b)
}

// NormalizeSealers lower-cases the domains of a -trust-arc-sealer list and
// drops final dots and empty items.
func NormalizeSealers(list string) []string {
	var out []string
	for _, d := range strings.Split(list, ",") {
		if d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), "."); d != "" {
			out = append(out, d)
		}
	}
	return out
}
