package smtp

// cmdStartTLS handles STARTTLS (RFC 3207).
func (c *Conn) cmdStartTLS(arg []byte) {
	switch {
	case c.srv.TLSConfig == nil:
		c.fail(502, srvEnhBadCommand, "STARTTLS not available")
		return
	case c.tlsState != nil:
		c.fail(503, srvEnhBadCommand, "TLS already active")
		return
	case len(arg) != 0:
		c.fail(501, srvEnhBadArgs, "Syntax: STARTTLS")
		return
	case !c.esmtp:
		c.fail(503, srvEnhBadCommand, "Send EHLO first")
		return
	}
	c.reply(220, srvEnhOK, "Ready to start TLS")
	if err := c.flush(); err != nil {
		c.closing = true
		return
	}
	// RFC 3207 §4.2: whatever the client pipelined after STARTTLS in
	// plaintext must not be acted on (the STARTTLS command injection
	// attack); it is thrown away.
	c.rd.discard()
	if !c.handshake() {
		c.closing = true
		return
	}
	// RFC 3207 §4.2: forget everything learnt before TLS.
	if c.inTxn {
		c.resetTxn()
	}
	c.helo = ""
	c.esmtp = false
	c.authID = ""
}
