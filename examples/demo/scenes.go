package main

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/mx"
	"github.com/mailsmith/mailsmith/ptr"
	"github.com/mailsmith/mailsmith/spf"
)

// waitFor bounds how long a scene waits for a queued message to arrive.
// A message normally arrives within milliseconds; the margin is for a
// loaded machine and -race, now that each queue step syncs to disk.
const waitFor = 10 * time.Second

// morning: Alice writes to Bob through her submission server, which signs
// the message twice and delivers it to Bob's MX, which checks it.
func (w *world) morning(ctx context.Context, n *narrator) {
	n.scene("08:00", "Alice writes to Bob")
	n.say("Alice's mail program hands the message to her own server, mail.example.org, on the submission port: it switches the connection to TLS (STARTTLS) and logs in (AUTH). The server adds the Date and Message-ID her program left out, signs with both of example.org's DKIM keys (RSA and Ed25519: a receiver uses whichever it understands), finds Bob's mail server through DNS (MX records) and delivers the message over SMTP.")
	msg := "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.com>\r\nSubject: Lunch on Friday?\r\n\r\nHi Bob, lunch on Friday at noon? Alice\r\n"
	err := w.submit(ctx, "bob@example.com", msg)
	if !n.expect(err == nil, "submitted over TLS as alice@example.org: %s", replyText(err)) {
		return
	}
	hosts, err := (&mx.Router{Resolver: w.res, ResolveAddrs: true}).Lookup(ctx, demozone.ReceiverDomain)
	if n.expect(err == nil && len(hosts) > 0, "MX of example.com: %s", routeText(hosts, err)) {
		n.say("mx.example.com resolves to 127.0.0.1 like every host of this demo; each server listens on its own port.")
	}
	msgs, ok := arrived(ctx, n, &w.bob.Store, 1, "delivered to mx.example.com")
	if !ok {
		return
	}
	data := msgs[0].Data
	n.expect(mailmsg.Has(data, "Date") && mailmsg.Has(data, "Message-ID"), "Date and Message-ID were added")
	n.expect(strings.Count(headerOf(data, "DKIM-Signature"), "DKIM-Signature:") == 2, "signed: %s", signatureSummary(data, nil))
	ev, _ := w.lastEvent(demozone.ReceiverMX)
	w.explainChecks(n, ev, expected{"pass", "pass", "none", "pass", authcheck.Accept})
	n.say("Bob's server recorded what it found in a header on top of the message, for Bob's mail program:")
	n.quote(headerOf(ev.Message.Data, "Authentication-Results"))
	n.expect(len(w.bob.Messages()) == 1, "the message is in Bob's inbox")
	w.explainMTASTS(ctx, n, data)
}

// spoof: Mallory pretends to be Alice; DMARC p=reject stops him.
func (w *world) spoof(ctx context.Context, n *narrator) {
	n.scene("10:15", "Mallory pretends to be Alice")
	n.say("Mallory sends Bob an invoice \"from\" alice@example.org. He uses his own domain in the envelope, phish.example, whose SPF record does allow his server, and he adds a DKIM signature for example.org made with his own key, since he does not have Alice's.")
	mkey, err := dkim.GenerateKey(dkim.KeyTypeEd25519, 0)
	if err != nil {
		n.fail("generate Mallory's key: %v", err)
		return
	}
	body := compose("Alice <alice@example.org>", "Bob <bob@example.com>", "Invoice 2026-117, due today",
		"Bob, please pay the attached invoice today. Alice")
	sig, err := (&dkim.Signer{Domain: "example.org", Selector: demozone.SelectorEd25519, Key: mkey}).Sign(strings.NewReader(string(body)))
	if err != nil {
		n.fail("forge signature: %v", err)
		return
	}
	before := len(w.bob.Messages())
	err = w.send(ctx, n, "mail.phish.example", "mallory@phish.example", "bob@example.com", append([]byte(sig), body...))
	n.expect(isReply(err, 550, [3]int{5, 7, 1}), "mx.example.com refused it: %s", replyText(err))
	ev, _ := w.lastEvent(demozone.ReceiverMX)
	w.explainChecks(n, ev, expected{"pass", "fail", "none", "fail", authcheck.Reject})
	n.say("SPF passed, but for phish.example, not for the example.org that Bob sees in From:. The DKIM signature claims example.org but does not verify with Alice's public key. Nothing ties the message to example.org, and example.org asks receivers to reject such mail.")
	n.expect(len(w.bob.Messages()) == before, "nothing reached Bob's inbox")
}

