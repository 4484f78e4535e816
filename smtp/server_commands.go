package smtp

import (
	"strconv"
	"strings"
	"time"
)

// dispatch runs one command line.
func (c *Conn) dispatch(line []byte) {
	verb, arg := splitCommand(line)
	if c.lg != nil && verb != "AUTH" {
		c.logCommand(verb)
	}
	if c.refused {
		c.refusedCommand(verb)
		return
	}
	// MAIL has its own, longer limit; BDAT must be parsed whatever its
	// length, or its chunk would be read as commands.
	if verb != "MAIL" && verb != "BDAT" && len(line)+2 > c.srv.maxLine() {
		c.fail(500, srvEnhSyntax, "Line too long")
		return
	}
	switch verb {
	case "EHLO", "HELO":
		c.cmdHello(verb == "EHLO", arg)
	case "MAIL":
		c.cmdMail(line, arg)
	case "RCPT":
		c.cmdRcpt(line, arg)
	case "DATA":
		c.cmdData(arg)
	case "BDAT":
		c.cmdBDAT(arg)
	case "RSET":
		c.cmdRset(arg)
	case "NOOP":
		c.reply(250, srvEnhOK, "OK")
	default:
		c.dispatchRare(verb, arg)
	}
}

// dispatchRare runs the commands a mail transaction does not use. They
// are apart from dispatch to keep its frame small (see Conn.commands).
//
//go:noinline
func (c *Conn) dispatchRare(verb string, arg []byte) {
	switch verb {
	case "QUIT":
		if len(arg) != 0 {
			c.fail(501, srvEnhBadArgs, "Syntax: QUIT")
			return
		}
		c.reply(221, srvEnhBye, c.srv.hostname()+" closing transmission channel")
		c.closing = true
	case "VRFY":
		if len(arg) == 0 {
			c.fail(501, srvEnhBadArgs, "Syntax: VRFY <string>")
			return
		}
		c.reply(252, srvEnhOK, "Cannot VRFY user, but will accept message and attempt delivery")
	case "EXPN":
		c.fail(502, srvEnhBadCommand, "EXPN not implemented")
	case "HELP":
		c.reply(214, srvEnhOK, "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH\nSee RFC 5321")
	case "STARTTLS":
		c.cmdStartTLS(arg)
	case "AUTH":
		c.cmdAuth(arg)
	default:
		c.fail(500, srvEnhBadCommand, "Command not recognized")
	}
}

// refusedCommand answers a command after NewSession refused the
// connection with a 5yz code: only QUIT is accepted.
//
//go:noinline
func (c *Conn) refusedCommand(verb string) {
	if verb == "QUIT" {
		c.reply(221, srvEnhBye, c.srv.hostname()+" closing transmission channel")
		c.closing = true
		return
	}
	c.fail(503, srvEnhBadCommand, "Service refused; send QUIT")
}

// cmdRset ends the transaction (RFC 5321 §4.1.1.5).
func (c *Conn) cmdRset(arg []byte) {
	if len(arg) != 0 {
		c.fail(501, srvEnhBadArgs, "Syntax: RSET")
		return
	}
	c.resetTxn()
	c.bdatAccepted = false
	c.reply(250, srvEnhOK, "OK")
}

// logCommand logs a command's verb at debug level. It is a function of
// its own so that the logging call's frame does not sit in dispatch's,
// which is on the stack of every command (see Conn.commands).
//
//go:noinline
func (c *Conn) logCommand(verb string) {
	c.lg.Debug("smtp: command", "verb", verb)
}

// authOffered reports whether AUTH is advertised on this connection.
func (c *Conn) authOffered() bool {
	if _, ok := c.sess.(AuthSession); !ok || c.authID != "" {
		return false
	}
	return c.tlsState != nil || c.srv.AllowInsecureAuth
}

func (c *Conn) cmdHello(ehlo bool, arg []byte) {
	if !validHelo(arg) {
		if ehlo {
			c.fail(501, srvEnhBadArgs, "Syntax: EHLO domain-or-address-literal")
		} else {
			c.fail(501, srvEnhBadArgs, "Syntax: HELO domain")
		}
		return
	}
	// A new EHLO/HELO resets the transaction like RSET (RFC 5321 §4.1.4).
	if c.inTxn {
		c.resetTxn()
	}
	c.helo = string(arg)
	c.esmtp = ehlo
	host := c.srv.hostname()
	if !ehlo {
		c.reply(250, [3]int{}, host)
		return
	}
	c.reply(250, [3]int{}, c.ehloText(host))
}

