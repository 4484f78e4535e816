package smtp

import (
	"io"
	"strconv"
)

// bdatReader streams a message sent in BDAT chunks (RFC 3030). Between
// chunks it answers the previous chunk itself and reads the next BDAT
// command, so the Session sees one continuous message.
type bdatReader struct {
	c         *Conn
	remaining int64 // octets left in the current chunk
	chunk     int64 // size of the current chunk
	last      bool  // the current chunk is the last
	total     int64 // octets announced so far
	max       int64 // 0: no limit
	fault     error // ErrMessageTooLarge
	ioErr     error
	aborted   bool // a command other than BDAT/NOOP came; see Conn.pending
	ended     bool // io.EOF was given
}

func (b *bdatReader) setChunk(size int64, last bool) {
	b.remaining, b.chunk, b.last = size, size, last
	b.total += size
	if b.max > 0 && b.total > b.max && b.fault == nil {
		b.fault = ErrMessageTooLarge
	}
}

// Read implements io.Reader.
func (b *bdatReader) Read(p []byte) (int, error) {
	for {
		switch {
		case b.fault != nil:
			return 0, b.fault
		case b.ioErr != nil:
			return 0, b.ioErr
		case b.aborted:
			return 0, errBDATAborted
		case len(p) == 0:
			return 0, nil
		case b.remaining == 0:
			if b.last {
				if !b.ended {
					b.ended = true
					b.c.dataEnded()
				}
				return 0, io.EOF
			}
			b.next()
			continue
		}
		buf := b.c.rd.buffered()
		if len(buf) == 0 {
			if err := b.c.fillData(); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				b.ioErr = err
			}
			continue
		}
		n := len(p)
		if n > len(buf) {
			n = len(buf)
		}
		if int64(n) > b.remaining {
			n = int(b.remaining)
		}
		copy(p, buf[:n])
		b.c.rd.r += n
		b.remaining -= int64(n)
		return n, nil
	}
}

// skip consumes the rest of the current chunk.
func (b *bdatReader) skip() bool {
	if b.ioErr == nil {
		b.ioErr = b.c.skipOctets(b.remaining)
		b.remaining = 0
	}
	return b.ioErr == nil
}

// skipOctets consumes n octets of chunk data.
func (c *Conn) skipOctets(n int64) error {
	for n > 0 {
		buf := c.rd.buffered()
		if len(buf) == 0 {
			if err := c.fillData(); err != nil {
				return err
			}
			continue
		}
		k := int64(len(buf))
		if k > n {
			k = n
		}
		c.rd.r += int(k)
		n -= k
	}
	return nil
}

// next answers the finished chunk and waits for the next BDAT. NOOP is
// answered in passing; RSET, QUIT, EHLO and HELO end the transfer; other
// commands are refused with 503 (RFC 3030 §2) and the transfer goes on.
func (b *bdatReader) next() {
	c := b.c
	c.reply(250, srvEnhOK, strconv.FormatInt(b.chunk, 10)+" octets received")
	for {
		if c.errCount >= c.srv.maxErrors() {
			b.aborted = true
			return
		}
		line, err := c.readCommandBusy()
		switch err {
		case nil:
		case errWireLineTooLong:
			c.fail(500, srvEnhSyntax, "Line too long")
			continue
		case errWireBareLine:
			c.fail(500, srvEnhSyntax, "Bare CR or LF in command line; lines must end with CRLF")
			continue
		default:
			if err == io.EOF {
				// The client stopped sending before the last chunk:
				// the message is incomplete, never just ended.
				err = io.ErrUnexpectedEOF
			}
			b.ioErr = err
			return
		}
		verb, arg := splitCommand(line)
		switch verb {
		case "BDAT":
			size, last, ok := parseBDAT(arg)
			if !ok {
				c.fail(501, srvEnhBadArgs, "Syntax: BDAT chunk-size [LAST]; closing")
				c.closing = true
				b.ioErr = errBDATAborted
				return
			}
			b.setChunk(size, last)
			return
		case "NOOP":
			c.reply(250, srvEnhOK, "OK")
		case "RSET", "QUIT", "EHLO", "HELO":
			c.pendBuf = append(c.pendBuf[:0], line...)
			c.pending = c.pendBuf
			b.aborted = true
			return
		default:
			c.fail(503, srvEnhBadCommand, "Only BDAT, NOOP, RSET or QUIT may follow BDAT without LAST")
		}
	}
}

// readCommandBusy reads a command line without marking the connection
// idle: a BDAT transfer in progress is finished even during Shutdown.
func (c *Conn) readCommandBusy() ([]byte, error) {
	if !c.rd.hasLineEnd(c.srv.AllowBareLineEndings) {
		c.armRead(durationOr(c.srv.ReadTimeout, ServerCommandTimeout))
	}
	return c.rd.readLine(c.srv.maxLine(), c.srv.AllowBareLineEndings)
}

func (c *Conn) cmdBDAT(arg []byte) {
	size, last, ok := parseBDAT(arg)
	if !ok {
		// The chunk's length is unknown, so the octets that follow can
		// not be told from commands: stop here rather than run them.
		c.fail(501, srvEnhBadArgs, "Syntax: BDAT chunk-size [LAST]; closing")
		c.closing = true
		return
	}
	if c.srv.DisableChunking || !c.esmtp {
		if c.skipOctets(size) != nil {
			c.closing = true
			return
		}
		c.fail(503, srvEnhBadCommand, "BDAT needs EHLO and CHUNKING")
		return
	}
	if c.bdatAccepted {
		// The Session accepted the message before its last chunk: the
		// rest is read and dropped.
		if c.skipOctets(size) != nil {
			c.closing = true
			return
		}
		if last {
			c.bdatAccepted = false
			c.replyFixed(srvReplyAccepted)
			c.resetTxn()
			return
		}
		c.reply(250, srvEnhOK, strconv.FormatInt(size, 10)+" octets received")
		return
	}
	if !c.checkTxnReady() {
		if c.skipOctets(size) != nil {
			c.closing = true
		}
		return
	}
	c.startDataDeadline()
	c.rd.trickle = false // the message's first read gets the pool buffer
	b := &c.bdat
	*b = bdatReader{c: c, max: c.srv.maxMessageBytes()}
	b.setChunk(size, last)
	err := c.sess.Data(b)
	c.watchStop()
	if b.ioErr == nil && !b.aborted {
		b.skip()
	}
	switch {
	case b.ioErr != nil:
		if b.ioErr != errBDATAborted {
			c.closing = true
			if isTimeout(b.ioErr) {
				c.replyTimeout()
			}
		}
		c.resetTxn()
	case b.aborted:
		c.resetTxn()
	case b.fault != nil:
		c.replyData(b.fault, nil)
		c.resetTxn()
	case err != nil:
		c.replyErr(err, "Data")
		c.resetTxn()
	case b.last:
		c.replyFixed(srvReplyAccepted)
		c.resetTxn()
	default:
		c.reply(250, srvEnhOK, strconv.FormatInt(b.chunk, 10)+" octets received")
		c.bdatAccepted = true
	}
}