// junk: a failing message under p=quarantine lands in the Junk folder.
func (w *world) junk(ctx context.Context, n *narrator) {
	n.scene("11:30", "Mallory tries Bob's own domain")
	n.say("Next Mallory sends a \"password reset\" from it@example.com. Bob's own domain publishes DMARC p=quarantine, a softer policy: mail that fails is delivered, but to the Junk folder. He also writes an Authentication-Results header of his own on top, in the name of mx.example.com, saying that everything passed, hoping Bob's mail program believes it.")
	forged := "Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=example.com;\r\n\tdkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n"
	err := w.send(ctx, n, "mail.phish.example", "mallory@phish.example", "bob@example.com",
		append([]byte(forged), compose("IT desk <it@example.com>", "Bob <bob@example.com>", "Password expires today", "Click here to keep your password.")...))
	n.expect(err == nil, "mx.example.com answered: %s", replyText(err))
	ev, _ := w.lastEvent(demozone.ReceiverMX)
	w.explainChecks(n, ev, expected{"pass", "none", "none", "fail", authcheck.Quarantine})
	n.expect(ev.Message != nil && ev.Message.Junk, "delivered to Bob's Junk folder")
	if ev.Message != nil {
		w.explainForgedResults(n, ev.Message.Data)
	}
}

// explainForgedResults shows that the MX removed the Authentication-Results
// field a sender forged in its name (RFC 8601 §5, authres.Stripper) and
// that the one left, parsed with authres.Parse, is its own.
func (w *world) explainForgedResults(n *narrator, msg []byte) {
	n.say("Only Bob's server may write Authentication-Results in the name mx.example.com, so it deletes every such header that arrives with a message (RFC 8601 §5) before it adds its own. In the message Bob's mail program shows:")
	var ours []*authres.Header
	for _, v := range mailmsg.Get(msg, authres.FieldName) {
		h, err := authres.Parse(v)
		if err != nil {
			n.fail("Authentication-Results does not parse: %v", err)
			return
		}
		if authres.EqualAuthServID(h.AuthServID, demozone.ReceiverMX) {
			ours = append(ours, h)
		}
	}
	if !n.expect(len(ours) == 1, "%d Authentication-Results header from mx.example.com: Mallory's is gone", len(ours)) {
		return
	}
	for _, r := range ours[0].Results {
		if r.Method == "dmarc" {
			n.expect(r.Value == "fail", "it says dmarc=%s, not the pass Mallory wrote", r.Value)
		}
	}
}

// forwarded: Alice writes to Bob's forwarding address; SRS keeps SPF working.
func (w *world) forwarded(ctx context.Context, n *narrator) {
	n.scene("12:30", "Alice writes to Bob's old address at the forwarder")
	n.say("bob@example.net forwards to bob@example.com. When the forwarder passes the message on, Bob's server sees the forwarder's address, which example.org's SPF record does not list. So the forwarder rewrites the envelope sender into its own domain with SRS; the DKIM signature is untouched and still verifies.")
	before := len(w.bob.Messages())
	if !w.sendAsAlice(ctx, n, "Bob", "bob@example.net", "Photos from the trip", "Here are the photos. Alice", "mx.example.net (the forwarder)") {
		return
	}
	msgs, ok := arrived(ctx, n, &w.bob.Store, before+1, "the forwarder delivered it to mx.example.com")
	if !ok {
		return
	}
	m := msgs[before]
	n.expect(strings.HasPrefix(m.From, "SRS0="), "envelope sender rewritten: alice@example.org → %s", m.From)
	ev, _ := w.lastEvent(demozone.ReceiverMX)
	w.explainChecks(n, ev, expected{"pass", "pass", "pass", "pass", authcheck.Accept})
	n.expect(ev.Message.Checks.SPFDomain == demozone.ForwarderDomain && ev.Message.Checks.DMARC.DKIMAligned,
		"SPF vouched for the forwarder (example.net); DMARC passed on the DKIM signature of example.org")
	w.whyRewrite(ctx, n, m.From)
}

// whyRewrite shows what SPF says about the forwarder's public address with
// and without the rewritten sender. (Here every server shares 127.0.0.1,
// which example.org's SPF allows, so the difference only shows with the
// address the forwarder would have on the Internet.)
func (w *world) whyRewrite(ctx context.Context, n *narrator, rewritten string) {
	ip := netip.MustParseAddr(demozone.ForwarderPublicIP)
	c := &spf.Checker{Resolver: w.res, Receiver: demozone.ReceiverMX}
	n.say("Why rewrite? On the Internet the forwarder sends from its own address, say %s. Here is what SPF says about that address:", ip)
	plain, _ := c.Check(ctx, ip, demozone.ForwarderMX, "alice@example.org")
	n.expect(plain.Result == spf.Fail, "spf=%-11s with the original sender alice@example.org: example.org does not list the forwarder", plain.Result)
	srsd, _ := c.Check(ctx, ip, demozone.ForwarderMX, rewritten)
	n.expect(srsd.Result == spf.Pass, "spf=%-11s with the SRS sender: example.net does (mechanism %q)", srsd.Result, srsd.Mechanism)
}

