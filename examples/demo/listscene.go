package main

import (
	"context"
	"strings"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim/arc"
	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/forward"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
)

// The demo's mailing list at the forwarder: friends@example.net sends
// everything on to Bob, tagged and with a footer.
const listAddress = "friends@example.net"

var friendsList = forward.List{Tag: "[friends]", Footer: "friends@example.net: Alice's and Bob's friends\nTo leave, write to friends-leave@example.net"}

// listed: a mailing list changes Alice's message, which breaks her DKIM
// signature and so DMARC; ARC carries the list's results to Bob's server,
// which trusts the list, and the same message without ARC is refused.
func (w *world) listed(ctx context.Context, n *narrator) {
	n.scene("13:10", "Alice writes to a mailing list")
	n.say("friends@example.net is a mailing list at the forwarder; Bob is a member. Like most lists it tags the subject with [friends] and adds a footer under the text before sending each message on. Both change what Alice's DKIM signature covers, so at Bob's server it no longer verifies, and DMARC fails for example.org, which asks for rejection. The list therefore seals the message with ARC (RFC 8617): it copies what its own checks found on arrival into an ARC-Authentication-Results header, signs the message as it sends it (ARC-Message-Signature) and seals both (ARC-Seal), with example.net's key. Bob's server was told to trust example.net's seals (inbound's -trust-arc-sealer example.net).")
	before := len(w.bob.Messages())
	if !w.sendAsAlice(ctx, n, "Friends", listAddress, "Saturday's hike", "Who is in for the hike on Saturday? We leave at 8. Alice", "mx.example.net (the list)") {
		return
	}
	msgs, ok := arrived(ctx, n, &w.bob.Store, before+1, "the list passed it on to mx.example.com")
	if !ok {
		return
	}
	m := msgs[before]
	n.expect(strings.HasPrefix(mailmsg.Get(m.Data, "Subject")[0], friendsList.Tag), "subject tagged: %s", mailmsg.Get(m.Data, "Subject")[0])
	n.expect(strings.Contains(string(m.Data), "To leave, write to friends-leave@example.net"), "footer added under Alice's text")
	seal := mailmsg.Get(m.Data, arc.SealField)
	if s, err := arc.ParseSeal(strings.Join(seal, "")); n.expect(len(seal) == 1 && err == nil, "sealed: one ARC set") {
		n.say("ARC-Seal i=%d cv=%s d=%s s=%s (%s): the first set, so there was no chain to validate (cv=none).", s.Instance, s.ChainStatus, s.Domain, s.Selector, s.Algorithm)
	}
	n.say("What the list found when Alice's message reached it, as its ARC-Authentication-Results say:")
	n.quote(headerOf(m.Data, arc.AuthenticationResultsField))

	ev, _ := w.lastEvent(demozone.ReceiverMX)
	w.explainChecks(n, ev, expected{"pass", "fail", "pass", "fail", authcheck.Accept})
	c := ev.Message.Checks
	if n.expect(c.Override != nil, "DMARC failed, but the ARC chain passes and its sealer is trusted: policy override") && c.Override != nil {
		n.say("example.net sealed set i=%d, and its results say %q: the message was Alice's when it reached the list, and the list is trusted to say so. Bob's server accepts it and notes why in its header:", c.Override.Instance, c.Override.Result)
	}
	n.quote(headerOf(ev.Message.Data, authres.FieldName))
	n.expect(strings.Contains(strings.Join(mailmsg.Get(ev.Message.Data, authres.FieldName), " "), "(policy override: arc from example.net i=1)"),
		"Authentication-Results: dmarc=fail ... (policy override: arc from example.net i=1)")

	n.say("Without ARC, the same message fails. Here it is again as the list sent it, minus the three ARC headers, from the list's server to Bob's:")
	bare, _ := mailmsg.Remove(withoutTrace(m.Data), func(f mailmsg.Field) bool {
		return strings.HasPrefix(strings.ToLower(f.Name), "arc-")
	})
	err := w.send(ctx, n, demozone.ForwarderMX, m.From, "bob@example.com", bare)
	n.expect(isReply(err, 550, [3]int{5, 7, 1}), "mx.example.com refused it: %s", replyText(err))
	ev, _ = w.lastEvent(demozone.ReceiverMX)
	w.explainChecks(n, ev, expected{"pass", "fail", "none", "fail", authcheck.Reject})
	n.say("The same happens at a receiver that does not trust example.net: a passing chain proves who sealed what, not that the sealer tells the truth, so each receiver names the lists it trusts.")
}

// withoutTrace returns a message as Bob's server received it: without the
// Authentication-Results, Received-SPF and Received fields it put on top.
func withoutTrace(msg []byte) []byte {
	top := 0
	out, _ := mailmsg.Remove(msg, func(f mailmsg.Field) bool {
		top++
		return top <= 3
	})
	return out
}
