package smtp

import (
	"context"
	"crypto/tls"
	"errors"
)

// StartTLS upgrades the connection with STARTTLS (RFC 3207) and then sends
// EHLO again with the same name, as §4.2 requires, so Extension and the
// other accessors describe the server's offer over TLS.
//
// A nil config verifies the server's certificate against the host given to
// Dial or NewClient; a config without ServerName gets that host. StartTLS
// returns an error wrapping ErrNotAdvertised when the server did not
// advertise STARTTLS, and refuses (closing the connection) when the server
// sent anything after its 220 reply before the handshake: such octets would
// have been injected in plain text. A failed handshake (or certificate
// check) wraps ErrTLSHandshake and closes the connection.
//
// ApplyTLSPolicy does the same under a TLSPolicy, deciding for itself
// whether to upgrade and how to check the certificate.
func (c *Client) StartTLS(ctx context.Context, config *tls.Config) error {
	if err := c.ensureHello(ctx); err != nil {
		return err
	}
	if c.isTLS {
		return errorf("%w: StartTLS on a connection that already uses TLS", ErrClientArgument)
	}
	if !c.ext.has("STARTTLS") {
		return errorf("%w: STARTTLS", ErrNotAdvertised)
	}
	return c.upgrade(ctx, tlsConfigFor(config, c.host))
}

// ApplyTLSPolicy brings the connection to what the TLS policy p asks for,
// for callers who drive the Client command by command; SendMail calls it.
// It says EHLO first when Hello has not been called.
//
//   - TLSNone: nothing is done.
//   - TLSOpportunistic: STARTTLS when the server offers it, without
//     checking the certificate. When the server does not offer it or
//     answers STARTTLS with an error reply (RFC 3207 §4: 454, TLS not
//     available), the session goes on in plain text and ApplyTLSPolicy
//     returns nil; TLSConnectionState tells whether TLS is in use. When
//     the handshake fails, the connection is closed and the error wraps
//     ErrTLSHandshake: the caller may then deliver in plain text over a
//     new connection, once (RFC 7435 §3), as SendMail does.
//   - TLSRequired, TLSVerified: STARTTLS, with the certificate checked
//     against the server's name under TLSVerified. When TLS cannot be
//     had, the error is a *TLSPolicyError (it matches ErrTLSRequired)
//     naming the policy, and the caller must not send the message on
//     this connection.
//
// The certificate check and the name sent as Server Name Indication follow
// p.Config as TLSPolicy describes; the server name defaults to the host
// given to Dial or NewClient. On a connection that already uses TLS
// (DialTLS), nothing is sent; under TLSVerified the error is a
// *TLSPolicyError when that connection's certificate was not verified.
func (c *Client) ApplyTLSPolicy(ctx context.Context, p TLSPolicy) error {
	if p.Mode == TLSNone {
		return c.err
	}
	if p.Mode < TLSOpportunistic || p.Mode > TLSVerified {
		return errorf("%w: unknown TLS mode %d", ErrClientArgument, int(p.Mode))
	}
	if err := c.ensureHello(ctx); err != nil {
		return err
	}
	if c.isTLS {
		if st, _ := c.TLSConnectionState(); p.Mode == TLSVerified && len(st.VerifiedChains) == 0 {
			return &TLSPolicyError{Mode: p.Mode, Err: errors.New("smtp: the TLS connection's certificate was not verified")}
		}
		return nil
	}
	if !c.ext.has("STARTTLS") {
		if p.Mode == TLSOpportunistic {
			return nil
		}
		return &TLSPolicyError{Mode: p.Mode, Err: errorf("%w: STARTTLS", ErrNotAdvertised)}
	}
	err := c.upgrade(ctx, p.tlsConfig(c.host))
	switch {
	case err == nil:
		return nil
	case p.Mode != TLSOpportunistic:
		return &TLSPolicyError{Mode: p.Mode, Err: err}
	case isReply(err) && c.err == nil && !c.isTLS:
		// STARTTLS refused: the server stays in its state before the
		// command (RFC 3207 §4), so the session goes on in plain text.
		return nil
	}
	return err
}

// upgrade runs STARTTLS with config as one exchange.
func (c *Client) upgrade(ctx context.Context, config *tls.Config) error {
	op, err := c.begin(ctx, ClientCommandTimeout)
	if err != nil {
		return err
	}
	return op.end(c.startTLS(ctx, config))
}

// startTLS runs the STARTTLS exchange and handshake inside an
// exchange.
func (c *Client) startTLS(ctx context.Context, config *tls.Config) error {
	r, err := c.roundTrip("STARTTLS")
	if err != nil {
		return err
	}
	if r.code != 220 {
		return c.replyError(r)
	}
	if n := c.br.Buffered(); n > 0 {
		return errorf("server sent %d octets after its STARTTLS reply, before the TLS handshake", n)
	}
	tc := tls.Client(c.conn, config)
	if err := tc.HandshakeContext(ctx); err != nil {
		return errorf("%w: %w", ErrTLSHandshake, err)
	}
	c.conn = tc
	c.br.Reset(tc)
	c.bw.Reset(tc)
	c.isTLS = true
	return c.hello(c.localName)
}
