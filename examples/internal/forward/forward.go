// Package forward is the core of a mail forwarder: a receiver.Handler that
// accepts mail for aliases and sends it on with the envelope sender
// rewritten by SRS, and that accepts bounces addressed to SRS addresses and
// sends them back to the original sender. The forwarder example and the
// demo use it.
package forward

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/smtp"
	"github.com/mailsmith/mailsmith/srs"
)

// Forwarder is the receiver.Handler: it accepts mail for its aliases and
// for SRS addresses it made, and queues it onwards.
type Forwarder struct {
	Domain  string        // the forwarding domain, lower case
	Aliases Aliases       // alias → targets
	SRS     *srs.Rewriter // Domain should be Domain
	Queue   *queue.Queue  // outgoing mail
	Logger  *slog.Logger  // nil: no logging
	// Observe, when set, is told about every rewrite: the envelope sender
	// before and after, and the recipients (for the demo's narration).
	Observe func(kind, from, to string, rcpts []string)
}

var (
	errNoSuchUser = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such alias here"}
	errRelay      = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: "relaying denied: not a domain of this server"}
	errBadSRS     = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "bounce address invalid or expired (SRS)"}
	errQueue      = &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 3, 0}, Message: "message not queued, try again later"}
)

// Recipient accepts an alias, or an SRS address that verifies (a bounce on
// its way back to the original sender).
func (f *Forwarder) Recipient(_ context.Context, rcpt string) error {
	addr := strings.ToLower(rcpt)
	if mailmsg.Domain(addr) != f.Domain {
		return errRelay
	}
	if _, ok := f.Aliases[addr]; ok {
		return nil
	}
	if srs.IsSRS(mailmsg.LocalPart(rcpt)) {
		if _, err := f.SRS.Reverse(rcpt); err != nil {
			f.log().Warn("SRS address refused", "rcpt", rcpt, "err", err)
			return errBadSRS
		}
		return nil
	}
	return errNoSuchUser
}

// Deliver queues the message for every target. Alias mail leaves with the
// sender rewritten by SRS, so the next MX's SPF check sees this forwarder's
// domain and bounces come back here; mail to an SRS address goes to the
// address it stands for.
func (f *Forwarder) Deliver(_ context.Context, m *receiver.Message) error {
	var forward []string
	for _, rcpt := range m.To {
		if targets, ok := f.Aliases[strings.ToLower(rcpt)]; ok {
			forward = append(forward, targets...)
			continue
		}
		orig, err := f.SRS.Reverse(rcpt)
		if err != nil { // verified in Recipient; only the clock could have moved
			return errBadSRS
		}
		id, err := f.Queue.Enqueue(m.From, []string{orig}, m.Data)
		if err != nil {
			f.log().Error("queueing failed", "srs", rcpt, "err", err)
			return errQueue
		}
		f.log().Info("bounce routed back", "id", id, "srs", rcpt, "to", orig)
		f.observe("reverse", rcpt, orig, []string{orig})
	}
	if len(forward) == 0 {
		return nil
	}
	from, err := f.SRS.Forward(m.From)
	if err != nil {
		f.log().Error("SRS rewrite failed", "from", m.From, "err", err)
		if errors.Is(err, srs.ErrConfig) {
			return &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 3, 5}, Message: "forwarder misconfigured"}
		}
		return &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 7}, Message: "sender address cannot be forwarded"}
	}
	id, err := f.Queue.Enqueue(from, forward, m.Data)
	if err != nil {
		f.log().Error("queueing failed", "from", m.From, "err", err)
		return errQueue
	}
	f.log().Info("forwarded", "id", id, "from", m.From, "srs", from, "to", forward)
	f.observe("forward", m.From, from, forward)
	return nil
}

func (f *Forwarder) observe(kind, from, to string, rcpts []string) {
	if f.Observe != nil {
		f.Observe(kind, from, to, rcpts)
	}
}

func (f *Forwarder) log() *slog.Logger {
	if f.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Logger
}
