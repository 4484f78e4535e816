package main

import (
	"context"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/bounce"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/memstore"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/smtp"
)

// fullMailbox is the address whose mailbox is over quota today.
const fullMailbox = "carol@example.com"

// bobMX stores mail for example.com. Carol's mailbox is full: her mail is
// accepted, then bounced to the envelope sender, like many real systems do
// when they find out only after accepting.
type bobMX struct {
	memstore.Store
	zone  *demozone.Zone
	queue *queue.Queue
}

// Deliver stores the message for Bob and bounces it for Carol.
func (b *bobMX) Deliver(ctx context.Context, m *receiver.Message) error {
	var ok []string
	for _, rcpt := range m.To {
		if !strings.EqualFold(rcpt, fullMailbox) {
			ok = append(ok, rcpt)
			continue
		}
		if m.From == "" {
			continue // never bounce a bounce
		}
		report := bounce.Report{
			ReportingMTA: demozone.ReceiverMX,
			To:           m.From,
			Failures: []bounce.Failure{{Recipient: rcpt, Err: &smtp.Error{
				Code: 552, EnhancedCode: [3]int{5, 2, 2}, Message: "mailbox full"}}},
			Original: m.Data,
		}
		// The bounce is signed by example.com, so that it passes DMARC at
		// the far end even after a forwarder relays it.
		signed, err := b.zone.Sign(demozone.ReceiverDomain, report.Message())
		if err != nil {
			return err
		}
		if _, err := b.queue.Enqueue("", []string{m.From}, signed); err != nil {
			return err
		}
	}
	if len(ok) == 0 {
		return nil
	}
	kept := *m
	kept.To = ok
	return b.Store.Deliver(ctx, &kept)
}
