package dmarc

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Result is the DMARC evaluation result (RFC 9989 §9.2, RFC 8601).
type Result string

// Results.
const (
	None      Result = "none"      // no DMARC Policy Record applies
	Pass      Result = "pass"      // an aligned authenticated identifier exists
	Fail      Result = "fail"      // a record applies, no aligned identifier
	TempError Result = "temperror" // a DNS query failed temporarily
	PermError Result = "permerror" // the From domain or the record is unusable
)

// MaxDKIMDomains is how many DKIMDomains of an Input Check considers; each
// may cost a tree walk of up to MaxTreeWalkQueries queries. Further
// domains are ignored (a DKIM verifier limits signatures anyway).
const MaxDKIMDomains = 16

// Checker evaluates DMARC for messages. The zero value uses
// net.DefaultResolver and the RFC 9989 DNS Tree Walk. A Checker is safe for
// concurrent use when its Resolver is and Rand is nil (a *rand.Rand is not
// safe for concurrent use).
type Checker struct {
	// Resolver answers LookupTXT (policy records), LookupNetIP and
	// LookupMX (existence of the Author Domain for np). nil:
	// net.DefaultResolver.
	Resolver Resolver
	// Discovery selects the DNS Tree Walk (default) or the Public Suffix
	// List of RFC 7489.
	Discovery Discovery
	// Rand draws the pct sample in PSL mode; nil: the math/rand/v2
	// top-level source.
	Rand *rand.Rand
}

// Input is what DMARC evaluates for one message (RFC 9989 §5.3).
type Input struct {
	FromDomain  string   // RFC5322.From domain (the Author Domain)
	SPFDomain   string   // domain SPF checked (MAIL FROM, else HELO)
	SPFPass     bool     // SPF result for SPFDomain was pass
	DKIMDomains []string // d= of signatures that verified
}

// Verdict is the outcome of Check.
type Verdict struct {
	Result Result
	// Disposition is what the Domain Owner asks for this message: none
	// unless Result is Fail, then the applicable policy lowered one step
	// by t=y (RFC 9989 §4.7) or by an unselected pct sample (PSL mode,
	// RFC 7489 §6.6.4).
	Disposition Policy
	// PublishedPolicy is the applicable policy (p, sp or np, or none when
	// §4.10.1 says to act as p=none) before t=y and pct.
	PublishedPolicy Policy
	// Record is the applied record; nil when none was found. With Result
	// None it may be set: a record was found but has no valid p (or an
	// invalid sp/np) and no valid rua, so RFC 9989 §4.10.1 says no DMARC
	// processing applies.
	Record       *Record
	PolicyDomain string // where Record was found
	// OrgDomain is the Organizational Domain of the Author Domain (the
	// Author Domain itself when the tree walk found no record); "" when a
	// temporary DNS failure hid it.
	OrgDomain   string
	FromDomain  string // the Author Domain, normalized
	SPFAligned  bool
	DKIMAligned bool
	// Testing is set when t=y lowered the disposition; SampledOut when
	// the pct sample (PSL mode) did.
	Testing, SampledOut bool
	// NonExistent is set when np applied: the Author Domain was found not
	// to exist (no A, AAAA or MX). The test is made only when np differs
	// from the policy that would apply otherwise.
	NonExistent bool
	// Err says why the Result is not Pass: for TempError and PermError
	// the same error Check returns (wrapping ErrTemporary, and a
	// *net.DNSError, for a temporary DNS failure; ErrMalformedRecord or
	// ErrInvalidDomain otherwise); for Fail an error wrapping
	// ErrNotAligned that names the identifiers tried. It is nil for Pass
	// and None.
	Err error
}

// String returns the RFC 8601 method string, as AuthResult does.
func (v Verdict) String() string { return v.AuthResult() }

