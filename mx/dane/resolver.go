package dane

import (
	"context"
	"net"
	"net/netip"
)

// Resolver is what Lookup needs from DNS: lookups that also say whether
// the answer was secure, that is validated by DNSSEC (RFC 4033 §5,
// RFC 4035 §4.3). *DNSResolver is the implementation this package ships;
// *net.Resolver cannot be one, as it does not tell secure answers from
// insecure ones (DESIGN: "DNSSEC").
//
// Names are absolute ("mx.example.org."). An error wraps one of
// ErrNXDomain, ErrNoData, ErrBogus or ErrTemporary, and a *net.DNSError.
// Lookup also takes a *net.DNSError with IsNotFound alone as "no such
// records" (as ErrNoData for the MX lookup); any other error defers.
// secure is meaningful with ErrNXDomain and ErrNoData too: it says whether
// the denial of existence was validated (RFC 7672 §2.1.1 needs this).
type Resolver interface {
	// LookupMX returns the MX records of name (after any CNAME the
	// resolver followed).
	LookupMX(ctx context.Context, name string) (mxs []*net.MX, secure bool, err error)
	// LookupNetIP returns the addresses of host; network is "ip4" (A
	// records) or "ip6" (AAAA). The resolver follows CNAMEs; secure
	// covers the whole chain.
	LookupNetIP(ctx context.Context, network, host string) (addrs []netip.Addr, secure bool, err error)
	// LookupCNAME returns the target of the CNAME record of name itself,
	// one step, not the end of a chain: no CNAME at name is ErrNoData (or
	// ErrNXDomain). Lookup follows a chain step by step to learn which
	// links are secure (RFC 7672 §2.2.3).
	LookupCNAME(ctx context.Context, name string) (target string, secure bool, err error)
	// LookupTLSA returns the TLSA records at name (for SMTP,
	// "_25._tcp.<host>."), following CNAMEs; secure covers the chain.
	LookupTLSA(ctx context.Context, name string) (records []Record, secure bool, err error)
}