// ehloText is the text of the EHLO reply: the greeting line, then the
// extensions, one per line. It is apart from cmdHello so that its
// frame is gone before the reply is formatted (see Conn.commands).
//
//go:noinline
func (c *Conn) ehloText(host string) string {
	var b strings.Builder
	b.WriteString(host)
	b.WriteString(" greets ")
	b.WriteString(c.helo)
	b.WriteString("\nPIPELINING\n")
	if max := c.srv.maxMessageBytes(); max > 0 {
		b.WriteString("SIZE ")
		b.WriteString(strconv.FormatInt(max, 10))
		b.WriteByte('\n')
	} else {
		b.WriteString("SIZE\n")
	}
	b.WriteString("8BITMIME\nSMTPUTF8\nENHANCEDSTATUSCODES\n")
	if !c.srv.DisableChunking {
		b.WriteString("CHUNKING\n")
	}
	if c.srv.TLSConfig != nil && c.tlsState == nil {
		b.WriteString("STARTTLS\n")
	}
	if c.authOffered() {
		b.WriteString("AUTH PLAIN LOGIN\n")
	}
	b.WriteString("HELP")
	return b.String()
}

func (c *Conn) cmdMail(line, arg []byte) {
	// A MAIL line may exceed the command limit only by what the
	// extensions it uses add; a refused one that is longer than the
	// plain limit is answered as too long, which is what the client
	// most needs to hear (RFC 5321 §4.5.3.1.10: 500 Line too long).
	bad := func(code int, enh [3]int, text string) {
		if len(line)+2 > c.srv.maxLine() {
			code, enh, text = 500, srvEnhSyntax, "Line too long"
		}
		c.fail(code, enh, text)
	}
	if c.helo == "" {
		bad(503, srvEnhBadCommand, "Send EHLO or HELO first")
		return
	}
	if c.inTxn {
		bad(503, srvEnhBadCommand, "Nested MAIL command")
		return
	}
	if !hasPrefixFold(arg, "FROM:") {
		bad(501, srvEnhBadArgs, "Syntax: MAIL FROM:<address>")
		return
	}
	path, rest, fault := parsePathArg(arg[5:], "sender", true, false)
	if fault != "" {
		bad(501, srvEnhBadSender, fault)
		return
	}
	params, err := parseParams(rest)
	if err != nil {
		bad(501, srvEnhBadArgs, "Syntax error in MAIL parameters")
		return
	}
	limit := c.srv.maxLine()
	var opts MailOptions
	var seen [4]bool // SIZE, BODY, SMTPUTF8, AUTH
	for _, p := range params {
		if !c.esmtp {
			bad(555, srvEnhBadArgs, "MAIL parameters need EHLO")
			return
		}
		if k := mailParamIndex(p.Key); k >= 0 {
			if seen[k] {
				bad(501, srvEnhBadArgs, "Duplicate MAIL parameter "+p.Key)
				return
			}
			seen[k] = true
		}
		switch p.Key {
		case "SIZE":
			n, ok := parseSize(p.Value)
			if !ok || !p.Has {
				bad(501, srvEnhBadArgs, "Syntax error in SIZE parameter")
				return
			}
			if max := c.srv.maxMessageBytes(); max > 0 && n > max {
				c.reply(552, srvEnhTooBig, "Message size exceeds fixed maximum message size")
				return
			}
			opts.Size = n
			limit += 26
		case "BODY":
			switch strings.ToUpper(p.Value) {
			case "7BIT":
				opts.Body = Body7Bit
			case "8BITMIME":
				opts.Body = Body8BitMIME
			case "BINARYMIME":
				bad(555, srvEnhBadArgs, "BODY=BINARYMIME not supported")
				return
			default:
				bad(501, srvEnhBadArgs, "Syntax error in BODY parameter")
				return
			}
		case "SMTPUTF8":
			if p.Has {
				bad(501, srvEnhBadArgs, "SMTPUTF8 takes no value")
				return
			}
			opts.UTF8 = true
			limit += 10
		case "AUTH":
			if !c.authOffered() && c.authID == "" || !p.Has {
				bad(555, srvEnhBadArgs, "MAIL parameter AUTH not recognized")
				return
			}
			v, ok := decodeXtext(p.Value)
			if !ok {
				bad(501, srvEnhBadArgs, "Syntax error in AUTH parameter")
				return
			}
			if c.authID != "" {
				opts.Auth = v
			}
			limit += 500
		default:
			bad(555, srvEnhBadArgs, "MAIL parameter "+p.Key+" not recognized or not implemented")
			return
		}
	}
	if len(line)+2 > limit {
		bad(500, srvEnhSyntax, "Line too long")
		return
	}
	if path.NonASCII && !opts.UTF8 {
		bad(553, srvEnhNonASCII, "Non-ASCII address needs the SMTPUTF8 parameter")
		return
	}
	c.watchStart()
	err = c.sess.Mail(path.Addr, &opts)
	c.watchStop()
	if err != nil {
		c.replyErr(err, "Mail")
		return
	}
	c.inTxn = true
	c.rcpts = 0
	c.rcptTried = false
	c.txnUTF8 = opts.UTF8
	c.replyFixed(srvReplySenderOK)
}

