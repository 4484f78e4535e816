package outbound

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/mx"
	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/smtp"
)

// DefaultPort is the SMTP port of mail exchangers.
const DefaultPort = 25

// DefaultTimeout bounds one delivery attempt to one host.
const DefaultTimeout = 2 * time.Minute

// Deliverer sends messages to the MX hosts of their recipients. Its TLS
// per MX host is DANE's when the host has secure TLSA records (DANE set),
// else the recipient domain's MTA-STS policy (MTASTS set), else
// opportunistic STARTTLS without a certificate check (RFC 7435); each
// session is counted in TLSReport (RFC 8460) when it is set.
type Deliverer struct {
	Resolver  resolver.Resolver // nil: net.DefaultResolver
	LocalName string            // EHLO name; "" means "localhost"
	// Port is the port to connect to; 0 means DefaultPort. Ports overrides
	// it per MX host name (tests and the demo run every MX on 127.0.0.1).
	Port  int
	Ports map[string]int
	// MTASTS fetches and caches recipient domains' MTA-STS policies (RFC
	// 8461); nil: MTA-STS is not used.
	MTASTS *mtasts.Client
	// DANE is a DNSSEC-aware resolver (a validating resolver's answers,
	// RFC 7672); nil: DANE is not used.
	DANE dane.Resolver
	// RootCAs are the WebPKI roots an MTA-STS policy checks MX
	// certificates against; nil: the system's.
	RootCAs *x509.CertPool
	// TLSReport counts the sessions for TLS reports (RFC 8460): a
	// *tlsrpt.Builder, or DailyReports for a server that runs for days;
	// nil: none are counted.
	TLSReport TLSRecorder
	Timeout   time.Duration // per host attempt; 0: DefaultTimeout
}

// Status is the outcome for one recipient.
type Status struct {
	Recipient string
	Host      string // the MX host that answered last ("" when none did)
	Addr      string // the address connected to
	Err       error  // nil when the message was accepted
	Permanent bool   // Err is final: bounce, do not retry
	// Attempts are the MX hosts tried (or skipped) for the recipient's
	// domain in this delivery, in order.
	Attempts []Attempt
}

// Deliver sends msg from from (the envelope sender, "" for a bounce) to
// every recipient and returns one Status per recipient, in order.
func (d *Deliverer) Deliver(ctx context.Context, from string, to []string, msg []byte) []Status {
	statuses := make([]Status, len(to))
	byDomain := map[string][]int{}
	var order []string
	for i, rcpt := range to {
		statuses[i].Recipient = rcpt
		dom := mailmsg.Domain(rcpt)
		if dom == "" {
			statuses[i].Err = fmt.Errorf("recipient %q has no domain", rcpt)
			statuses[i].Permanent = true
			continue
		}
		if _, ok := byDomain[dom]; !ok {
			order = append(order, dom)
		}
		byDomain[dom] = append(byDomain[dom], i)
	}
	for _, dom := range order {
		d.deliverDomain(ctx, dom, from, byDomain[dom], statuses, msg)
	}
	return statuses
}

// deliverDomain delivers to the recipients (indexes into statuses) of one
// domain.
func (d *Deliverer) deliverDomain(ctx context.Context, domain, from string, idx []int, statuses []Status, msg []byte) {
	var attempts []Attempt
	setAll := func(err error, permanent bool) {
		for _, i := range idx {
			statuses[i].Err, statuses[i].Permanent, statuses[i].Attempts = err, permanent, attempts
		}
	}
	router := &mx.Router{ResolveAddrs: true}
	if d.Resolver != nil {
		router.Resolver = d.Resolver
	}
	hosts, err := router.Lookup(ctx, domain)
	if err != nil {
		setAll(fmt.Errorf("MX lookup for %s: %w", domain, err), permanentMX(err))
		return
	}
	pol, err := d.Policies(ctx, domain, hosts)
	if err != nil {
		setAll(err, false)
		return
	}
	rcpts := make([]string, len(idx))
	for k, i := range idx {
		rcpts[k] = statuses[i].Recipient
	}
	lastErr := fmt.Errorf("no MX host of %s has an address", domain)
	for n, mh := range hosts {
		h := pol.HostTLS(n)
		if h.Skip != nil {
			a := Attempt{Host: h.Host, Source: h.Source, Err: h.Skip}
			d.record(h, a)
			attempts = append(attempts, a)
			lastErr = h.Skip
			continue
		}
		for _, ip := range mh.Addrs {
			addr := net.JoinHostPort(ip.String(), strconv.Itoa(d.port(mh.Name)))
			for _, i := range idx {
				statuses[i].Host, statuses[i].Addr = mh.Name, addr
			}
			a := Attempt{Host: h.Host, Addr: addr, Source: h.Source}
			rcptErrs, err := d.attempt(ctx, h, addr, from, rcpts, msg, &a)
			a.Err = err
			d.record(h, a)
			attempts = append(attempts, a)
			if err == nil || permanentSMTP(err) || refusedEach(rcptErrs) {
				// The host answered for good: per-recipient results, or a
				// refusal of the whole message.
				for k, i := range idx {
					e := err
					if k < len(rcptErrs) && rcptErrs[k] != nil {
						e = rcptErrs[k]
					}
					statuses[i].Err = e
					statuses[i].Permanent = e != nil && permanentSMTP(e)
					statuses[i].Attempts = attempts
				}
				return
			}
			lastErr = fmt.Errorf("%s (%s): %w", mh.Name, addr, err)
		}
	}
	setAll(lastErr, false)
}

func (d *Deliverer) port(host string) int {
	if p, ok := d.Ports[host]; ok {
		return p
	}
	if d.Port != 0 {
		return d.Port
	}
	return DefaultPort
}

// attempt runs one SMTP session to one address, bounded by the timeout.
func (d *Deliverer) attempt(ctx context.Context, h HostTLS, addr, from string, to []string, msg []byte, a *Attempt) ([]error, error) {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return d.session(ctx, h, addr, from, to, msg, a)
}

// permanentMX reports whether an MX lookup failure is final.
func permanentMX(err error) bool {
	return errors.Is(err, mx.ErrNullMX) || errors.Is(err, mx.ErrNoSuchDomain) ||
		errors.Is(err, mx.ErrNoUsableMX) || errors.Is(err, mx.ErrInvalidDomain) ||
		errors.Is(err, mx.ErrSelfIsBest)
}

// permanentSMTP reports whether err carries a 5yz reply.
func permanentSMTP(err error) bool {
	var se *smtp.Error
	return errors.As(err, &se) && se.Permanent()
}

// refusedEach reports whether the server answered every RCPT with a
// refusal of its own (the recipients' results then say it all).
func refusedEach(rcptErrs []error) bool {
	if len(rcptErrs) == 0 {
		return false
	}
	for _, e := range rcptErrs {
		var re *smtp.RecipientError
		if !errors.As(e, &re) {
			return false
		}
	}
	return true
}
