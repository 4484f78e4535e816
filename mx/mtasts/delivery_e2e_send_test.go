package mtasts_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
	"github.com/mailsmith/mailsmith/smtp"
)

// deReasonNotInPolicy is the failure-reason-code the sender reports for
// an MX host the MTA-STS policy does not list (result type
// validation-failure, RFC 8460 §4.3.1: the host cannot satisfy the
// policy whatever its certificate).
const deReasonNotInPolicy = "mx-not-in-policy"

// errDeNotInPolicy is the outcome of a host the plan refused.
var errDeNotInPolicy = errors.New("MX host not in the MTA-STS policy: not contacted")

// deAttemptTimeout bounds one delivery attempt.
const deAttemptTimeout = 5 * time.Second

// deOutcome is what happened, on the sender's side, when it tried one MX
// host with one message.
type deOutcome struct {
	Host      string
	Contacted bool // a connection to the host was made
	Delivered bool // the host accepted the message
	// Result is the TLS-RPT result type of the attempt when TLS did not
	// meet the policy (the session is a failure), "" when it did.
	Result tlsrpt.ResultType
	Err    error // why the message was not delivered
}

// deSender is a sending MTA as the suite lets one be written: the MTA-STS
// policy from mtasts.Client, the MX hosts and their addresses from
// mx.Router, the decision per host from mtasts.PlanDelivery, delivery with
// the smtp client under the TLS policy the plan asks for, each session
// counted in a tlsrpt.Builder.
type deSender struct {
	w     *deWorld
	roots *x509.CertPool // the WebPKI roots: the test CA only
	rpt   *tlsrpt.Builder
	seq   atomic.Int64
}

// deDelivery is a looked-up and planned delivery to one domain.
type deDelivery struct {
	domain string
	policy *mtasts.Policy // nil without a policy
	plan   mtasts.Plan
	addrs  map[string]netip.Addr // first address of each MX host
}

// prepare finds the policy and the MX hosts of domain and plans the
// delivery.
func (s *deSender) prepare(ctx context.Context, domain string) (*deDelivery, error) {
	d := &deDelivery{domain: domain, addrs: map[string]netip.Addr{}}
	p, err := s.w.sts.Get(ctx, domain)
	switch {
	case err == nil:
		d.policy = p
	case mtasts.IsNoPolicy(err):
		// Deliver as without MTA-STS.
	default:
		return nil, fmt.Errorf("MTA-STS policy of %s: %w", domain, err)
	}
	hosts, err := s.w.router.Lookup(ctx, domain)
	if err != nil {
		return nil, fmt.Errorf("MX of %s: %w", domain, err)
	}
	names := make([]string, 0, len(hosts))
	for _, h := range hosts {
		names = append(names, h.Name)
		if len(h.Addrs) > 0 {
			d.addrs[h.Name] = h.Addrs[0]
		}
	}
	d.plan = mtasts.PlanDelivery(d.policy, names)
	return d, nil
}

// deliverEach tries every host of the plan with a message of its own, in
// order, so that each host's outcome shows.
func (s *deSender) deliverEach(ctx context.Context, d *deDelivery) []deOutcome {
	var l []deOutcome
	for _, h := range d.plan.Hosts {
		l = append(l, s.attempt(ctx, d, h))
	}
	return l
}

// deliverFirst delivers one message as an MTA does: the hosts of the plan
// in order until one accepts it. It returns the outcome of every host it
// went through.
func (s *deSender) deliverFirst(ctx context.Context, d *deDelivery) []deOutcome {
	var l []deOutcome
	for _, h := range d.plan.Hosts {
		o := s.attempt(ctx, d, h)
		l = append(l, o)
		if o.Delivered {
			break
		}
	}
	return l
}

// attempt delivers one message to one host as the plan says and counts
// the session in the report builder.
func (s *deSender) attempt(ctx context.Context, d *deDelivery, h mtasts.HostPlan) deOutcome {
	ctx, cancel := context.WithTimeout(ctx, deAttemptTimeout)
	defer cancel()
	n := s.seq.Add(1)
	rcpt := "user@" + d.domain
	msg := fmt.Sprintf("From: <sender@sender.example>\r\nTo: <%s>\r\nSubject: MTA-STS e2e %d to %s\r\nMessage-ID: <%d@sender.example>\r\n\r\nHello.\r\n",
		rcpt, n, h.Host, n)
	var o deOutcome
	switch {
	case !h.Allowed:
		// RFC 8461 §5: under enforce, a host that does not match the
		// policy is not tried at all.
		o = deOutcome{Host: h.Host, Result: tlsrpt.ResultValidationFailure, Err: errDeNotInPolicy}
	case h.TLS == mtasts.TLSVerified:
		o = s.sendVerified(ctx, d, h, rcpt, msg)
	case h.TLS == mtasts.TLSVerifiedReport || h.Report:
		o = s.sendReporting(ctx, d, h, rcpt, msg)
	default:
		o = s.sendWithoutPolicy(ctx, d, h, rcpt, msg)
	}
	s.record(d, o)
	return o
}

// addr is the address to dial for host: the address DNS gave, with the
// runtime port of the test server standing in for port 25.
func (s *deSender) addr(d *deDelivery, host string) string {
	a, ok := d.addrs[host]
	if !ok {
		return "" // no address: the dial fails
	}
	return net.JoinHostPort(a.String(), strconv.Itoa(s.w.mx[host].port))
}

