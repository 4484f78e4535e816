package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// explainMTASTS tells how Alice's server secured the morning's delivery
// (RFC 8461): the policy it fetched and the TLS session it counted.
func (w *world) explainMTASTS(ctx context.Context, n *narrator, delivered []byte) {
	n.say("How did Alice's server know it could trust the connection? example.com publishes an MTA-STS policy (RFC 8461): a TXT record at _mta-sts.example.com says a policy exists, and the policy itself, fetched over HTTPS from mta-sts.example.com with a certificate that must verify, says: deliver only to mx.example.com, only over TLS with a valid certificate for that name (mode enforce). A network attacker can strip STARTTLS or present his own certificate; under this policy the mail then waits instead of going to him.")
	n.expect(w.sts.Fetches(demozone.ReceiverDomain) == 1, "policy fetched over HTTPS once, then kept for max_age (%s)", stsPolicy.MaxAge)
	n.expect(strings.Contains(headerOf(delivered, "Received"), "with ESMTPS"), "delivered over TLS (Bob's server wrote \"with ESMTPS\" in its Received header)")
	w.waitSessions(ctx, demozone.SenderMX, demozone.ReceiverDomain, 1)
	ok, failed, _, typ := sessions(w.reports[demozone.SenderMX], demozone.ReceiverDomain)
	n.expect(ok == 1 && failed == 0 && typ == tlsrpt.PolicySTS, "Alice's server counted %d successful TLS session(s) under policy type %q for its TLS report (RFC 8460)", ok, typ)
}

// poisoned: Mallory slips an MX record of his own into example.com's DNS;
// MTA-STS keeps Alice's mail away from it and the failure is reported.
func (w *world) poisoned(ctx context.Context, n *narrator) {
	n.scene("16:00", "Mallory redirects example.com's mail")
	n.say("Mallory manages to poison the DNS cache Alice's server uses: example.com now seems to have a second mail server, mx.phish.example, more preferred than mx.example.com. A sender that follows DNS alone would hand him the mail (and he would happily offer STARTTLS with a certificate of his own).")
	trap, err := startTrap()
	if err != nil {
		n.fail("trap server: %v", err)
		return
	}
	defer trap.Close()
	w.ports["mx.phish.example"] = trap.port
	defer delete(w.ports, "mx.phish.example")
	add := func(rr string) bool {
		if err := w.zone.Server.Add(rr); err != nil {
			n.fail("poison DNS: %v", err)
			return false
		}
		return true
	}
	if !add("example.com. 300 IN MX 5 mx.phish.example.") || !add("mx.phish.example. 300 IN A 127.0.0.1") {
		return
	}
	defer func() { // the poison wears off
		w.zone.Server.Remove("example.com.", dnstest.TypeMX)
		_ = w.zone.Server.Add("example.com. 300 IN MX 10 mx.example.com.")
	}()
	before := len(w.bob.Messages())
	err = w.submit(ctx, "bob@example.com", "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.com>\r\nSubject: The contract\r\n\r\nBob, the signed contract is attached. Alice\r\n")
	if !n.expect(err == nil, "Alice submitted a message to Bob: %s", replyText(err)) {
		return
	}
	arrived(ctx, n, &w.bob.Store, before+1, "delivered to mx.example.com all the same")
	w.waitSessions(ctx, demozone.SenderMX, demozone.ReceiverDomain, 3) // morning, and now two
	n.expect(trap.conns.Load() == 0, "mx.phish.example was never contacted: example.com's policy does not list it (connections: %d)", trap.conns.Load())
	_, _, why, _ := sessions(w.reports[demozone.SenderMX], demozone.ReceiverDomain)
	n.expect(why["mx.phish.example "+string(tlsrpt.ResultValidationFailure)] == 1,
		"Alice's server counted a TLS-RPT failure for it: validation-failure, reason %s", "mx-not-in-policy")
}

// trap is a mail server of Mallory's that only counts connections.
type trap struct {
	net.Listener
	port  int
	conns atomic.Int32
}

