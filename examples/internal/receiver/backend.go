package receiver

import (
	"context"
	"log/slog"
	"net/netip"

	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/smtp"
)

// Handler decides which recipients exist and takes accepted messages.
type Handler interface {
	// Recipient accepts rcpt (nil) or refuses it, normally with an
	// *smtp.Error such as 550 5.1.1.
	Recipient(ctx context.Context, rcpt string) error
	// Deliver stores or relays an accepted message. An *smtp.Error is
	// the reply; any other error gives 451 4.3.0.
	Deliver(ctx context.Context, m *Message) error
}

// Message is one accepted message.
type Message struct {
	From     string   // envelope sender, "" for a bounce
	To       []string // accepted recipients
	RemoteIP netip.Addr
	HELO     string
	Checks   *authcheck.Result // nil when the Backend has no Checker
	Junk     bool              // DMARC asked for quarantine
	Data     []byte            // the message with the trace fields on top
}

// Event tells an observer what the checks decided for one message (for
// the demo's narration). It is sent before the message is handed to the
// Handler, so an observer has seen it by the time the Handler stores it.
type Event struct {
	Message *Message
	Action  authcheck.Action
	Err     error // the reply refusing the message, if the checks refused it
}

// Backend is the smtp.Backend of the MX.
type Backend struct {
	Hostname string             // this MX's name, in Received and Authentication-Results
	Checker  *authcheck.Checker // nil: no checks, no DMARC enforcement
	Handler  Handler
	Logger   *slog.Logger  // nil: no logging
	Observe  func(e Event) // optional; called for every message, before delivery
}

// NewSession implements smtp.Backend.
func (b *Backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, conn: c}, nil
}

func (b *Backend) log() *slog.Logger {
	if b.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return b.Logger
}
