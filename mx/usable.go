package mx

import (
	"errors"
	"fmt"
	"strings"
)

// noAddresses applies RFC 5321 §5.1 ("MX records are present, but none of
// them are usable ... MUST be reported as an error") once addresses are
// resolved: when no host has an address, the outcome is ErrNoUsableMX if
// every host answered "not found", and a temporary failure if any lookup
// failed (it may yet give an address). Either error wraps every host's
// Err. It returns nil when some host has an address.
func noAddresses(rt Route) error {
	if len(rt.Hosts) == 0 {
		return nil
	}
	var failed, missing hostErrors
	for _, h := range rt.Hosts {
		switch {
		case len(h.Addrs) > 0:
			return nil
		case errors.Is(h.Err, ErrTemporary):
			failed = append(failed, h)
		default:
			missing = append(missing, h)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: no MX host of %s has an address yet, and the lookups of %d of its %d hosts failed: %w",
			ErrTemporary, rt.Domain, len(failed), len(rt.Hosts), append(failed, missing...))
	}
	return fmt.Errorf("%w: %s: none of its %d MX hosts has an A or AAAA record: %w",
		ErrNoUsableMX, rt.Domain, len(rt.Hosts), missing)
}

// hostErrors holds hosts whose address resolution failed, and unwraps to
// their errors. Unlike errors.Join it prints them on one line.
type hostErrors []Host

func (e hostErrors) Error() string {
	var b strings.Builder
	for i, h := range e {
		if i > 0 {
			b.WriteString("; ")
		}
		if h.Err == nil || errors.Is(h.Err, ErrNoAddresses) {
			b.WriteString(h.Name + ": no A or AAAA record")
			continue
		}
		// The package prefix is already at the front of the whole message.
		b.WriteString(strings.TrimPrefix(h.Err.Error(), ErrTemporary.Error()+": "))
	}
	return b.String()
}

func (e hostErrors) Unwrap() []error {
	errs := make([]error, len(e))
	for i, h := range e {
		errs[i] = h.Err
	}
	return errs
}
