package main

import (
	"context"
	"crypto/tls"
	"net"
	"strings"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/examples/internal/submit"
	"github.com/mailsmith/mailsmith/smtp"
)

// alicePassword is Alice's login at her submission server.
const alicePassword = "correct horse battery staple"

// startSubmission starts Alice's submission server (RFC 6409) on
// 127.0.0.1: STARTTLS with the certificate the demo CA issued, AUTH, DKIM
// signing with example.org's keys, and q for delivery.
func (w *world) startSubmission(q *queue.Queue) error {
	cert := w.certs[demozone.SenderMX]
	users := submit.Users{}
	if err := users.Add("alice@example.org:" + alicePassword); err != nil {
		return err
	}
	var keys []submit.Key
	for _, k := range w.zone.Keys {
		if k.Domain == demozone.SenderDomain {
			keys = append(keys, submit.Key{Domain: k.Domain, Signer: &dkim.Signer{Domain: k.Domain, Selector: k.Selector, Key: k.Signer}})
		}
	}
	srv := &smtp.Server{
		Hostname:  demozone.SenderMX,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		Backend:   &submit.Backend{Hostname: demozone.SenderMX, Users: users, Keys: keys, Queue: q},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close in stop
	w.servers = append(w.servers, srv)
	w.submission = ln.Addr().String()
	return nil
}

// submit plays Alice's mail program: STARTTLS with the server's
// certificate verified for mail.example.org (the demo CA stands in for the
// public CAs), AUTH PLAIN, then the message.
func (w *world) submit(ctx context.Context, to string, msg string) error {
	return smtp.SendMail(ctx, w.submission, "alice@example.org", []string{to}, strings.NewReader(msg),
		smtp.WithLocalName("alices-laptop.example.org"),
		smtp.WithTLSPolicy(smtp.TLSPolicy{Mode: smtp.TLSVerified,
			Config: &tls.Config{ServerName: demozone.SenderMX, RootCAs: w.ca.Pool()}}),
		smtp.WithAuth(smtp.PlainAuth("", "alice@example.org", alicePassword)))
}
