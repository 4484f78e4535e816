package authcheck

import (
	"strings"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
)

// Methods returns the RFC 8601 method results, one per check: iprev, spf,
// one dkim per signature ("dkim=none" for an unsigned message), dmarc.
func (r *Result) Methods() []string {
	m := []string{r.IPRev.AuthResult(), r.SPF.AuthResult()}
	if len(r.DKIM) == 0 {
		m = append(m, "dkim=none")
	}
	for i := range r.DKIM {
		m = append(m, r.DKIM[i].String())
	}
	if r.FromErr != nil {
		m = append(m, "dmarc=permerror (no single From address)")
	} else {
		m = append(m, r.DMARC.AuthResult())
	}
	return m
}

// AuthenticationResults returns the Authentication-Results header field
// (RFC 8601 §2.2) with authservID, one method per folded line, ending in
// CRLF.
func (r *Result) AuthenticationResults(authservID string) string {
	return "Authentication-Results: " + authservID + ";\r\n\t" +
		strings.Join(r.Methods(), ";\r\n\t") + "\r\n"
}

// ReceivedSPF returns the Received-SPF header field, ending in CRLF.
func (r *Result) ReceivedSPF(receiver string) string {
	return r.SPF.ReceivedSPF(receiver)
}

// StripForged removes Authentication-Results fields that claim to come
// from authservID: RFC 8601 §5 asks an MX to delete them, since only it may
// have written them.
func StripForged(msg []byte, authservID string) ([]byte, int) {
	return mailmsg.Remove(msg, func(f mailmsg.Field) bool {
		if !strings.EqualFold(f.Name, "Authentication-Results") {
			return false
		}
		id, _, _ := strings.Cut(f.Value(), ";")
		id, _, _ = strings.Cut(strings.TrimSpace(id), " ")
		return strings.EqualFold(id, authservID)
	})
}

// Summary is a one-line verdict for logs: "iprev=pass spf=pass dkim=pass
// dmarc=pass action=accept".
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
	return "iprev=" + string(r.IPRev.Result) + " spf=" + string(r.SPF.Result) +
		" dkim=" + dk + " dmarc=" + dm + " action=" + r.Action().String()
}
