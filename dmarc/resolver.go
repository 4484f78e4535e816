package dmarc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// Resolver is the DNS interface the Checker needs; *net.Resolver
// satisfies it. LookupTXT finds policy records; LookupNetIP and LookupMX
// tell whether an Author Domain exists, for the np tag.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
}

// dnsOutcome classifies a lookup error: nil for success, errNotFound for
// NXDOMAIN/NODATA, otherwise an error wrapping ErrTempError.
var errNotFound = errors.New("not found")

func classify(name string, err error) error {
	if err == nil {
		return nil
	}
	var de *net.DNSError
	if errors.As(err, &de) && de.IsNotFound {
		return errNotFound
	}
	return fmt.Errorf("%w: %s: %v", ErrTempError, name, err)
}

func (c *Checker) resolver() Resolver {
	if c.Resolver == nil {
		return net.DefaultResolver
	}
	return c.Resolver
}
