package mailmsg

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// ErrFrom reports a message whose author cannot be determined: no From
// field, several, or one that does not hold exactly one address. RFC 9989
// §5.3 asks receivers to reject or ignore such messages rather than guess.
var ErrFrom = errors.New("mailmsg: no single RFC5322.From address")

// FromDomain returns the domain of the single address in the message's
// single From field, in lower case.
func FromDomain(msg []byte) (string, error) {
	addr, err := FromAddress(msg)
	if err != nil {
		return "", err
	}
	return Domain(addr), nil
}

// FromAddress returns the single address of the message's single From field.
func FromAddress(msg []byte) (string, error) {
	froms := Get(msg, "From")
	if len(froms) != 1 {
		return "", fmt.Errorf("%w: %d From fields", ErrFrom, len(froms))
	}
	list, err := mail.ParseAddressList(froms[0])
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrFrom, froms[0], err)
	}
	if len(list) != 1 {
		return "", fmt.Errorf("%w: %d addresses in From", ErrFrom, len(list))
	}
	if Domain(list[0].Address) == "" {
		return "", fmt.Errorf("%w: %q has no domain", ErrFrom, list[0].Address)
	}
	return list[0].Address, nil
}

// Domain returns the part of an address after its last '@', in lower case
// and without a trailing dot; "" when there is none.
func Domain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
}

// LocalPart returns the part of an address before its last '@'.
func LocalPart(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i]
	}
	return addr
}
