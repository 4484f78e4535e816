package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/memstore"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/mx"
	"github.com/mailsmith/mailsmith/smtp"
)

// send plays a sending mail server called helo: it looks up the MX of the
// recipient's domain (package mx) and delivers over SMTP (package smtp).
// The MX hosts all resolve to 127.0.0.1; w.ports says on which port each
// one listens. It returns the server's refusal, if any.
func (w *world) send(ctx context.Context, n *narrator, helo, from, to string, msg []byte) error {
	domain := mailmsg.Domain(to)
	hosts, err := (&mx.Router{Resolver: w.res, ResolveAddrs: true}).Lookup(ctx, domain)
	if err != nil || len(hosts) == 0 || len(hosts[0].Addrs) == 0 {
		n.fail("MX lookup for %s: %v", domain, err)
		return fmt.Errorf("no route to %s", domain)
	}
	h := hosts[0]
	n.expect(true, "MX of %s: %s", domain, routeText(hosts, nil))
	addr := net.JoinHostPort(h.Addrs[0].String(), strconv.Itoa(w.ports[h.Name]))
	return smtp.SendMail(ctx, addr, from, []string{to}, bytes.NewReader(msg), smtp.WithLocalName(helo))
}

// sendAsAlice composes a message from Alice to "toName <to>", signs it
// with example.org's keys and sends it from her server; whom names the
// server that answers, in what the narrator says.
func (w *world) sendAsAlice(ctx context.Context, n *narrator, toName, to, subject, body, whom string) bool {
	msg, err := w.zone.Sign(demozone.SenderDomain, compose("Alice <alice@example.org>", toName+" <"+to+">", subject, body))
	if err != nil {
		n.fail("sign: %v", err)
		return false
	}
	err = w.send(ctx, n, demozone.SenderMX, "alice@example.org", to, msg)
	return n.expect(err == nil, "%s answered: %s", whom, replyText(err))
}

// arrived waits, at most waitFor, until box holds count messages, says
// what (the expectation) and returns the messages.
func arrived(ctx context.Context, n *narrator, box *memstore.Store, count int, what string) ([]*receiver.Message, bool) {
	wctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	msgs, err := box.Wait(wctx, count)
	return msgs, n.expect(err == nil, "%s", what)
}

// compose writes a simple message.
func compose(from, to, subject, body string) []byte {
	return []byte("From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject +
		"\r\nDate: " + mailmsg.DateHeader(time.Now()) + "\r\nMessage-ID: " + mailmsg.NewMessageID("example.org") +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

// replyText returns the reply of an SMTP error as the server sent it.
func replyText(err error) string {
	var se *smtp.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%d %d.%d.%d %s", se.Code, se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2], se.Message)
	}
	if err == nil {
		return "accepted"
	}
	return err.Error()
}

// isReply reports whether err is an SMTP reply with the given codes.
func isReply(err error, code int, enhanced [3]int) bool {
	var se *smtp.Error
	return errors.As(err, &se) && se.Code == code && se.EnhancedCode == enhanced
}

// headerOf returns the named header field of a message as it was written.
func headerOf(msg []byte, name string) string {
	var out []string
	for _, f := range mailmsg.Fields(msg) {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f.Raw)
		}
	}
	return strings.Join(out, "")
}

// routeText describes the first MX host: "10 mx.example.com, address 127.0.0.1".
func routeText(hosts []mx.Host, err error) string {
	if err != nil {
		return err.Error()
	}
	if len(hosts) == 0 || len(hosts[0].Addrs) == 0 {
		return "no usable host"
	}
	return fmt.Sprintf("%d %s, address %s", hosts[0].Preference, hosts[0].Name, hosts[0].Addrs[0])
}
