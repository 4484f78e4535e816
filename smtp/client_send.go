package smtp

import (
	"context"
	"io"
)

// clientPipelineBatch is how many RCPT commands Send writes before it reads
// their replies when pipelining. Bounding the batch keeps both sides'
// socket buffers from filling up with unread data (a deadlock).
const clientPipelineBatch = 100

// RecipientError reports that the server refused one recipient of Send or
// SendMail. Err is usually an *Error.
type RecipientError struct {
	Recipient string
	Err       error
}

// Error returns the recipient and the reason, for example
// "smtp: recipient <a@example.org>: smtp: 550 5.1.1 no such user".
func (e *RecipientError) Error() string {
	return errPrefix + "recipient <" + e.Recipient + ">: " + inner(e.Err).Error()
}

// Unwrap returns the reason.
func (e *RecipientError) Unwrap() error { return e.Err }

// Send runs one complete mail transaction: MAIL FROM, RCPT TO for every
// address in to, DATA and the message read from msg (streamed, with line
// ends normalised and dot-stuffing, as Data does). When the server
// advertises PIPELINING (RFC 2920) the MAIL, RCPT and DATA commands go out
// together and their replies are read afterwards, saving round trips.
//
// rcptErrs has one entry per recipient, in the order of to: nil when the
// server accepted it, else a *RecipientError. It is nil when the
// transaction failed before the recipients were answered (MAIL refused, a
// local check, the connection). err is non-nil when the
// message was not accepted for any recipient: MAIL was refused, every
// recipient was refused, DATA or the message was refused (an *Error), or
// the connection failed. When err is nil the message was accepted for the
// recipients whose entry is nil.
//
// SMTPUTF8 is declared when opts asks for it or an address needs it; to a
// server without SMTPUTF8, addresses whose domain alone is not ASCII go in
// A-labels, and any other non-ASCII address fails locally before anything
// is sent (see Mail, also for the other parameters). If reading msg fails, the connection
// is closed so that no partial message is delivered, and the Client is
// unusable. After a refused transaction, Send resets it (RSET) so the
// Client can be used for the next one.
func (c *Client) Send(ctx context.Context, from string, to []string, msg io.Reader, opts *MailOptions) (rcptErrs []error, err error) {
	if len(to) == 0 {
		return nil, errorf("%w: no recipients", ErrClientArgument)
	}
	if msg == nil {
		return nil, errorf("%w: nil message reader", ErrClientArgument)
	}
	if err := c.ensureHello(ctx); err != nil {
		return nil, err
	}
	for _, rcpt := range to {
		if err := checkAddress(rcpt, false); err != nil {
			return nil, err
		}
	}
	mailLine, utf8Mail, err := c.mailLine(from, opts, to)
	if err != nil {
		return nil, err
	}
	wire := to
	if !utf8Mail {
		// mailLine has checked that every address converts.
		wire = make([]string, len(to))
		for i, rcpt := range to {
			wire[i], _ = c.asciiAddress(rcpt)
		}
	}
	op, err := c.begin(ctx, ClientCommandTimeout)
	if err != nil {
		return nil, err
	}
	c.mailUTF8 = utf8Mail
	var txOpen bool
	if c.ext.has("PIPELINING") {
		rcptErrs, txOpen, err = c.sendPipelined(mailLine, to, wire)
	} else {
		rcptErrs, txOpen, err = c.sendInTurn(op, mailLine, to, wire)
	}
	if err != nil {
		c.mailUTF8 = false
		if txOpen && isReply(err) {
			err = c.resetAfter(err)
		}
		return rcptErrs, op.end(err)
	}
	w := c.newDataWriter(op)
	if _, err := io.Copy(w, msg); err != nil {
		if w.err != nil {
			return rcptErrs, w.err
		}
		return rcptErrs, w.abort(errorf("reading message: %w; connection closed, message not sent", err))
	}
	return rcptErrs, w.Close()
}