// parsePathArg parses the path of MAIL or RCPT that follows "FROM:" or
// "TO:" in arg, after any spaces, as parsePath does. A path it refuses
// gets the text of the 501 reply, naming the address as who.
func parsePathArg(arg []byte, who string, null, postmaster bool) (p srvPath, rest []byte, fault string) {
	for len(arg) > 0 && arg[0] == ' ' {
		arg = arg[1:]
	}
	p, rest, err := parsePath(arg, null, postmaster)
	switch {
	case err == errPathTooLong:
		return p, nil, "Path too long"
	case err != nil:
		return p, nil, "Syntax error in " + who + " address"
	}
	return p, rest, ""
}

func (c *Conn) cmdRcpt(line, arg []byte) {
	if !c.inTxn {
		c.fail(503, srvEnhBadCommand, "Need MAIL command first")
		return
	}
	c.rcptTried = true
	if len(line)+2 > c.srv.maxLine() {
		c.fail(500, srvEnhSyntax, "Line too long")
		return
	}
	if !hasPrefixFold(arg, "TO:") {
		c.fail(501, srvEnhBadArgs, "Syntax: RCPT TO:<address>")
		return
	}
	path, rest, fault := parsePathArg(arg[3:], "recipient", false, true)
	if fault != "" {
		c.fail(501, srvEnhBadRcpt, fault)
		return
	}
	params, err := parseParams(rest)
	if err != nil {
		c.fail(501, srvEnhBadArgs, "Syntax error in RCPT parameters")
		return
	}
	if len(params) > 0 {
		c.fail(555, srvEnhBadArgs, "RCPT parameter "+params[0].Key+" not recognized or not implemented")
		return
	}
	if path.NonASCII && !c.txnUTF8 {
		c.fail(553, srvEnhNonASCII, "Non-ASCII address needs SMTPUTF8 on MAIL")
		return
	}
	if c.rcpts >= c.srv.maxRecipients() {
		c.reply(452, srvEnhTooManyRcpt, "Too many recipients")
		c.refuseRcpt()
		return
	}
	c.watchStart()
	err = c.sess.Rcpt(path.Addr, &RcptOptions{})
	c.watchStop()
	if err != nil {
		c.replyErr(err, "Rcpt")
		c.refuseRcpt()
		return
	}
	c.rcpts++
	c.replyFixed(srvReplyRcptOK)
}

// checkTxnReady answers DATA/BDAT sent without a usable transaction
// (RFC 5321 §3.3 allows 503 or 554). As Postfix does, a transaction
// without MAIL or without any RCPT command is out of sequence (503
// 5.5.1); one whose recipients were all refused gets 554 5.5.1.
func (c *Conn) checkTxnReady() bool {
	if !c.inTxn {
		c.fail(503, srvEnhBadCommand, "Need MAIL command first")
		return false
	}
	if !c.rcptTried {
		c.fail(503, srvEnhBadCommand, "Need RCPT command first")
		return false
	}
	if c.rcpts == 0 {
		c.fail(554, srvEnhBadCommand, "No valid recipients")
		return false
	}
	return true
}

