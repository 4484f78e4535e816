package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/maildir"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/smtp"
)

// junkFolder is the Maildir++ folder for quarantined mail.
const junkFolder = "Junk"

// mailboxes is the receiver.Handler: which addresses exist, and Maildir
// delivery for them.
type mailboxes struct {
	root   string
	accept receiver.Recipients
	writer *maildir.Writer
	log    *slog.Logger
}

func newMailboxes(root string, domains, users []string, writer *maildir.Writer, log *slog.Logger) *mailboxes {
	return &mailboxes{root: root, accept: receiver.Recipients{Domains: domains, Users: users}, writer: writer, log: log}
}

// Recipient accepts addresses in our domains (and in -users when given).
func (m *mailboxes) Recipient(_ context.Context, rcpt string) error {
	addr, err := m.accept.Check(rcpt)
	if err != nil {
		return err
	}
	if strings.ContainsAny(addr, "/\\") || strings.HasPrefix(addr, ".") {
		return &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 3}, Message: "address not usable as a mailbox name"}
	}
	return nil
}

// Deliver writes the message into each recipient's Maildir, in Junk when
// DMARC asked for quarantine. It returns (and the server answers 250) only
// once every copy is synced to disk with its directory entry.
func (m *mailboxes) Deliver(_ context.Context, msg *receiver.Message) error {
	folder := maildir.Inbox
	if msg.Junk {
		folder = junkFolder
	}
	for _, rcpt := range msg.To {
		path, err := m.writer.Deliver(filepath.Join(m.root, strings.ToLower(rcpt)), folder, msg.Data)
		if err != nil {
			m.log.Error("delivery failed", "to", rcpt, "err", err)
			return &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 3, 0}, Message: "mailbox unavailable, try again later"}
		}
		m.log.Info("delivered", "to", rcpt, "path", path)
	}
	return nil
}