// sendInTurn sends MAIL, each RCPT and DATA one at a time, up to the
// server's 354. wire holds the recipients as sent, to as given. txOpen
// reports whether MAIL was accepted, so that a refused transaction needs a
// reset.
func (c *Client) sendInTurn(op *clientOp, mailLine string, to, wire []string) (rcptErrs []error, txOpen bool, err error) {
	r, err := c.roundTrip(mailLine)
	if err != nil {
		return nil, false, err
	}
	if r.code/100 != 2 {
		return nil, false, c.replyError(r)
	}
	rcptErrs = make([]error, len(to))
	accepted := 0
	for i, rcpt := range to {
		op.extend(ClientCommandTimeout)
		if r, err = c.roundTrip("RCPT TO:<" + wire[i] + ">"); err != nil {
			return rcptErrs, true, err
		}
		if r.code == 421 {
			return rcptErrs, false, c.replyError(r)
		}
		if r.code/100 == 2 {
			accepted++
		} else {
			rcptErrs[i] = &RecipientError{Recipient: rcpt, Err: c.replyError(r)}
		}
	}
	if accepted == 0 {
		return rcptErrs, true, allRefused(rcptErrs)
	}
	op.extend(ClientDataTimeout)
	if r, err = c.roundTrip("DATA"); err != nil {
		return rcptErrs, true, err
	}
	if r.code != 354 {
		return rcptErrs, r.code != 421, c.replyError(r)
	}
	return rcptErrs, true, nil
}

// sendPipelined sends MAIL, the RCPTs and DATA as pipelined groups
// (RFC 2920 §3.1: DATA last in its group) and reads the replies in order,
// up to the server's 354. txOpen reports whether MAIL was accepted. wire
// holds the recipients as sent, to as given.
func (c *Client) sendPipelined(mailLine string, to, wire []string) (rcptErrs []error, txOpen bool, err error) {
	c.writeLine(mailLine)
	rcptErrs = make([]error, len(to))
	var mailErr error
	accepted := 0
	for start := 0; start < len(to); start += clientPipelineBatch {
		end := min(start+clientPipelineBatch, len(to))
		for _, rcpt := range wire[start:end] {
			c.writeLine("RCPT TO:<" + rcpt + ">")
		}
		if end == len(to) {
			c.writeLine("DATA")
		}
		if err := c.flush(); err != nil {
			return nil, false, err
		}
		if start == 0 {
			r, err := c.readReply()
			if err != nil {
				return nil, false, err
			}
			if r.code == 421 {
				return nil, false, c.replyError(r)
			}
			if r.code/100 != 2 {
				mailErr = c.replyError(r)
			}
		}
		for i := start; i < end; i++ {
			r, err := c.readReply()
			if err != nil {
				return nil, mailErr == nil, err
			}
			if r.code == 421 {
				return rcptErrs, false, c.replyError(r)
			}
			if r.code/100 == 2 {
				accepted++
			} else {
				rcptErrs[i] = &RecipientError{Recipient: to[i], Err: c.replyError(r)}
			}
		}
	}
	txOpen = mailErr == nil
	r, err := c.readReply()
	if err != nil {
		return nil, txOpen, err
	}
	if r.code == 354 && (mailErr != nil || accepted == 0) {
		// The server accepted DATA although the transaction has no
		// recipient: end it at once with an empty message, whose reply
		// (a refusal, or an acceptance for nobody) is not of interest.
		c.writeLine(".")
		if err := c.flush(); err != nil {
			return nil, txOpen, err
		}
		if _, err := c.readReply(); err != nil {
			return nil, txOpen, err
		}
	}
	switch {
	case mailErr != nil:
		return nil, false, mailErr
	case accepted == 0:
		return rcptErrs, true, allRefused(rcptErrs)
	case r.code != 354:
		return rcptErrs, r.code != 421, c.replyError(r)
	}
	return rcptErrs, true, nil
}

// allRefused is the error of a transaction whose every recipient was
// refused: the first refusal, with the count.
func allRefused(rcptErrs []error) error {
	if len(rcptErrs) == 1 {
		return rcptErrs[0]
	}
	return errorf("all %d recipients refused, first: %w", len(rcptErrs), rcptErrs[0])
}

// resetAfter sends RSET after a refused transaction so the
// connection can carry the next one. It returns cause, or the network
// error when RSET cannot be sent or answered. A refusal of RSET itself is
// not reported: the caller's next command meets the server's state.
func (c *Client) resetAfter(cause error) error {
	if _, err := c.roundTrip("RSET"); err != nil {
		return err
	}
	return cause
}
