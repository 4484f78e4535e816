package authcheck

import (
	"github.com/mailsmith/mailsmith/dmarc"
)

// Action is what the MX does with a checked message.
type Action int

// The actions.
const (
	Accept     Action = iota // deliver to the inbox
	Quarantine               // deliver to the Junk folder
	Reject                   // refuse with 550 5.7.1
)

// String returns "accept", "quarantine" or "reject".
func (a Action) String() string {
	switch a {
	case Quarantine:
		return "quarantine"
	case Reject:
		return "reject"
	}
	return "accept"
}

// Action applies the DMARC disposition (RFC 9989 §5.3): the domain owner's
// policy for a message that failed, already lowered for t=y. A message
// without a single From address is refused too, as RFC 9989 §5.3 allows:
// nobody can tell whose policy applies. DMARC temperror is accepted; the
// Authentication-Results field records it.
func (r *Result) Action() Action {
	if r.FromErr != nil {
		return Reject
	}
	if r.DMARC.Result != dmarc.Fail || r.Override != nil {
		return Accept
	}
	switch r.DMARC.Disposition {
	case dmarc.PolicyReject:
		return Reject
	case dmarc.PolicyQuarantine:
		return Quarantine
	}
	return Accept
}

// RejectText is the text of the 550 5.7.1 reply for a rejected message.
func (r *Result) RejectText() string {
	if r.FromErr != nil {
		return "message refused: it needs exactly one From address"
	}
	return "message refused: " + r.FromDomain + " asks to reject mail that fails DMARC"
}
