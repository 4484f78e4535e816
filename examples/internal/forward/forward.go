// Package forward is the core of a mail forwarder: a receiver.Handler that
// accepts mail for aliases and sends it on with the envelope sender
// rewritten by SRS, and that accepts bounces addressed to SRS addresses and
// sends them back to the original sender. The forwarder example and the
// demo use it.
package forward

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/mailsmith/mailsmith/dkim/arc"
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
	// Lists makes some aliases (keys as in Aliases) behave like mailing
	// lists that tag the Subject and add a footer (the demo's list).
	Lists map[string]List
	// Sealer, when set, adds an ARC set (RFC 8617) to every message
	// passed on, after any list changes, so that the next receiver can
	// learn what this forwarder's checks found on arrival: the
	// ARC-Authentication-Results come from the Authentication-Results the
	// receiver added with this host's name (Sealer.AuthServID), its arc=
	// result among them.
	Sealer *arc.Sealer
	// Observe, when set, is told about every rewrite: the envelope sender
	// before and after, and the recipients (for the demo's narration).
	Observe func(kind, from, to string, rcpts []string)
}

var (
	errNoSuchUser = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such alias here"}
	errBadSRS     = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "bounce address invalid or expired (SRS)"}
	errQueue      = &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 3, 0}, Message: "message not queued, try again later"}
)

// Recipient accepts an alias, or an SRS address that verifies (a bounce on
// its way back to the original sender).
func (f *Forwarder) Recipient(_ context.Context, rcpt string) error {
	addr := strings.ToLower(rcpt)
	if mailmsg.Domain(addr) != f.Domain {
		return receiver.ErrRelayDenied
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
func (f *Forwarder) Deliver(ctx context.Context, m *receiver.Message) error {
	var forward []string
	data := m.Data
	for _, rcpt := range m.To {
		if targets, ok := f.Aliases[strings.ToLower(rcpt)]; ok {
			forward = append(forward, targets...)
			if l, ok := f.Lists[strings.ToLower(rcpt)]; ok {
				data = l.Apply(data)
			}
			continue
		}
		orig, err := f.SRS.Reverse(rcpt)
		if err != nil { // verified in Recipient; only the clock could have moved
			return errBadSRS
		}
		sealed, err := f.seal(ctx, m.Data)
		if err != nil {
			return err
		}
		id, err := f.Queue.Enqueue(m.From, []string{orig}, sealed)
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
	if data, err = f.seal(ctx, data); err != nil {
		return err
	}
	id, err := f.Queue.Enqueue(from, forward, data)
	if err != nil {
		f.log().Error("queueing failed", "from", m.From, "err", err)
		return errQueue
	}
	f.log().Info("forwarded", "id", id, "from", m.From, "srs", from, "to", forward)
	f.observe("forward", m.From, from, forward)
	return nil
}

// seal returns msg with a new ARC set on top. A chain that cannot take
// another set (its newest seal says cv=fail, or it has 50 sets) or a
// Sealer that cannot seal leaves the message as it is (logged); a temporary
// DNS failure while validating the incoming chain gives 451, so that the
// sender tries again rather than the set saying cv=fail.
func (f *Forwarder) seal(ctx context.Context, msg []byte) ([]byte, error) {
	if f.Sealer == nil {
		return msg, nil
	}
	set, err := f.Sealer.Seal(ctx, bytes.NewReader(msg))
	switch {
	case err == nil:
		return mailmsg.Prepend(msg, set), nil
	case errors.Is(err, arc.ErrTemporary):
		f.log().Warn("ARC seal deferred", "err", err)
		return nil, &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 4, 3}, Message: "temporary DNS failure, try again later"}
	}
	f.log().Warn("message passed on without an ARC set", "err", err)
	return msg, nil
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
