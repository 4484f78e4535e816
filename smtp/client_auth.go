package smtp

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// SASLClient is the client side of a SASL mechanism (RFC 4422) for
// Client.Auth. It has the method set of github.com/emersion/go-sasl's
// Client, so mechanisms written for that package plug in unchanged.
type SASLClient interface {
	// Start begins the exchange. It returns the mechanism name and the
	// initial response: nil to send none, an empty non-nil slice for an
	// empty one.
	Start() (mech string, ir []byte, err error)
	// Next answers a challenge from the server (already base64-decoded).
	// An error aborts the exchange ("*" is sent).
	Next(challenge []byte) (response []byte, err error)
}

// clientAuthMaxSteps bounds the challenges one Auth exchange answers, so a
// server cannot keep the client in it forever.
const clientAuthMaxSteps = 16

// clientMaxCommandLine is the longest command line RFC 5321 §4.5.3.1.4
// allows, CRLF included; an AUTH initial response that would exceed it is
// sent after an empty challenge instead (RFC 4954 §4).
const clientMaxCommandLine = 512

// PlainAuth returns the PLAIN mechanism (RFC 4616): identity is the
// authorization identity (usually ""), username and password the
// credentials.
func PlainAuth(identity, username, password string) SASLClient {
	return &clientPlain{identity, username, password}
}

type clientPlain struct{ identity, username, password string }

func (a *clientPlain) Start() (string, []byte, error) {
	if strings.ContainsRune(a.identity+a.username+a.password, 0) {
		return "", nil, errorf("%w: PLAIN credentials contain NUL", ErrClientArgument)
	}
	return "PLAIN", []byte(a.identity + "\x00" + a.username + "\x00" + a.password), nil
}

func (a *clientPlain) Next(challenge []byte) ([]byte, error) {
	return nil, errors.New("smtp: unexpected challenge in PLAIN exchange")
}

// LoginAuth returns the LOGIN mechanism (draft-murchison-sasl-login): the
// username and password each answer one challenge. It is widespread but
// obsolete; prefer PlainAuth when the server offers PLAIN.
func LoginAuth(username, password string) SASLClient {
	return &clientLogin{username: username, password: password}
}

type clientLogin struct {
	username, password string
	step               int
}

func (a *clientLogin) Start() (string, []byte, error) {
	a.step = 0
	return "LOGIN", nil, nil
}

// Next sends the username for the first challenge and the password for the
// second; a challenge that says "password" gets the password whatever its
// position.
func (a *clientLogin) Next(challenge []byte) ([]byte, error) {
	a.step++
	switch {
	case strings.Contains(strings.ToLower(string(challenge)), "password"):
		return []byte(a.password), nil
	case a.step == 1:
		return []byte(a.username), nil
	case a.step == 2:
		return []byte(a.password), nil
	}
	return nil, errors.New("smtp: unexpected third challenge in LOGIN exchange")
}

// Auth authenticates with the given SASL mechanism (RFC 4954). The server
// must have advertised AUTH and the mechanism (else the error wraps
// ErrNotAdvertised). PLAIN and LOGIN send the password in clear, so Auth
// refuses them (ErrInsecureAuth) on a connection without TLS unless the
// server is on the local machine or AllowInsecureAuth is set. A rejection
// such as 535 is returned as an *Error; credentials never appear in errors.
func (c *Client) Auth(ctx context.Context, mech SASLClient) error {
	if err := c.ensureHello(ctx); err != nil {
		return err
	}
	if !c.ext.has("AUTH") {
		return errorf("%w: AUTH", ErrNotAdvertised)
	}
	name, ir, err := mech.Start()
	if err != nil {
		return errorf("starting SASL mechanism: %w", err)
	}
	name = strings.ToUpper(name)
	if name == "" || strings.ContainsAny(name, " \t\r\n\x00") {
		return errorf("%w: SASL mechanism name %q", ErrClientArgument, name)
	}
	if !slices.Contains(c.AuthMechanisms(), name) {
		return errorf("%w: AUTH mechanism %s (server offers %s)", ErrNotAdvertised, name, strings.Join(c.AuthMechanisms(), " "))
	}
	if (name == "PLAIN" || name == "LOGIN") && !c.isTLS && !c.AllowInsecureAuth && !c.localPeer() {
		return errorf("%w: %s to %s", ErrInsecureAuth, name, c.conn.RemoteAddr())
	}
	op, err := c.begin(ctx, ClientCommandTimeout)
	if err != nil {
		return err
	}
	return op.end(c.auth(name, ir, mech))
}

// localPeer reports whether the server is on the local machine.
func (c *Client) localPeer() bool {
	addr := c.conn.RemoteAddr()
	if addr == nil {
		return false
	}
	if addr.Network() == "pipe" || addr.Network() == "unix" {
		return true
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// auth runs the AUTH exchange inside an exchange.
func (c *Client) auth(name string, ir []byte, mech SASLClient) error {
	line := "AUTH " + name
	pendingIR := ir
	if ir != nil {
		enc := base64.StdEncoding.EncodeToString(ir)
		if enc == "" {
			enc = "=" // RFC 4954 §4: an empty initial response
		}
		if len(line)+1+len(enc)+2 <= clientMaxCommandLine {
			line += " " + enc
			pendingIR = nil
		}
	}
	r, err := c.roundTrip(line)
	for step := 0; err == nil; step++ {
		switch {
		case r.code == 235:
			return nil
		case r.code != 334:
			return c.replyError(r)
		case step >= clientAuthMaxSteps:
			return c.authAbort(errorf("AUTH %s: more than %d challenges", name, clientAuthMaxSteps))
		}
		var resp []byte
		if pendingIR != nil {
			resp, pendingIR = pendingIR, nil
		} else {
			text := strings.Join(r.lines, "")
			challenge, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
			if derr != nil {
				return c.authAbort(errorf("%w: AUTH %s challenge is not base64: %v", ErrReplyMalformed, name, derr))
			}
			if resp, err = mech.Next(challenge); err != nil {
				return c.authAbort(errorf("AUTH %s: %w", name, err))
			}
		}
		r, err = c.roundTrip(base64.StdEncoding.EncodeToString(resp))
	}
	return err
}

// authAbort cancels an AUTH exchange with "*" (RFC 4954 §4) and
// returns cause, or the network error when cancelling fails.
func (c *Client) authAbort(cause error) error {
	r, err := c.roundTrip("*")
	if err != nil {
		return err
	}
	if r.code/100 == 2 || r.code == 334 {
		// The server did not cancel as RFC 4954 §4 requires (501); the
		// exchange state is unknown.
		return errorf("%w (server answered the cancel with %d)", cause, r.code)
	}
	return &clientAuthAbortError{cause: cause, reply: c.replyError(r)}
}

// clientAuthAbortError is a cancelled AUTH exchange: the connection is
// still usable (the server answered the cancel), so it counts as a reply.
type clientAuthAbortError struct {
	cause error
	reply *Error
}

func (e *clientAuthAbortError) Error() string {
	return e.cause.Error() + " (exchange cancelled: " + inner(e.reply).Error() + ")"
}

func (e *clientAuthAbortError) Unwrap() []error { return []error{e.cause, e.reply} }
