package outbound

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/mx"
	"github.com/mailsmith/mailsmith/smtp"
)

// DefaultPort is the SMTP port of mail exchangers.
const DefaultPort = 25

// DefaultTimeout bounds one delivery attempt to one host.
const DefaultTimeout = 2 * time.Minute

// Deliverer sends messages to the MX hosts of their recipients.
type Deliverer struct {
	Resolver  resolver.Resolver // nil: net.DefaultResolver
	LocalName string            // EHLO name; "" means "localhost"
	// Port is the port to connect to; 0 means DefaultPort. Ports overrides
	// it per MX host name (tests and the demo run every MX on 127.0.0.1).
	Port  int
	Ports map[string]int
	// TLSConfig is used for STARTTLS when a host offers it; nil means
	// opportunistic encryption without certificate checks, as between MTAs
	// without DANE or MTA-STS.
	TLSConfig *tls.Config
	Timeout   time.Duration // per host attempt; 0: DefaultTimeout
}

// Status is the outcome for one recipient.
type Status struct {
	Recipient string
	Host      string // the MX host that answered last ("" when none did)
	Addr      string // the address connected to
	Err       error  // nil when the message was accepted
	Permanent bool   // Err is final: bounce, do not retry
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
	setAll := func(err error, permanent bool) {
		for _, i := range idx {
			statuses[i].Err, statuses[i].Permanent = err, permanent
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
	lastErr := fmt.Errorf("no MX host of %s has an address", domain)
	for _, h := range hosts {
		for _, ip := range h.Addrs {
			addr := net.JoinHostPort(ip.String(), strconv.Itoa(d.port(h.Name)))
			for _, i := range idx {
				statuses[i].Host, statuses[i].Addr = h.Name, addr
			}
			rcpts := make([]string, len(idx))
			for k, i := range idx {
				rcpts[k] = statuses[i].Recipient
			}
			rcptErrs, err := d.send(ctx, h.Name, addr, from, rcpts, msg)
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
				}
				return
			}
			lastErr = fmt.Errorf("%s (%s): %w", h.Name, addr, err)
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

// send runs one SMTP session to one address.
func (d *Deliverer) send(ctx context.Context, host, addr, from string, to []string, msg []byte) ([]error, error) {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := smtp.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Hello(ctx, d.LocalName); err != nil {
		return nil, err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := d.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, InsecureSkipVerify: true} //nolint:gosec // opportunistic TLS between MTAs
		}
		if err := c.StartTLS(ctx, cfg); err != nil {
			return nil, fmt.Errorf("STARTTLS: %w", err)
		}
	}
	rcptErrs, err := c.Send(ctx, from, to, bytes.NewReader(msg), nil)
	if err != nil {
		return rcptErrs, err
	}
	_ = c.Quit(ctx) // the message is accepted; a failed QUIT changes nothing
	return rcptErrs, nil
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