func startTrap() (*trap, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &trap{Listener: ln, port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.conns.Add(1)
			c.Close()
		}
	}()
	return t, nil
}

// explainDANE tells how Bob's server delivered the bounce to the
// forwarder (RFC 7672).
func (w *world) explainDANE(ctx context.Context, n *narrator) {
	n.say("Bob's server sent that bounce to mx.example.net with DANE (RFC 7672). example.net's zone is signed with DNSSEC, and a TLSA record at _25._tcp.mx.example.net pins the key of the server's certificate. No certificate authority is involved: the certificate is self-signed, and it is the signed DNS that vouches for it. Where a host has usable TLSA records, DANE takes precedence over MTA-STS (RFC 8461 §2).")
	n.say("Here the zone is not really signed: DNSSEC needs a validating resolver, and this offline demo has none. It uses a stand-in that calls example.net's answers secure (package securedns). In production you run a validating resolver such as Unbound on the sending host, point the DANE lookups at it (-dane-resolver 127.0.0.1 in the submission and forwarder examples), and sign your zone and publish its DS record at the parent.")
	w.waitSessions(ctx, demozone.ReceiverMX, demozone.ForwarderDomain, 1)
	ok, failed, _, typ := sessions(w.reports[demozone.ReceiverMX], demozone.ForwarderDomain)
	n.expect(ok >= 1 && failed == 0 && typ == tlsrpt.PolicyTLSA, "Bob's server counted %d successful session(s) to example.net under policy type %q, none failed", ok, typ)
}

// tlsReports: each sending server writes its TLS report for the day.
func (w *world) tlsReports(ctx context.Context, n *narrator) {
	n.scene("23:59", "The TLS reports")
	n.say("Domains that publish a _smtp._tls record ask senders for a daily report of the TLS sessions they made with their mail servers, good and bad (RFC 8460): this is how example.com would learn that someone tried to divert its mail.")
	var hosts []string
	for h := range w.reports {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, host := range hosts {
		b := w.reports[host]
		for _, domain := range b.Domains() {
			js, err := b.JSON(domain, "demo-"+domain)
			if !n.expect(err == nil, "%s's report for %s: %d bytes of JSON", host, domain, len(js)) {
				continue
			}
			rep, err := tlsrpt.ParseReport(bytes.NewReader(js))
			if !n.expect(err == nil, "it parses back as RFC 8460 JSON") {
				continue
			}
			for _, p := range rep.Policies {
				n.say("policy %s for %s: %d successful session(s), %d failed", p.Policy.Type, p.Policy.Domain,
					p.Summary.TotalSuccessfulSessionCount, p.Summary.TotalFailureSessionCount)
				for _, fd := range p.FailureDetails {
					n.say("%d failure(s) %s at %s (%s)", fd.FailedSessionCount, fd.ResultType, fd.ReceivingMXHostname, fd.FailureReasonCode)
				}
			}
			w.reportDestination(ctx, n, domain, tlsrpt.FileName(b.Submitter, domain, b.Start, b.End, "demo-"+domain, true), host)
		}
	}
	ok, failed, _, _ := sessions(w.reports[demozone.SenderMX], demozone.ReceiverDomain)
	n.expect(ok >= 2 && failed == 1, "Alice's server to example.com: %d sessions over verified TLS, 1 refused host (Mallory's)", ok)
}

// reportDestination says where the report of domain goes.
func (w *world) reportDestination(ctx context.Context, n *narrator, domain, file, signer string) {
	rec, err := tlsrpt.Lookup(ctx, w.res, domain)
	switch {
	case errors.Is(err, tlsrpt.ErrNoRecord):
		n.say("%s publishes no _smtp._tls record: the report is not sent", domain)
	case err != nil:
		n.fail("TLSRPT record of %s: %v", domain, err)
	default:
		mailto, _ := rec.Destinations()
		n.expect(len(mailto) > 0, "to be mailed to %s by %s as %s (DKIM-signed, RFC 8460 §5.3)", strings.Join(mailto, ", "), signer, file)
	}
}
