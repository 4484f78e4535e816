package dane

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Status says what DANE asks of the delivery to one MX host
// (RFC 7672 §2.2).
type Status string

const (
	// StatusNone: DANE does not apply (an insecure MX RRset, insecure
	// address records, no secure TLSA records). Deliver as without DANE:
	// opportunistic TLS, or MTA-STS when the domain has a policy.
	StatusNone Status = "none"
	// StatusVerify: secure, usable TLSA records. TLS is mandatory and the
	// server's chain must pass Verify with Host.Records and Host.Names
	// (Host.TLSConfig does that); otherwise do not deliver to this host.
	StatusVerify Status = "verify"
	// StatusEncrypt: secure TLSA records, none of them usable. TLS is
	// mandatory, the server is not authenticated (RFC 7672 §2.2, §3.1).
	StatusEncrypt Status = "encrypt"
	// StatusDefer: a lookup failed (bogus, SERVFAIL, timeout): do not
	// deliver to this host now and never fall back to delivery without
	// DANE (RFC 7672 §2.1.1); Host.Err says why.
	StatusDefer Status = "defer"
)

// Limits of Lookup.
const (
	// MaxHosts is the number of MX hosts Lookup examines, the most
	// preferred first.
	MaxHosts = 16
	// MaxCNAME is the number of CNAME links Lookup follows for one host.
	MaxCNAME = 10
)

// Destination is the DANE status of a mail domain: whether its MX RRset
// is secure, and per MX host what applies.
type Destination struct {
	Domain     string // the next-hop domain asked for, absolute, lower case
	MXSecure   bool   // the MX RRset (or, for ImplicitMX, its denial) was secure
	ImplicitMX bool   // no MX records: the domain itself is the host (RFC 5321 §5.1)
	Hosts      []Host // in order of MX preference
}

// Host is the DANE status of one MX host (RFC 7672 §2.2).
type Host struct {
	Name   string // the MX host name, absolute, lower case
	Pref   uint16 // its MX preference
	Status Status
	// Addrs are the host's addresses (A, then AAAA), to dial with the TLS
	// policy Status asks for.
	Addrs []netip.Addr
	// Expanded is the name at the end of the host's CNAME chain, Name
	// when it is not an alias.
	Expanded string
	// BaseDomain is the TLSA base domain where the records were found:
	// Expanded when the whole chain was secure and had records there,
	// otherwise Name (RFC 7672 §2.2.3). It is what the client sends as
	// Server Name Indication (RFC 7672 §8.1).
	BaseDomain string
	// Records are the TLSA records found at _25._tcp.<BaseDomain>, all
	// of them (Verify skips the unusable ones).
	Records []Record
	// Names are the reference identifiers for DANE-TA(2) name checks
	// (RFC 7672 §3.2.2): the TLSA base domain and the next-hop domain
	// (given when the MX RRset was secure), without trailing dots. When
	// the base domain is the expanded name, the original MX host name is
	// not one of them, as with Postfix and danecheck.
	Names []string
	// Err is why Status is StatusDefer, or why a host has no addresses.
	Err error
}

// Lookup finds the MX hosts of domain and what DANE asks for each of them
// (RFC 7672 §2.2). An MX RRset that is not secure means no DANE for any
// host (StatusNone; the addresses are still looked up). RFC 7672 §2.2.1
// allows DANE for the hosts of an insecure MX RRset too, as Postfix's
// smtp_tls_dane_insecure_mx_policy=dane does: a caller wanting that calls
// LookupHost for each host. For a secure one, each host's addresses are looked up
// following CNAMEs one link at a time, then its TLSA records at
// _25._tcp.<host>: StatusVerify, StatusEncrypt, StatusNone or
// StatusDefer as Status describes. A domain without MX records is its own
// host (RFC 5321 §5.1, RFC 7672 §2.2.2).
//
// The error is for the domain as a whole: ErrNXDomain (it does not exist),
// ErrNullMX, or a failed MX lookup (ErrBogus, ErrTemporary: defer the
// whole delivery, never downgrade).
func Lookup(ctx context.Context, r Resolver, domain string) (*Destination, error) {
	domain = strings.ToLower(dns.Fqdn(domain))
	if _, ok := dns.IsDomainName(domain); !ok || domain == "." {
		return nil, fmt.Errorf("dane: %q is not a domain name", clip(domain))
	}
	d := &Destination{Domain: domain}
	mxs, secure, err := r.LookupMX(ctx, domain)
	d.MXSecure = secure
	switch {
	case isNoData(err):
		d.ImplicitMX = true
		d.Hosts = []Host{{Name: domain}}
	case err != nil:
		return d, fmt.Errorf("dane: MX lookup of %s: %w", domain, err)
	default:
		if len(mxs) == 1 && mxs[0].Host == "." {
			return d, fmt.Errorf("%w: %s", ErrNullMX, domain)
		}
		seen := map[string]bool{}
		for _, mx := range mxs {
			name := strings.ToLower(dns.Fqdn(mx.Host))
			if name == "." || seen[name] {
				continue
			}
			seen[name] = true
			d.Hosts = append(d.Hosts, Host{Name: name, Pref: mx.Pref})
			if len(d.Hosts) == MaxHosts {
				break
			}
		}
	}
	for i := range d.Hosts {
		h := &d.Hosts[i]
		if !d.MXSecure {
			// No DANE; the addresses still, for the caller to dial.
			h.Status = StatusNone
			h.Expanded, h.BaseDomain = h.Name, h.Name
			if _, err := lookupAddrs(ctx, r, h, h.Name); err != nil {
				h.Status, h.Err = StatusDefer, err
			}
			continue
		}
		lookupHost(ctx, r, h, 25, domain)
	}
	return d, nil
}

