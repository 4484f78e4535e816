package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
)

// SendOption configures SendMail.
type SendOption func(*clientSendConfig)

// clientTLSMode says how SendMail uses TLS.
type clientTLSMode int

const (
	clientTLSOpportunistic clientTLSMode = iota // STARTTLS when offered
	clientTLSRequired                           // STARTTLS or fail
	clientTLSImplicit                           // TLS from the first octet
	clientTLSNone                               // never
)

type clientSendConfig struct {
	localName string
	tlsConfig *tls.Config
	tlsMode   clientTLSMode
	auth      SASLClient
	mail      MailOptions
}

// WithLocalName sets the name SendMail sends with EHLO/HELO; the default
// is "localhost". Use the sending host's fully qualified domain name.
func WithLocalName(name string) SendOption {
	return func(c *clientSendConfig) { c.localName = name }
}

// WithTLSConfig sets the TLS configuration for STARTTLS or implicit TLS.
// Without it the server's certificate is verified against the host in
// addr. For opportunistic encryption without authentication of the server
// (common between MTAs), pass a config with InsecureSkipVerify.
func WithTLSConfig(config *tls.Config) SendOption {
	return func(c *clientSendConfig) { c.tlsConfig = config }
}

// WithRequireSTARTTLS makes SendMail fail (ErrNotAdvertised) instead of
// sending in plain text when the server does not offer STARTTLS.
func WithRequireSTARTTLS() SendOption {
	return func(c *clientSendConfig) { c.tlsMode = clientTLSRequired }
}

// WithoutSTARTTLS makes SendMail send in plain text even when the server
// offers STARTTLS.
func WithoutSTARTTLS() SendOption {
	return func(c *clientSendConfig) { c.tlsMode = clientTLSNone }
}

// WithImplicitTLS makes SendMail connect with TLS from the start
// (RFC 8314, usually port 465) instead of using STARTTLS.
func WithImplicitTLS() SendOption {
	return func(c *clientSendConfig) { c.tlsMode = clientTLSImplicit }
}

// WithAuth makes SendMail authenticate with the mechanism after TLS is
// established (see Client.Auth for when PLAIN and LOGIN are refused).
func WithAuth(mech SASLClient) SendOption {
	return func(c *clientSendConfig) { c.auth = mech }
}

// WithMailOptions sets the MAIL parameters (see Client.Mail). When
// opts.Size is 0 and msg has a Len method (bytes.Reader, strings.Reader,
// bytes.Buffer), SendMail declares that length as SIZE.
func WithMailOptions(opts MailOptions) SendOption {
	return func(c *clientSendConfig) { c.mail = opts }
}

// SendMail connects to the server at addr ("host:port"; port 25 when
// absent, 465 with WithImplicitTLS), says EHLO, upgrades with STARTTLS when
// the server offers it (unless WithoutSTARTTLS), authenticates when asked
// (WithAuth), sends the message read from msg to every recipient in to
// (see Client.Send: pipelined when possible, SMTPUTF8 when an address
// needs it) and says QUIT.
//
// It returns nil only when the server accepted the message for every
// recipient. When it accepted it for some, the error joins one
// *RecipientError per refused recipient (use errors.As). Any other failure
// is returned as Client.Send and the other methods return it: an *Error
// for a server reply, or a wrapped network or context error.
func SendMail(ctx context.Context, addr, from string, to []string, msg io.Reader, opts ...SendOption) error {
	var cfg clientSendConfig
	for _, o := range opts {
		o(&cfg)
	}
	var c *Client
	var err error
	if cfg.tlsMode == clientTLSImplicit {
		c, err = DialTLS(ctx, addr, cfg.tlsConfig)
	} else {
		c, err = Dial(ctx, addr)
	}
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(ctx, cfg.localName); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); cfg.tlsMode == clientTLSRequired || (ok && cfg.tlsMode == clientTLSOpportunistic) {
		if err := c.StartTLS(ctx, cfg.tlsConfig); err != nil {
			return err
		}
	}
	if cfg.auth != nil {
		if err := c.Auth(ctx, cfg.auth); err != nil {
			return err
		}
	}
	mail := cfg.mail
	if l, ok := msg.(interface{ Len() int }); ok && mail.Size == 0 {
		mail.Size = int64(l.Len())
	}
	rcptErrs, err := c.Send(ctx, from, to, msg, &mail)
	if err != nil {
		return err
	}
	// The message is accepted; a failed QUIT does not change that.
	_ = c.Quit(ctx)
	var refused []error
	for _, e := range rcptErrs {
		if e != nil {
			refused = append(refused, e)
		}
	}
	if len(refused) > 0 {
		return fmt.Errorf("smtp: message accepted for %d of %d recipients: %w", len(to)-len(refused), len(to), errors.Join(refused...))
	}
	return nil
}
