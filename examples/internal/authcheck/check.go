package authcheck

import (
	"bytes"
	"context"
	"net/netip"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/dkim/arc"
	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/ptr"
	"github.com/mailsmith/mailsmith/spf"
)

// Checker runs the checks. Hostname is this MX's name: the SPF receiver
// and the authserv-id of the Authentication-Results field.
type Checker struct {
	Resolver resolver.Resolver
	Hostname string
	// TrustARC lists the ARC sealers (lower-case domains) whose results
	// may override a DMARC failure, a local policy (RFC 8617 §7.2): a
	// mailing list or forwarder this MX knows to check mail before it
	// changes it. Empty: DMARC failures are never overridden. The exact
	// rule is arcOverride's.
	TrustARC []string
}

// Input is what the MX knows about one message.
type Input struct {
	IP       netip.Addr // the SMTP client's address
	HELO     string     // its EHLO/HELO name
	MailFrom string     // the envelope sender; "" for a bounce
	Message  []byte     // the message as received
}

// Result holds every check's outcome. The Err fields say why a check did
// not pass cleanly (temperror, permerror); they never stop the others.
type Result struct {
	IPRev    ptr.Verdict
	IPRevErr error

	SPF       spf.Verdict
	SPFErr    error
	SPFDomain string // the domain SPF checked: MAIL FROM's, else HELO (spf.Verdict.IdentityDomain)

	DKIM    []dkim.Verification
	DKIMErr error // the message could not be read at all

	FromDomain string // RFC5322.From domain, "" when there is no single one
	FromErr    error

	DMARC    dmarc.Verdict
	DMARCErr error

	// ARC is the validation of the message's ARC chain (RFC 8617 §5.2);
	// its AuthResult goes into Authentication-Results.
	ARC    arc.Result
	ARCErr error // the message could not be read
	// Override is set when DMARC failed but a trusted sealer's ARC
	// results vouch for the From domain (Checker.TrustARC): the message
	// is accepted.
	Override *Override
}

// Check runs iprev, SPF, DKIM, ARC and then DMARC, which needs SPF and
// DKIM, and the ARC override of a DMARC failure (TrustARC).
func (c *Checker) Check(ctx context.Context, in Input) *Result {
	r := &Result{}
	r.IPRev, r.IPRevErr = (&ptr.Verifier{Resolver: c.Resolver}).Verify(ctx, in.IP)

	r.SPF, r.SPFErr = (&spf.Checker{Resolver: c.Resolver, Receiver: c.Hostname}).Check(ctx, in.IP, in.HELO, in.MailFrom)
	r.SPFDomain = r.SPF.IdentityDomain()

	r.DKIM, r.DKIMErr = (&dkim.Verifier{Resolver: c.Resolver}).Verify(ctx, bytes.NewReader(in.Message))
	r.ARC, r.ARCErr = (&arc.Verifier{Resolver: c.Resolver}).Verify(ctx, bytes.NewReader(in.Message))

	r.FromDomain, r.FromErr = mailmsg.FromDomain(in.Message)
	if r.FromErr != nil {
		r.DMARC = dmarc.Verdict{Result: dmarc.PermError}
		r.DMARCErr = r.FromErr
		return r
	}
	var passed []string
	for _, v := range r.DKIM {
		if v.Result == dkim.Pass {
			passed = append(passed, v.Domain)
		}
	}
	r.DMARC, r.DMARCErr = (&dmarc.Checker{Resolver: c.Resolver}).Check(ctx, dmarc.Input{
		FromDomain:  r.FromDomain,
		SPFDomain:   r.SPFDomain,
		SPFPass:     r.SPF.Result == spf.Pass,
		DKIMDomains: passed,
	})
	r.Override = arcOverride(c.TrustARC, r)
	return r
}

// DKIMPassed returns the verifications that passed.
func (r *Result) DKIMPassed() []dkim.Verification {
	var ok []dkim.Verification
	for _, v := range r.DKIM {
		if v.Result == dkim.Pass {
			ok = append(ok, v)
		}
	}
	return ok
}
