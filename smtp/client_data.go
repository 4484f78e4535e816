package smtp

import (
	"bytes"
	"context"
	"io"
)

// Data sends DATA (RFC 5321 §4.1.1.4) and, after the server's 354, returns
// a writer for the message. The writer streams: it normalises every line
// end (CRLF, a bare LF or a bare CR) to CRLF and doubles a "." at the start
// of a line (dot-stuffing, §4.5.2), so the message cannot end the data
// early. Close adds a final CRLF when the message lacks one, sends the
// terminating "." line and returns the server's reply to it: nil on 2yz,
// else an *Error. Long lines are not folded (that would change the
// message): a line longer than the server accepts (RFC 5321 §4.5.3.1.6
// guarantees 1000 octets with CRLF) gets the message refused.
//
// ctx governs the whole message, up to the reply to Close. No other command
// may be sent while the writer is open. To abandon a message half written
// (for example when its source fails), Close the Client instead of the
// writer: closing the writer would deliver what was written so far.
func (c *Client) Data(ctx context.Context) (io.WriteCloser, error) {
	if err := c.greet(ctx); err != nil {
		return nil, err
	}
	op, err := c.begin(ctx, ClientDataTimeout)
	if err != nil {
		return nil, err
	}
	r, err := c.roundTrip("DATA")
	if err == nil && r.code != 354 {
		err = c.replyError(r)
	}
	if err != nil {
		return nil, op.end(err)
	}
	return c.newDataWriter(op), nil
}

// newDataWriter returns the writer for message data after 354, under
// the exchange op (which the writer's Close ends).
func (c *Client) newDataWriter(op *clientOp) *clientDataWriter {
	c.inData = true
	_, hasDeadline := op.ctx.Deadline()
	return &clientDataWriter{c: c, op: op, lineStart: true, extend: !hasDeadline}
}

// clientDataWriter dot-stuffs and normalises message data onto the
// connection's buffered writer.
type clientDataWriter struct {
	c         *Client
	op        *clientOp
	lineStart bool // the next octet starts a line
	pendingCR bool // the last octet written was a CR whose LF may follow
	extend    bool // move the deadline on each Write (ctx has none)
	closed    bool
	err       error
}

// Write stuffs p onto the connection. It returns len(p) or an error that
// has made the Client unusable.
func (w *clientDataWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errorf("%w: Write after Close of the Data writer", ErrClientArgument)
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.extend {
		w.op.extend(ClientDataBlockTimeout)
	}
	if err := w.stuff(p); err != nil {
		w.fail(errorf("sending message data: %w", err))
		return 0, w.err
	}
	return len(p), nil
}

// fail ends the exchange with a connection error.
func (w *clientDataWriter) fail(err error) {
	w.c.inData = false
	w.err = w.op.end(err)
}

// stuff writes p with line ends normalised to CRLF and leading dots
// doubled, keeping state across calls. It scans for CR and LF with
// bytes.IndexByte and writes the runs that need no change (CRLF lines
// included) whole, breaking them only where an octet must be added.
func (w *clientDataWriter) stuff(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	bw := w.c.bw
	if w.pendingCR {
		w.pendingCR = false
		w.lineStart = true
		if _, err := bw.WriteString("\r\n"); err != nil {
			return err
		}
		if p[0] == '\n' {
			p = p[1:]
		}
	}
	if len(p) == 0 {
		return nil
	}
	if w.lineStart && p[0] == '.' {
		if err := bw.WriteByte('.'); err != nil {
			return err
		}
	}
	start, i := 0, 0 // p[start:i] is written as is
	for {
		k := indexLineEnd(p[i:])
		if k < 0 {
			w.lineStart = false
			_, err := bw.Write(p[start:])
			return err
		}
		k += i
		switch {
		case p[k] == '\r' && k+1 == len(p):
			// Decide at the next octet whether this CR has its LF.
			w.pendingCR = true
			_, err := bw.Write(p[start:k])
			return err
		case p[k] == '\r' && p[k+1] == '\n':
			i = k + 2
		default: // a bare CR or LF
			if _, err := bw.Write(p[start:k]); err != nil {
				return err
			}
			if _, err := bw.WriteString("\r\n"); err != nil {
				return err
			}
			start, i = k+1, k+1
		}
		if i == len(p) {
			w.lineStart = true
			_, err := bw.Write(p[start:])
			return err
		}
		if p[i] == '.' {
			if _, err := bw.Write(p[start:i]); err != nil {
				return err
			}
			if err := bw.WriteByte('.'); err != nil {
				return err
			}
			start = i
		}
	}
}

// indexLineEnd returns the index of the first CR or LF in p, or -1.
func indexLineEnd(p []byte) int {
	n := bytes.IndexByte(p, '\n')
	head := p
	if n >= 0 {
		head = p[:n]
	}
	if r := bytes.IndexByte(head, '\r'); r >= 0 {
		return r
	}
	return n
}

// Close ends the message: it completes the last line, sends "." CRLF
// (RFC 5321 §4.1.1.4) and returns the server's reply, nil when it is 2yz.
func (w *clientDataWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	c := w.c
	c.bw.WriteString(w.terminator())
	c.inData = false
	c.mailUTF8 = false
	if w.extend {
		w.op.extend(ClientDataEndTimeout)
	}
	if err := c.flush(); err != nil {
		w.err = w.op.end(err)
		return w.err
	}
	r, err := c.readReply()
	if err == nil && r.code/100 != 2 {
		err = c.replyError(r)
	}
	w.err = w.op.end(err)
	return w.err
}

// terminator returns what ends the data after the octets written so far:
// the end of the last line when it is incomplete, then "." CRLF.
func (w *clientDataWriter) terminator() string {
	if w.pendingCR || !w.lineStart {
		return "\r\n.\r\n"
	}
	return ".\r\n"
}

// abort ends a Data writer whose message source failed: the
// connection is closed so that the partial message is not delivered.
func (w *clientDataWriter) abort(cause error) error {
	w.closed = true
	if w.err == nil {
		w.fail(cause)
	}
	return w.err
}

var _ io.WriteCloser = (*clientDataWriter)(nil)
