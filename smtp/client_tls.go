package smtp

import (
	"context"
	"crypto/tls"
	"fmt"
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
// have been injected in plain text.
func (c *Client) StartTLS(ctx context.Context, config *tls.Config) error {
	if err := c.clientEnsureHello(ctx); err != nil {
		return err
	}
	if c.isTLS {
		return fmt.Errorf("%w: StartTLS on a connection that already uses TLS", ErrClientArgument)
	}
	if !c.ext.has("STARTTLS") {
		return fmt.Errorf("%w: STARTTLS", ErrNotAdvertised)
	}
	op, err := c.clientBegin(ctx, ClientCommandTimeout)
	if err != nil {
		return err
	}
	return op.end(c.clientStartTLS(ctx, clientTLSConfig(config, c.host)))
}

// clientStartTLS runs the STARTTLS exchange and handshake inside an
// exchange.
func (c *Client) clientStartTLS(ctx context.Context, config *tls.Config) error {
	r, err := c.clientRoundTrip("STARTTLS")
	if err != nil {
		return err
	}
	if r.code != 220 {
		return c.clientReplyError(r)
	}
	if n := c.br.Buffered(); n > 0 {
		return fmt.Errorf("smtp: server sent %d octets after its STARTTLS reply, before the TLS handshake", n)
	}
	tc := tls.Client(c.conn, config)
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("smtp: TLS handshake: %w", err)
	}
	c.conn = tc
	c.br.Reset(tc)
	c.bw.Reset(tc)
	c.isTLS = true
	return c.clientHello(c.localName)
}
