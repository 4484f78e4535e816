package receiver

import (
	"slices"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/smtp"
)

// The replies refusing a recipient that Recipients.Check gives.
var (
	ErrRelayDenied = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: "relaying denied: not a domain of this server"}
	ErrNoSuchUser  = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such user here"}
)

// Recipients says which addresses a Handler takes mail for: every address
// in Domains, or only Users when it is not empty. Both hold lower-case
// names (full addresses in Users).
type Recipients struct {
	Domains []string
	Users   []string
}

// Check returns rcpt in lower case when it is one of r's addresses, else
// ErrRelayDenied for another domain or ErrNoSuchUser for an unknown user.
func (r Recipients) Check(rcpt string) (string, error) {
	addr := strings.ToLower(rcpt)
	if !slices.Contains(r.Domains, mailmsg.Domain(addr)) {
		return addr, ErrRelayDenied
	}
	if len(r.Users) > 0 && !slices.Contains(r.Users, addr) {
		return addr, ErrNoSuchUser
	}
	return addr, nil
}