// bounced: a bounce to an SRS address finds its way back to Alice.
func (w *world) bounced(ctx context.Context, n *narrator) {
	n.scene("14:45", "A bounce finds its way back")
	n.say("Alice writes to carol@example.net, which forwards to carol@example.com. Carol's mailbox is full: her server accepts the message, then sends a bounce to the envelope sender. That is the forwarder's SRS address, not Alice's. The forwarder checks the address's hash and timestamp, turns it back into alice@example.org and passes the bounce on.")
	if !w.sendAsAlice(ctx, n, "Carol", "carol@example.net", "Concert tickets", "Carol, I have two tickets for Saturday. Alice", "mx.example.net (the forwarder)") {
		return
	}
	msgs, ok := arrived(ctx, n, w.alice, 1, "a bounce reached Alice's inbox at mail.example.org")
	if !ok {
		return
	}
	b := msgs[0]
	for _, r := range w.rewrites() {
		if kind, rest, _ := strings.Cut(r, " "); kind == "reverse" {
			from, to, _ := strings.Cut(rest, " ")
			n.expect(to == "alice@example.org", "the forwarder reversed %s → %s", from, to)
		}
	}
	n.expect(b.From == "" && strings.Contains(string(b.Data), "Final-Recipient: rfc822; carol@example.com") &&
		strings.Contains(string(b.Data), "Status: 5.2.2"),
		"it is a delivery status notification from <> for carol@example.com: 5.2.2 mailbox full")
	ev, _ := w.lastEvent(demozone.SenderMX)
	w.explainChecks(n, ev, expected{"pass", "pass", "pass", "pass", authcheck.Accept})
	w.explainDANE(ctx, n)

	n.say("Mallory tries to abuse this: he sends a fake bounce to an SRS address he made up, hoping the forwarder will pass his text on to Alice.")
	err := w.send(ctx, n, "mail.phish.example", "", "SRS0=AbCd=ZZ=example.org=alice@example.net",
		compose("MAILER-DAEMON@phish.example", "alice@example.org", "Undelivered mail", "Click here."))
	n.expect(isReply(err, 550, [3]int{5, 1, 1}), "the forwarder refused it (the hash does not verify): %s", replyText(err))
}

// expected is what the receiving MX should find: the SPF result, the
// result of every DKIM signature ("none" when unsigned), the ARC chain's
// status, the DMARC result and the decision. iprev always passes on
// loopback.
type expected struct {
	spf, dkim, arc, dmarc string
	action                authcheck.Action
}

// explainChecks prints the checks the receiving MX made, one line each,
// marked FAIL where the result is not the expected one.
func (w *world) explainChecks(n *narrator, ev receiver.Event, want expected) {
	if ev.Message == nil || ev.Message.Checks == nil {
		n.fail("the receiving server saw no message")
		return
	}
	c := ev.Message.Checks
	n.expect(c.IPRev.Result == ptr.Pass, "iprev=%-9s %s", c.IPRev.Result, iprevText(c))
	n.expect(string(c.SPF.Result) == want.spf, "spf=%-11s %s", c.SPF.Result, spfText(c))
	if len(c.DKIM) == 0 {
		n.expect(want.dkim == "none", "dkim=%-10s the message is not signed", "none")
	}
	for _, v := range c.DKIM {
		n.expect(string(v.Result) == want.dkim, "dkim=%-10s %s", v.Result, dkimText(v))
	}
	n.expect(arcStatus(c) == want.arc, "arc=%-11s %s", arcStatus(c), arcText(c))
	n.expect(string(c.DMARC.Result) == want.dmarc, "dmarc=%-9s %s", c.DMARC.Result, dmarcText(c))
	n.expect(ev.Action == want.action, "decision: %s", actionText(ev.Action))
}

func signatureSummary(msg []byte, err error) string {
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, v := range strings.Split(headerOf(msg, "DKIM-Signature"), "DKIM-Signature:")[1:] {
		sig, err := dkim.ParseSignature(v)
		if err != nil {
			return err.Error()
		}
		parts = append(parts, fmt.Sprintf("%s by d=%s s=%s", sig.Algorithm, sig.Domain, sig.Selector))
	}
	return strings.Join(parts, ", ")
}