// Check evaluates DMARC for one message (RFC 9989 §5.3; RFC 7489 §6.6 in
// PSL mode). The error is non-nil exactly when Result is TempError or
// PermError; it is Verdict.Err and says why.
func (c *Checker) Check(ctx context.Context, in Input) (Verdict, error) {
	v := Verdict{Result: None, Disposition: PolicyNone}
	author, err := NormalizeDomain(in.FromDomain)
	if err != nil {
		return c.fail(v, inContext("RFC5322.From domain", err))
	}
	v.FromDomain = author
	s := c.newSession()
	rec, pdom, err := s.lookup(ctx, author)
	if err == nil || !isTemp(err) {
		// The walk was complete: the Organizational Domain is known
		// without another query (with no record at all it is the Author
		// Domain itself, RFC 9989 §4.10.2).
		if org, oerr := s.orgDomain(ctx, author); oerr == nil {
			v.OrgDomain = org
		}
	}
	if err != nil {
		return c.fail(v, err)
	}
	if rec == nil {
		return v, nil
	}
	v.Record, v.PolicyDomain = rec, pdom
	asNone, ok := rec.PolicyUsable()
	if !ok {
		// §4.10.1: no valid p (or an invalid sp/np) and no valid rua: no
		// DMARC processing for this message.
		return v, nil
	}

	// Identifier alignment (§4.4, §4.10.2).
	var alignErr error
	if in.SPFPass && in.SPFDomain != "" {
		v.SPFAligned, err = s.aligned(ctx, author, in.SPFDomain, rec.EffectiveSPFAlignment())
		if err != nil {
			alignErr = err
		}
	}
	for i, d := range in.DKIMDomains {
		if i >= MaxDKIMDomains {
			break
		}
		ok, err := s.aligned(ctx, author, d, rec.EffectiveDKIMAlignment())
		if err != nil && alignErr == nil {
			alignErr = err
		}
		if ok {
			v.DKIMAligned = true
			break
		}
	}
	switch {
	case v.SPFAligned || v.DKIMAligned:
		v.Result = Pass
		return v, nil
	case alignErr != nil:
		return c.fail(v, alignErr)
	}
	v.Result = Fail
	v.Err = notAligned(in, rec)

	// Disposition (§4.10.1; RFC 7489 §6.6.4 for pct).
	pol := rec.Policy
	if asNone {
		pol = PolicyNone
	} else if pdom != author && isSubdomain(author, pdom) {
		if rec.SubdomainPolicy != "" {
			pol = rec.SubdomainPolicy
		}
		// The existence test only runs when np would change the policy.
		if np := rec.NonExistentPolicy; np != "" && np != pol {
			exists, err := s.exists(ctx, author)
			if err != nil {
				return c.fail(v, err)
			}
			if !exists {
				pol = np
				v.NonExistent = true
			}
		}
	}
	v.PublishedPolicy = pol
	v.Disposition = pol
	if pol != PolicyNone {
		switch {
		case rec.Testing:
			v.Disposition, v.Testing = lower(pol), true
		case c.Discovery == PSL && rec.EffectivePercent() < 100 && c.intN(100) >= rec.EffectivePercent():
			v.Disposition, v.SampledOut = lower(pol), true
		}
	}
	return v, nil
}

// fail turns an error into a TempError or PermError verdict.
func (c *Checker) fail(v Verdict, err error) (Verdict, error) {
	if isTemp(err) {
		v.Result = TempError
	} else {
		v.Result = PermError
	}
	v.Disposition = PolicyNone
	v.Err = err
	return v, err
}

// notAligned is Verdict.Err for Fail: which identifiers were tried. The
// text is built only when Error is called, so a Check that fails costs
// one small allocation for it, not the formatting.
func notAligned(in Input, rec *Record) error {
	e := &notAlignedError{
		spfDomain: in.SPFDomain,
		spfPass:   in.SPFPass,
		spfMode:   rec.EffectiveSPFAlignment(),
		dkimMode:  rec.EffectiveDKIMAlignment(),
		dkimCount: len(in.DKIMDomains),
	}
	copy(e.dkim[:], in.DKIMDomains)
	return e
}

// notAlignedError names the identifiers a failing Check tried; it wraps
// ErrNotAligned.
type notAlignedError struct {
	spfDomain         string
	spfPass           bool
	spfMode, dkimMode AlignmentMode
	dkim              [3]string // the first DKIM domains
	dkimCount         int
}

func (e *notAlignedError) Error() string {
	var b strings.Builder
	b.WriteString(ErrNotAligned.Error())
	b.WriteString(": ")
	if e.spfPass && e.spfDomain != "" {
		fmt.Fprintf(&b, "SPF domain %q not aligned (%s)", truncate(e.spfDomain, 80), modeName(e.spfMode))
	} else {
		b.WriteString("no SPF pass")
	}
	b.WriteString(", ")
	switch n := e.dkimCount; {
	case n == 0:
		b.WriteString("no valid DKIM signature")
	default:
		b.WriteString("DKIM d=")
		for i, d := range e.dkim[:min(n, len(e.dkim))] {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%q", truncate(d, 80))
		}
		if n > len(e.dkim) {
			fmt.Fprintf(&b, " and %d more", n-len(e.dkim))
		}
		fmt.Fprintf(&b, " not aligned (%s)", modeName(e.dkimMode))
	}
	return b.String()
}

