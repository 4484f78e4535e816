package submit

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
)

// privacyFields are removed with -hide-client: they tell recipients which
// program and which network the sender used.
var privacyFields = []string{"User-Agent", "X-Mailer", "X-Originating-IP"}

// prepared is what preparing a message did, for the log.
type prepared struct {
	addedDate, addedID bool
	removed            int
	signatures         int
}

// prepare fixes what clients leave out (RFC 6409 §8: Date, Message-ID),
// removes the privacy fields when asked, adds the Received field and signs
// with every key of the author's domain.
func (s *Backend) prepare(msg []byte, user string, client netip.Addr, helo string, tls bool) ([]byte, prepared, error) {
	var p prepared
	now := time.Now()
	msg, p.addedDate = mailmsg.EnsureDate(msg, now)
	msg, p.addedID = mailmsg.EnsureMessageID(msg, s.Hostname)
	if s.HideClient {
		msg, p.removed = mailmsg.RemoveNamed(msg, privacyFields...)
	}
	msg = mailmsg.Prepend(msg, s.received(client, helo, tls, now))

	domain := mailmsg.Domain(user)
	var signers []*dkim.Signer
	for _, k := range s.Keys {
		if k.Domain == domain {
			signers = append(signers, k.Signer)
		}
	}
	if len(signers) == 0 {
		return msg, p, nil
	}
	fields, err := dkim.SignMulti(bytes.NewReader(msg), signers...)
	if err != nil {
		return nil, p, fmt.Errorf("DKIM signing: %w", err)
	}
	p.signatures = len(fields)
	return mailmsg.Prepend(msg, fields...), p, nil
}

// received is the trace field of this hop (RFC 5321 §4.4; "ESMTPSA" is
// ESMTP with TLS and AUTH, RFC 3848). With -hide-client it leaves out the
// client's name and address.
func (s *Backend) received(client netip.Addr, helo string, tls bool, now time.Time) string {
	proto := "ESMTPA"
	if tls {
		proto = "ESMTPSA"
	}
	var b strings.Builder
	b.WriteString("Received: ")
	if !s.HideClient {
		fmt.Fprintf(&b, "from %s ([%s])\r\n\t", helo, client)
	}
	fmt.Fprintf(&b, "by %s with %s; %s", s.Hostname, proto, mailmsg.DateHeader(now))
	return b.String()
}