// sendVerified delivers under enforce: SendMail with the TLS policy
// TLSVerified, the certificate checked against the MX name (RFC 8461
// §4.2) with the test's roots.
func (s *deSender) sendVerified(ctx context.Context, d *deDelivery, h mtasts.HostPlan, rcpt, msg string) deOutcome {
	policy := smtp.TLSPolicy{Mode: smtp.TLSVerified, Config: &tls.Config{RootCAs: s.roots, ServerName: h.ServerName}}
	err := smtp.SendMail(ctx, s.addr(d, h.Host), "sender@sender.example", []string{rcpt}, strings.NewReader(msg),
		smtp.WithLocalName("sender.example"), smtp.WithTLSPolicy(policy))
	o := deOutcome{Host: h.Host, Contacted: !deDialFailed(err), Delivered: err == nil, Err: err}
	if err != nil {
		o.Result = deResultOf(err)
	}
	return o
}

// sendReporting delivers under testing, driving the Client command by
// command: STARTTLS opportunistically (ApplyTLSPolicy), then the
// certificate checked as enforce would (VerifyCertificate); a failure is
// reported and the message delivered anyway (RFC 8461 §5). A host outside
// the policy gets the message too, reported as not in the policy.
func (s *deSender) sendReporting(ctx context.Context, d *deDelivery, h mtasts.HostPlan, rcpt, msg string) deOutcome {
	o := deOutcome{Host: h.Host}
	name := h.ServerName
	if name == "" {
		name = h.Host
	}
	c, err := s.dialClient(ctx, d, h.Host, name)
	if err != nil {
		o.Err = err
		o.Result = tlsrpt.ResultValidationFailure
		return o
	}
	o.Contacted = true
	defer c.Close()
	err = c.ApplyTLSPolicy(ctx, smtp.TLSPolicy{Mode: smtp.TLSOpportunistic})
	if errors.Is(err, smtp.ErrTLSHandshake) {
		// RFC 7435 §3: the handshake used up the connection; deliver in
		// plain text over a new one, once, and report the failure.
		o.Result = deResultOf(err)
		c.Close()
		if c, err = s.dialClient(ctx, d, h.Host, name); err != nil {
			o.Err = err
			return o
		}
		defer c.Close()
	} else if err != nil {
		o.Err = err
		o.Result = tlsrpt.ResultValidationFailure
		return o
	}
	if o.Result == "" && h.TLS == mtasts.TLSVerifiedReport {
		if st, isTLS := c.TLSConnectionState(); !isTLS {
			o.Result = tlsrpt.ResultSTARTTLSNotSupported
		} else if verr := smtp.VerifyCertificate(st, s.roots, h.ServerName); verr != nil {
			o.Result = tlsrpt.ClassifyTLSError(verr)
		}
	}
	if h.Report {
		o.Result = tlsrpt.ResultValidationFailure
	}
	rcptErrs, err := c.Send(ctx, "sender@sender.example", []string{rcpt}, strings.NewReader(msg), nil)
	if err == nil && len(rcptErrs) == 1 && rcptErrs[0] != nil {
		err = rcptErrs[0]
	}
	if err != nil {
		o.Err = err
		return o
	}
	o.Delivered = true
	_ = c.Quit(ctx)
	return o
}

// dialClient connects to host and says EHLO; the Client checks
// certificates (when asked) against name.
func (s *deSender) dialClient(ctx context.Context, d *deDelivery, host, name string) (*smtp.Client, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", s.addr(d, host))
	if err != nil {
		return nil, err
	}
	c := smtp.NewClient(conn, name)
	if err := c.Hello(ctx, "sender.example"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// sendWithoutPolicy delivers as without MTA-STS: SendMail with its
// defaults (opportunistic STARTTLS for delivery between MTAs).
func (s *deSender) sendWithoutPolicy(ctx context.Context, d *deDelivery, h mtasts.HostPlan, rcpt, msg string) deOutcome {
	err := smtp.SendMail(ctx, s.addr(d, h.Host), "sender@sender.example", []string{rcpt}, strings.NewReader(msg),
		smtp.WithLocalName("sender.example"))
	return deOutcome{Host: h.Host, Contacted: !deDialFailed(err), Delivered: err == nil, Err: err}
}

// record counts the session in the TLS-RPT builder: under an enforce or
// testing policy, one session per host tried or refused (RFC 8460 §4).
// Without a policy, or under mode none, nothing is reported here.
func (s *deSender) record(d *deDelivery, o deOutcome) {
	if d.policy == nil || d.plan.Mode == mtasts.ModeNone {
		return
	}
	info := tlsrpt.PolicyInfo{
		Type:   tlsrpt.PolicySTS,
		Domain: d.domain,
		String: tlsrpt.PolicyLines(d.policy.String()),
		MXHost: tlsrpt.MXHosts(d.policy.MX),
	}
	if o.Result == "" && o.Delivered {
		s.rpt.AddSuccess(info)
		return
	}
	fd := tlsrpt.FailureDetails{ResultType: o.Result, ReceivingMXHostname: o.Host}
	if fd.ResultType == "" {
		fd.ResultType = tlsrpt.ResultValidationFailure
	}
	if o.Contacted {
		fd.ReceivingIP = d.addrs[o.Host].String()
	}
	if errors.Is(o.Err, errDeNotInPolicy) || (o.Result == tlsrpt.ResultValidationFailure && !d.policy.Match(o.Host)) {
		fd.FailureReasonCode = deReasonNotInPolicy
	}
	s.rpt.AddFailure(info, fd)
}

// deResultOf maps a delivery error to its TLS-RPT result type: no
// STARTTLS offered is starttls-not-supported, a certificate that failed
// the check what tlsrpt.ClassifyTLSError says.
func deResultOf(err error) tlsrpt.ResultType {
	if errors.Is(err, smtp.ErrNotAdvertised) {
		return tlsrpt.ResultSTARTTLSNotSupported
	}
	return tlsrpt.ClassifyTLSError(err)
}

// deDialFailed reports whether err is a failure to connect at all.
func deDialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
