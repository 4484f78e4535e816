package dmarc

import (
	"context"
	"errors"
	"net"
	"net/netip"
)

// Resolver is the DNS interface the Checker needs; *net.Resolver
// satisfies it. LookupTXT finds policy records and report destinations;
// LookupNetIP and LookupMX tell whether an Author Domain exists, for the
// np tag.
//
// Every name arrives absolute, in A-labels and lower case, with the
// trailing dot:
//
//	_dmarc.example.com.                          LookupTXT, policy records
//	example.com._report._dmarc.rua.example.net.  LookupTXT, report destinations
//	mail.example.com.                            LookupNetIP, LookupMX (np)
//
// A resolver backed by a map must key it the same way: a key without the
// dot is never asked for, so every lookup would read as "no record" and
// every result as none.
//
// LookupNetIP receives network "ip4" (A records) or "ip6" (AAAA records),
// never "ip"; it is called only for the np existence test.
//
// To report that a name has no record (NXDOMAIN or NODATA), return a
// *net.DNSError with IsNotFound set, as *net.Resolver does; any other
// error is a temporary failure (TempError, an error wrapping
// ErrTemporary). The package example for Resolver shows an
// in-memory Resolver for tests.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
}

// errNotFound is what classify makes of NXDOMAIN and NODATA.
var errNotFound = errors.New("not found")

// classify sorts a lookup error: nil for success, errNotFound for
// NXDOMAIN/NODATA, otherwise a temporary failure wrapping ErrTemporary
// and a temporary *net.DNSError whose text names the lookup (qtype "TXT",
// name "_dmarc.example.com."). The text is built only for that last case:
// not-found answers are part of every tree walk.
func classify(qtype, name string, err error) error {
	if err == nil {
		return nil
	}
	if isNotFound(err) {
		return errNotFound
	}
	return temporary(qtype+" "+name, err)
}

// isNotFound reports whether err is a *net.DNSError with IsNotFound set,
// or wraps one. The plain type assertion first keeps the common case free
// of errors.As, whose target would have to live on the heap.
func isNotFound(err error) bool {
	if de, ok := err.(*net.DNSError); ok {
		return de.IsNotFound
	}
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

func (c *Checker) resolver() Resolver {
	if c.Resolver == nil {
		return net.DefaultResolver
	}
	return c.Resolver
}
