package smtp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
)

// Prompts of the LOGIN mechanism: base64 of "Username:" and "Password:".
const (
	srvLoginUserPrompt = "VXNlcm5hbWU6"
	srvLoginPassPrompt = "UGFzc3dvcmQ6"
)

// cmdAuth handles AUTH PLAIN and AUTH LOGIN (RFC 4954, RFC 4616).
// Credentials are never logged.
func (c *Conn) cmdAuth(arg []byte) {
	as, ok := c.sess.(AuthSession)
	switch {
	case !ok:
		c.fail(502, srvEnhBadCommand, "AUTH not available")
		return
	case !c.esmtp:
		c.fail(503, srvEnhBadCommand, "Send EHLO first")
		return
	case c.authID != "":
		c.fail(503, srvEnhBadCommand, "Already authenticated")
		return
	case c.inTxn:
		c.fail(503, srvEnhBadCommand, "AUTH not permitted during a mail transaction")
		return
	case c.tlsState == nil && !c.srv.AllowInsecureAuth:
		c.fail(538, srvEnhNeedTLS, "Encryption required for requested authentication mechanism")
		return
	}
	mech, initial, hasInitial := strings.Cut(string(arg), " ")
	var ir []byte
	if hasInitial {
		var ok bool
		if ir, ok = decodeSASL(initial); !ok {
			c.fail(501, srvEnhSyntax, "Cannot decode initial response")
			return
		}
	}
	var identity, user, pass string
	switch strings.ToUpper(mech) {
	case "PLAIN":
		resp := ir
		if !hasInitial {
			var err error
			if resp, err = c.authChallenge(""); err != nil {
				c.authFailed(err)
				return
			}
		}
		parts := bytes.Split(resp, []byte{0})
		if len(parts) != 3 || len(parts[1]) == 0 {
			c.fail(501, srvEnhSyntax, "Malformed PLAIN response")
			return
		}
		identity, user, pass = string(parts[0]), string(parts[1]), string(parts[2])
		if identity == user {
			identity = ""
		}
		if identity != "" && !c.srv.AllowAuthzID {
			// RFC 4616 §2: the server must verify that the
			// authentication identity may act as the authorization
			// identity; without Server.AllowAuthzID nothing says so.
			if c.lg != nil {
				c.lg.Info("smtp: authentication failed: authorization identity not allowed", "mechanism", "PLAIN")
			}
			c.fail(535, srvEnhAuthBad, "Authentication credentials invalid")
			return
		}
	case "LOGIN":
		u := ir
		if !hasInitial {
			var err error
			if u, err = c.authChallenge(srvLoginUserPrompt); err != nil {
				c.authFailed(err)
				return
			}
		}
		p, err := c.authChallenge(srvLoginPassPrompt)
		if err != nil {
			c.authFailed(err)
			return
		}
		user, pass = string(u), string(p)
	default:
		c.fail(504, srvEnhBadArgs, "Unrecognized authentication type")
		return
	}
	c.watchStart()
	err := as.AuthPlain(identity, user, pass)
	c.watchStop()
	switch {
	case err == nil:
		c.authID = user
		if identity != "" {
			c.authID = identity
		}
		if c.lg != nil {
			c.lg.Info("smtp: authenticated", "mechanism", strings.ToUpper(mech), "identity", c.authID)
		}
		c.reply(235, srvEnhAuthOK, "Authentication successful")
	case errors.Is(err, ErrAuthFailed):
		if c.lg != nil {
			c.lg.Info("smtp: authentication failed", "mechanism", strings.ToUpper(mech))
		}
		c.fail(535, srvEnhAuthBad, "Authentication credentials invalid")
	default:
		code, enh, text, ok := errorReply(err)
		if !ok {
			if c.lg != nil {
				c.lg.Error("smtp: authentication backend error", "err", err)
			}
			code, enh, text = 454, srvEnhAuthTemp, "Temporary authentication failure"
		}
		c.reply(code, enh, text)
		c.errCount++
	}
}

// decodeSASL decodes a base64 SASL response; "=" is the empty one
// (RFC 4954 §4).
func decodeSASL(s string) ([]byte, bool) {
	if s == "=" {
		return []byte{}, true
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(s) == 0 {
		return nil, false
	}
	return b, true
}

// authChallenge sends "334 prompt" and reads the client's response.
func (c *Conn) authChallenge(prompt string) ([]byte, error) {
	c.reply(334, [3]int{}, prompt)
	line, err := c.readAuthLine()
	if err != nil {
		return nil, err
	}
	if string(line) == "*" {
		return nil, errAuthCancelled
	}
	b, ok := decodeSASL(string(line))
	if !ok {
		return nil, errSASLDecode
	}
	return b, nil
}

func (c *Conn) readAuthLine() ([]byte, error) {
	return c.readLineIdle(srvMaxAuthLine)
}

// authFailed answers a broken SASL exchange.
func (c *Conn) authFailed(err error) {
	switch err {
	case errAuthCancelled:
		c.fail(501, srvEnhAuthCancel, "Authentication cancelled")
	case errSASLDecode:
		c.fail(501, srvEnhSyntax, "Cannot decode response")
	case errWireLineTooLong:
		c.fail(500, srvEnhAuthTooLong, "Authentication exchange line is too long")
	case errWireBareLine:
		c.fail(500, srvEnhSyntax, "Bare CR or LF in command line; lines must end with CRLF")
	case errShutdown:
		c.closing = true
		c.reply(421, srvEnhShutdown, c.srv.hostname()+" Service shutting down, closing transmission channel")
	default:
		c.closing = true
		if isTimeout(err) {
			c.reply(421, srvEnhTimeout, c.srv.hostname()+" Timeout, closing transmission channel")
		}
	}
}