// LookupHost finds what DANE asks for one host reached at port, as for an
// MX host of a secure MX RRset (RFC 7672 §2.2.2, §2.2.3). nextHop, when not
// empty, joins the reference identifiers: the recipient domain for an MX
// host, the host itself for a destination reached without MX records
// (RFC 7672 §2.2.2). Port 0 means 25.
func LookupHost(ctx context.Context, r Resolver, host string, port int, nextHop string) Host {
	h := Host{Name: strings.ToLower(dns.Fqdn(host))}
	if port == 0 {
		port = 25
	}
	if nextHop != "" {
		nextHop = strings.ToLower(dns.Fqdn(nextHop))
	}
	lookupHost(ctx, r, &h, port, nextHop)
	return h
}

// lookupHost fills in h after the MX lookup.
func lookupHost(ctx context.Context, r Resolver, h *Host, port int, nextHop string) {
	h.Status = StatusNone
	h.Expanded, h.BaseDomain = h.Name, h.Name
	deferHost := func(err error) {
		h.Status = StatusDefer
		h.Err = err
	}

	// The CNAME chain, one link at a time, to know which links are
	// secure: the first decides whether DANE applies at all, all of them
	// whether the expanded name may serve as TLSA base domain.
	name := h.Name
	firstSecure, chainSecure := true, true
	seen := map[string]bool{name: true}
	for i := 0; ; i++ {
		target, secure, err := r.LookupCNAME(ctx, name)
		if i == 0 {
			firstSecure = secure
		}
		chainSecure = chainSecure && secure
		if isNotFound(err) {
			break
		}
		if err != nil {
			deferHost(fmt.Errorf("dane: CNAME lookup of %s: %w", name, err))
			return
		}
		target = strings.ToLower(dns.Fqdn(target))
		if seen[target] || i == MaxCNAME {
			deferHost(fmt.Errorf("dane: CNAME chain of %s loops or is longer than %d links", h.Name, MaxCNAME))
			return
		}
		seen[target] = true
		name = target
	}
	h.Expanded = name

	addrSecure, err := lookupAddrs(ctx, r, h, name)
	if err != nil {
		deferHost(err)
		return
	}
	if len(h.Addrs) == 0 {
		return
	}
	// RFC 7672 §2.2.2: insecure address records, no DANE.
	if !firstSecure || !addrSecure {
		return
	}

	candidates := []string{h.Name}
	if name != h.Name && chainSecure {
		candidates = []string{name, h.Name} // RFC 7672 §2.2.3
	}
	prefix := "_" + strconv.Itoa(port) + "._tcp."
	for _, base := range candidates {
		recs, secure, err := r.LookupTLSA(ctx, prefix+base)
		switch {
		case isNotFound(err):
			continue
		case err != nil:
			deferHost(fmt.Errorf("dane: TLSA lookup of %s%s: %w", prefix, base, err))
			return
		case !secure || len(recs) == 0:
			continue // insecure TLSA records do not count (RFC 7672 §2.2)
		}
		h.BaseDomain = base
		h.Records = recs
		h.Names = referenceIDs(base, nextHop)
		h.Status = StatusEncrypt
		if len(usableOnly(recs)) > 0 {
			h.Status = StatusVerify
		}
		return
	}
}

// lookupAddrs looks up the A and AAAA records of name into h.Addrs and
// reports whether both answers were secure. A failure other than not
// found is returned; no address at all is put in h.Err.
func lookupAddrs(ctx context.Context, r Resolver, h *Host, name string) (bool, error) {
	allSecure := true
	var notFound error
	for _, network := range [2]string{"ip4", "ip6"} {
		addrs, secure, err := r.LookupNetIP(ctx, network, name)
		allSecure = allSecure && secure
		switch {
		case isNotFound(err):
			notFound = err
		case err != nil:
			return false, fmt.Errorf("dane: address lookup of %s: %w", name, err)
		}
		h.Addrs = append(h.Addrs, addrs...)
	}
	if len(h.Addrs) == 0 {
		h.Err = fmt.Errorf("dane: %s has no addresses: %w", name, notFound)
	}
	return allSecure, nil
}

// isNotFound reports whether err says the name or the records do not
// exist: ErrNXDomain, ErrNoData, or a *net.DNSError with IsNotFound (from a
// Resolver of the caller's that follows DESIGN's convention).
func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.Is(err, ErrNoData) || errors.Is(err, ErrNXDomain) || errors.As(err, &de) && de.IsNotFound
}

// isNoData reports whether err says the name exists without records of
// the type: ErrNoData, or a not-found *net.DNSError that is not
// ErrNXDomain (a resolver that cannot tell them apart).
func isNoData(err error) bool {
	return isNotFound(err) && !errors.Is(err, ErrNXDomain)
}

// referenceIDs lists the names a DANE-TA(2) certificate may match.
func referenceIDs(base, nextHop string) []string {
	var out []string
	add := func(n string) {
		n = strings.TrimSuffix(n, ".")
		for _, o := range out {
			if o == n {
				return
			}
		}
		if n != "" {
			out = append(out, n)
		}
	}
	add(base)
	add(nextHop)
	return out
}

// usableOnly returns the usable records.
func usableOnly(recs []Record) []Record {
	var out []Record
	for _, r := range recs {
		if r.Usable() == nil {
			out = append(out, r)
		}
	}
	return out
}