func (c *Conn) cmdData(arg []byte) {
	ok := false
	switch {
	case len(arg) != 0:
		c.fail(501, srvEnhBadArgs, "Syntax: DATA")
	case c.bdatAccepted:
		c.fail(503, srvEnhBadCommand, "DATA not allowed in a BDAT transaction")
	default:
		ok = c.checkTxnReady()
	}
	if !ok {
		// A client must wait for 354 before it sends the message
		// (RFC 2920 §3.1). Input already waiting behind a refused DATA
		// is a message sent too early; running it as commands would let
		// its lines act as a second, smuggled transaction.
		if c.inputPending() {
			c.reply(421, srvEnhProtocolSync, c.srv.hostname()+" Input sent before the reply to DATA; closing transmission channel")
			c.closing = true
		}
		return
	}
	c.replyFixed(srvReplyStartData)
	// The client waits for 354 before it sends the message (RFC 2920
	// §3.1), and the Session may take a while before it reads: send it
	// now unless the message is already arriving.
	if len(c.rd.buffered()) == 0 {
		if err := c.flush(); err != nil {
			c.closing = true
			return
		}
	}
	c.startDataDeadline()
	c.rd.trickle = false // the message's first read gets the pool buffer
	d := &c.data
	*d = dataReader{
		rd:       &c.rd,
		fill:     c.fillDataFn,
		maxLine:  c.srv.maxTextLine(),
		maxBytes: c.srv.maxMessageBytes(),
		lenient:  c.srv.AllowBareLineEndings,
	}
	d.onEnd = c.watchStartFn
	err := c.sess.Data(d)
	c.watchStop()
	if d.ioErr == nil && d.state != dataDone {
		d.drain()
	}
	if d.ioErr != nil {
		// The client is gone or timed out mid-message: nothing to answer.
		if c.lg != nil {
			c.lg.Info("smtp: connection lost during DATA", "err", d.ioErr)
		}
		c.closing = true
		if isTimeout(d.ioErr) {
			c.replyTimeout()
		}
		c.resetTxn()
		return
	}
	c.replyData(d.fault, err)
	c.resetTxn()
}

// replyData answers the end of a message: a broken rule first, then the
// Session's verdict.
func (c *Conn) replyData(fault, err error) {
	switch fault {
	case ErrBareLineEnding:
		c.fail(554, srvEnhMedia, "Message refused: bare CR or LF in message data (RFC 5321 section 2.3.8)")
	case ErrLineTooLong:
		c.fail(500, srvEnhMedia, "Message refused: line too long")
	case ErrMessageTooLarge:
		c.reply(552, srvEnhTooBig, "Message size exceeds fixed maximum message size")
	case nil:
		if err != nil {
			c.replyErr(err, "Data")
			return
		}
		c.replyFixed(srvReplyAccepted)
	default:
		c.replyErr(fault, "Data")
	}
}

// srvEarlyDataWait is how long the server listens for input sent
// behind a refused DATA before it reads the next command.
const srvEarlyDataWait = 20 * time.Millisecond

// inputPending reports whether the client sent more without waiting for
// the replies queued so far: input already buffered, or arriving within
// srvEarlyDataWait while those replies are still held back (so it
// cannot be an answer to them).
func (c *Conn) inputPending() bool {
	if len(c.rd.buffered()) > 0 {
		return true
	}
	if c.rd.err != nil {
		return false
	}
	flush := c.rd.beforeBlock
	c.rd.beforeBlock = nil
	c.setReadDeadline(time.Now().Add(srvEarlyDataWait))
	if err := c.rd.fill(false); err != nil && isTimeout(err) {
		c.rd.err = nil // nothing came: not an error
	}
	c.rd.beforeBlock = flush
	return len(c.rd.buffered()) > 0
}

// mailParamIndex numbers the MAIL parameters the server knows, for
// spotting duplicates; -1 for others.
func mailParamIndex(key string) int {
	switch key {
	case "SIZE":
		return 0
	case "BODY":
		return 1
	case "SMTPUTF8":
		return 2
	case "AUTH":
		return 3
	}
	return -1
}
