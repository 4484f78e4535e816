package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/maildir"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/smtp"
)

// junkFolder is the Maildir++ folder for quarantined mail.
const junkFolder = "Junk"

// mailboxes is the receiver.Handler: which addresses exist, and Maildir
// delivery for them.
type mailboxes struct {
	root    string
	domains []string
	users   []string // empty: every address in domains
	writer  *maildir.Writer
	log     *slog.Logger
}

func newMailboxes(root string, domains, users []string, writer *maildir.Writer, log *slog.Logger) *mailboxes {
	return &mailboxes{root: root, domains: domains, users: users, writer: writer, log: log}
}

// Recipient accepts addresses in our domains (and in -users when given).
func (m *mailboxes) Recipient(_ context.Context, rcpt string) error {
	addr := strings.ToLower(rcpt)
	if !slices.Contains(m.domains, mailmsg.Domain(addr)) {
		return &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: "relaying denied: not a domain of this server"}
	}
	if len(m.users) > 0 && !slices.Contains(m.users, addr) {
		return &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such user here"}
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