func (e *notAlignedError) Unwrap() error { return ErrNotAligned }

func modeName(m AlignmentMode) string {
	if m == AlignStrict {
		return "strict"
	}
	return "relaxed"
}

// dnsType is the query type of a LookupNetIP network.
func dnsType(network string) string {
	if network == "ip6" {
		return "AAAA"
	}
	return "A"
}

func (c *Checker) intN(n int) int {
	if c.Rand != nil {
		return c.Rand.IntN(n)
	}
	return rand.IntN(n)
}

// lower is the next less strict policy (RFC 9989 §4.7 t=y, RFC 7489
// §6.6.4 pct).
func lower(p Policy) Policy {
	switch p {
	case PolicyReject:
		return PolicyQuarantine
	default:
		return PolicyNone
	}
}

// aligned reports whether an authenticated identifier is aligned with the
// normalized Author Domain (RFC 9989 §3.2.10, §4.10.2). Strict: identical
// names. Relaxed: identical, or the same Organizational Domain by the
// configured discovery method. Names are compared as A-labels, case- and
// trailing-dot-insensitively; an identifier that is not a valid domain
// name never aligns.
func (s *session) aligned(ctx context.Context, author, id string, mode AlignmentMode) (bool, error) {
	d, err := NormalizeDomain(id)
	if err != nil {
		return false, nil
	}
	if d == author {
		return true, nil
	}
	if mode == AlignStrict || !shareSuffix(d, author) {
		return false, nil
	}
	oa, err := s.orgDomain(ctx, author)
	if err != nil {
		return false, err
	}
	// An Organizational Domain is a suffix of its domain: if the
	// author's is not a suffix of d, they cannot match.
	if oa != d && !isSubdomain(d, oa) {
		return false, nil
	}
	od, err := s.orgDomain(ctx, d)
	if err != nil {
		return false, err
	}
	return oa == od, nil
}

// exists reports whether the Author Domain exists for np: it does not
// when A, AAAA and MX all answer NXDOMAIN or NODATA (RFC 9989 §4.7 np,
// §3.2.13; the A/AAAA/MX test of RFC 9091 §2.7 and RFC 9989 Appendix A.4).
func (s *session) exists(ctx context.Context, domain string) (bool, error) {
	r := s.c.resolver()
	host := domain + "."
	var tempErr error
	for _, network := range []string{"ip4", "ip6"} {
		addrs, err := r.LookupNetIP(ctx, network, host)
		switch err := classify(dnsType(network), host, err); {
		case err == nil && len(addrs) > 0:
			return true, nil
		case err != nil && err != errNotFound && tempErr == nil:
			tempErr = err
		}
	}
	mxs, err := r.LookupMX(ctx, host)
	switch err := classify("MX", host, err); {
	case err == nil && len(mxs) > 0:
		return true, nil
	case err != nil && err != errNotFound && tempErr == nil:
		tempErr = err
	}
	if tempErr != nil {
		return false, tempErr
	}
	return false, nil
}

// AuthResult returns the RFC 8601 method result for an
// Authentication-Results header field, e.g.
// "dmarc=fail (p=reject dis=reject) header.from=example.com". The comment
// gives the applicable published policy and the disposition when a record
// applied.
func (v Verdict) AuthResult() string {
	var b strings.Builder
	b.WriteString("dmarc=")
	b.WriteString(string(v.Result))
	if v.Record != nil && (v.Result == Pass || v.Result == Fail) {
		p := v.PublishedPolicy
		if p == "" {
			p = v.applicablePolicy()
		}
		b.WriteString(" (p=")
		b.WriteString(string(p))
		b.WriteString(" dis=")
		b.WriteString(string(v.Disposition))
		b.WriteByte(')')
	}
	if v.FromDomain != "" {
		b.WriteString(" header.from=")
		b.WriteString(v.FromDomain)
	}
	return b.String()
}

// applicablePolicy is the published policy for a passing message (no
// existence test is made for np then).
func (v Verdict) applicablePolicy() Policy {
	r := v.Record
	if asNone, _ := r.PolicyUsable(); asNone {
		return PolicyNone
	}
	if v.PolicyDomain != v.FromDomain && r.SubdomainPolicy != "" {
		return r.SubdomainPolicy
	}
	if r.Policy == "" {
		return PolicyNone
	}
	return r.Policy
}
