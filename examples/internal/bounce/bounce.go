// Package bounce writes delivery status notifications: the message a mail
// system sends back to the envelope sender when it cannot deliver, in the
// multipart/report format of RFC 6522 with a message/delivery-status part
// (RFC 3464) and the original header. Bounces are sent with the null
// reverse-path so that they can never bounce themselves (RFC 5321 §6.1).
package bounce

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/smtp"
)

// Failure is one recipient that could not be reached.
type Failure struct {
	Recipient string
	RemoteMTA string // the host that refused, if one did
	Err       error  // why; an *smtp.Error gives status and diagnostic
}

// Report is a bounce to write.
type Report struct {
	ReportingMTA string // this host's name
	To           string // the original envelope sender
	Failures     []Failure
	Original     []byte // the message that failed; its header is returned
	Now          time.Time
}

// Message returns the bounce as a complete message with CRLF line ends.
func (r Report) Message() []byte {
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	boundary := "bounce-" + hex.EncodeToString(rnd[:])
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }

	w("From: Mail Delivery System <MAILER-DAEMON@%s>", r.ReportingMTA)
	w("To: <%s>", r.To)
	w("Subject: Undelivered Mail Returned to Sender")
	w("Date: %s", mailmsg.DateHeader(now))
	w("Message-ID: %s", mailmsg.NewMessageID(r.ReportingMTA))
	w("Auto-Submitted: auto-replied")
	w("MIME-Version: 1.0")
	w("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"%s\"", boundary)
	w("")
	w("--%s", boundary)
	w("Content-Type: text/plain; charset=us-ascii")
	w("")
	w("This is the mail system at %s.", r.ReportingMTA)
	w("")
	w("Your message could not be delivered to the following recipients:")
	w("")
	for _, f := range r.Failures {
		w("  <%s>: %s", f.Recipient, oneLine(f.Err))
	}
	w("")
	w("--%s", boundary)
	w("Content-Type: message/delivery-status")
	w("")
	w("Reporting-MTA: dns; %s", r.ReportingMTA)
	w("Arrival-Date: %s", mailmsg.DateHeader(now))
	for _, f := range r.Failures {
		w("")
		w("Final-Recipient: rfc822; %s", f.Recipient)
		w("Action: failed")
		w("Status: %s", status(f.Err))
		if f.RemoteMTA != "" {
			w("Remote-MTA: dns; %s", f.RemoteMTA)
		}
		var se *smtp.Error
		if errors.As(f.Err, &se) {
			w("Diagnostic-Code: smtp; %d %s", se.Code, oneLine(errors.New(se.Message)))
		}
	}
	w("")
	w("--%s", boundary)
	w("Content-Type: text/rfc822-headers")
	w("")
	header, _ := mailmsg.Split(r.Original)
	b.Write(bytes.TrimRight(header, "\r\n"))
	w("")
	w("")
	w("--%s--", boundary)
	return b.Bytes()
}

// status returns the RFC 3463 status code for a failure: the server's
// enhanced code when it gave one, else 5.0.0.
func status(err error) string {
	var se *smtp.Error
	if errors.As(err, &se) && se.EnhancedCode[0] != 0 {
		return fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
	}
	return "5.0.0"
}

func oneLine(err error) string {
	if err == nil {
		return "unknown error"
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
