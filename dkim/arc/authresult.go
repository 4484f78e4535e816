package arc

import (
	"strconv"
	"strings"
)

// AuthResult returns the "arc" result for an Authentication-Results field
// (RFC 8617 §7.1, the method registered in §10.1; RFC 8601 §2.7), for
// authres.Build:
//
//	arc=none
//	arc=pass (i=2 d=lists.example.org)
//	arc=pass (i=3 d=forwarder.example) header.oldest-pass=2
//	arc=fail (i=2) reason="arc: ARC-Seal did not verify: i=1 ..."
//	arc=temperror (i=1) reason="arc: temporary DNS failure: ..."
//
// The comment names the newest instance and its sealer. header.oldest-pass
// (RFC 8617 §5.2 step 5) is written when an older ARC-Message-Signature
// no longer verifies; it is left out when all of them verify. A
// temporary DNS failure (or an ended ctx) gives temperror (RFC 8601
// §2.7.1), so that it is not read as a broken chain.
func (r Result) AuthResult() string {
	switch r.Status {
	case Pass:
		var b strings.Builder
		b.WriteString("arc=pass (i=")
		b.WriteString(strconv.Itoa(r.Sets))
		if n := len(r.Instances); n > 0 && r.Instances[n-1].Seal != nil {
			b.WriteString(" d=")
			b.WriteString(r.Instances[n-1].Seal.Domain)
		}
		b.WriteString(")")
		if r.OldestPass > 1 {
			b.WriteString(" header.oldest-pass=")
			b.WriteString(strconv.Itoa(r.OldestPass))
		}
		return b.String()
	case Fail:
		word := "fail"
		if r.Temporary() {
			word = "temperror"
		}
		s := "arc=" + word
		if r.Sets > 0 {
			s += " (i=" + strconv.Itoa(r.Sets) + ")"
		}
		if r.Err != nil {
			s += " reason=" + quote(r.Err.Error())
		}
		return s
	}
	return "arc=none"
}

// quote writes s as an RFC 5322 quoted-string, shortened to 120 octets
// and with control characters removed.
func quote(s string) string {
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// SealedBy returns the newest set of a passing chain whose ARC-Seal was
// made by one of domains (d=, compared without regard to case or a final
// dot), and true; false when the chain does not pass or no such set exists.
//
// This is the local-policy override of RFC 8617 §7.2: a receiver that
// trusts a forwarder or mailing list (a list of sealers it chose) may read
// that set's ARC-Authentication-Results (SetResult.Results) to learn what
// SPF, DKIM and DMARC said when the message reached the sealer, before
// the forwarding broke them, and accept a message whose DMARC now fails.
// A chain that passes proves who sealed what; it does not make a sealer
// trustworthy, which is why the caller names them.
func (r Result) SealedBy(domains ...string) (SetResult, bool) {
	if r.Status != Pass {
		return SetResult{}, false
	}
	for i := len(r.Instances) - 1; i >= 0; i-- {
		s := r.Instances[i]
		if s.Seal == nil || !s.SealVerified {
			continue
		}
		for _, d := range domains {
			if strings.EqualFold(strings.TrimSuffix(d, "."), s.Seal.Domain) {
				return s, true
			}
		}
	}
	return SetResult{}, false
}
