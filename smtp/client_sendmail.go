package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
)

// SendOption configures SendMail.
type SendOption func(*clientSendConfig)

type clientSendConfig struct {
	localName string
	policy    TLSPolicy
	modeSet   bool // the mode was chosen by an option, not defaulted
	policySet bool // WithTLSPolicy was used: InsecureSkipVerify is not read
	implicit  bool // WithImplicitTLS
	auth      SASLClient
	mail      MailOptions
}

// tlsPolicy returns the TLS policy the options add up to (see
// WithTLSPolicy for the defaults and the older options).
func (c *clientSendConfig) tlsPolicy() TLSPolicy {
	p := c.policy
	if !c.modeSet {
		p.Mode = TLSOpportunistic
		if c.auth != nil || c.implicit {
			p.Mode = TLSVerified
		}
	}
	if !c.policySet && p.Mode == TLSVerified && p.Config != nil && p.Config.InsecureSkipVerify {
		// The older options' way of asking for encryption without
		// authentication of the server.
		p.Mode = TLSRequired
	}
	return p
}

// WithLocalName sets the name SendMail sends with EHLO/HELO; the default
// is "localhost". Use the sending host's fully qualified domain name.
func WithLocalName(name string) SendOption {
	return func(c *clientSendConfig) { c.localName = name }
}

// WithTLSPolicy sets the TLS policy of SendMail: its mode and the TLS
// settings to start from (see TLSPolicy). The mode is taken as given, the
// zero Mode (TLSOpportunistic) too, and Config.InsecureSkipVerify is not
// read: the mode alone decides whether the certificate is checked.
//
// Without WithTLSPolicy, the mode is TLSOpportunistic for delivery between
// MTAs (no WithAuth and no WithImplicitTLS, whatever the port) and
// TLSVerified for submission (WithAuth or WithImplicitTLS). The older
// options are shorthands:
//
//   - WithTLSConfig(cfg) sets the policy's Config and keeps its mode; a
//     cfg with InsecureSkipVerify turns TLSVerified (the submission
//     default, or WithRequireSTARTTLS) into TLSRequired;
//   - WithRequireSTARTTLS() is the mode TLSVerified, or TLSRequired with a
//     WithTLSConfig whose InsecureSkipVerify is set;
//   - WithoutSTARTTLS() is the mode TLSNone.
//
// When several options set the mode, the last one wins.
func WithTLSPolicy(p TLSPolicy) SendOption {
	return func(c *clientSendConfig) {
		c.policy = p
		c.modeSet = true
		c.policySet = true
	}
}

// WithTLSConfig sets the TLS settings for STARTTLS or implicit TLS: the
// Config of the TLS policy (see WithTLSPolicy), its mode unchanged. The
// certificate is checked against the host in addr, or cfg.ServerName,
// only under TLSVerified: by default that is when authenticating
// (WithAuth) or with implicit TLS, not for delivery between MTAs. A cfg
// with InsecureSkipVerify asks for encryption without checking the
// certificate (TLSRequired instead of TLSVerified) unless WithTLSPolicy
// chose the mode.
func WithTLSConfig(config *tls.Config) SendOption {
	return func(c *clientSendConfig) { c.policy.Config = config }
}

// WithRequireSTARTTLS makes SendMail fail instead of sending in plain text
// when TLS cannot be used: it is the TLS mode TLSVerified (TLSRequired when
// WithTLSConfig's config has InsecureSkipVerify). The error is a
// *TLSPolicyError; when the server did not offer STARTTLS it also matches
// ErrNotAdvertised.
func WithRequireSTARTTLS() SendOption {
	return func(c *clientSendConfig) {
		c.policy.Mode = TLSVerified
		c.modeSet = true
		c.policySet = false
	}
}

// WithoutSTARTTLS makes SendMail send in plain text even when the server
// offers STARTTLS: the TLS mode TLSNone.
func WithoutSTARTTLS() SendOption {
	return func(c *clientSendConfig) {
		c.policy.Mode = TLSNone
		c.modeSet = true
	}
}

// WithImplicitTLS makes SendMail connect with TLS from the start
// (RFC 8314, usually port 465) instead of using STARTTLS. The TLS mode
// defaults to TLSVerified; under TLSOpportunistic and TLSRequired the
// certificate is not checked and a failed handshake is an error (there is
// no plain text to fall back to); TLSNone is refused (ErrClientArgument).
func WithImplicitTLS() SendOption {
	return func(c *clientSendConfig) { c.implicit = true }
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
// absent, 465 with WithImplicitTLS), says EHLO, applies the TLS policy
// (see WithTLSPolicy and Client.ApplyTLSPolicy), authenticates when asked
// (WithAuth), sends the message read from msg to every recipient in to
// (see Client.Send: pipelined when possible, SMTPUTF8 when an address
// needs it) and says QUIT.
//
// By default, for delivery between MTAs, the TLS policy is
// TLSOpportunistic: STARTTLS when the server offers it, whatever its
// certificate (self-signed, expired, for another name), plain text when
// it does not. When the TLS handshake fails, SendMail connects again and
// delivers in plain text, once (RFC 7435). With WithAuth or
// WithImplicitTLS the default is TLSVerified. When a policy that requires
// TLS cannot have it, SendMail sends nothing and returns a
// *TLSPolicyError naming the policy (it matches ErrTLSRequired).
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
	c, err := sendConnect(ctx, addr, &cfg)
	if err != nil {
		return err
	}
	defer c.Close()
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
			refused = append(refused, inner(e))
		}
	}
	if len(refused) > 0 {
		return errorf("message accepted for %d of %d recipients: %w", len(to)-len(refused), len(to), errors.Join(refused...))
	}
	return nil
}

// sendConnect connects for SendMail, says EHLO and applies the TLS
// policy, with the one plain-text retry of TLSOpportunistic.
func sendConnect(ctx context.Context, addr string, cfg *clientSendConfig) (*Client, error) {
	policy := cfg.tlsPolicy()
	if cfg.implicit {
		if policy.Mode == TLSNone {
			return nil, errorf("%w: implicit TLS under the TLS mode none", ErrClientArgument)
		}
		addr, host := splitAddr(addr, clientDefaultTLSPort)
		c, err := dialTLS(ctx, addr, host, policy.tlsConfig(host))
		if err != nil {
			if policy.requiresTLS() && errors.Is(err, ErrTLSHandshake) {
				err = &TLSPolicyError{Mode: policy.Mode, Err: err}
			}
			return nil, err
		}
		if err := c.Hello(ctx, cfg.localName); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}
	c, err := sendHello(ctx, addr, cfg.localName)
	if err != nil {
		return nil, err
	}
	err = c.ApplyTLSPolicy(ctx, policy)
	if err == nil {
		return c, nil
	}
	c.Close()
	if policy.Mode != TLSOpportunistic || !errors.Is(err, ErrTLSHandshake) || ctx.Err() != nil {
		return nil, err
	}
	// RFC 7435 §3: opportunistic security falls back to plain text
	// when encryption cannot be had; the failed handshake has used up
	// the first connection, so the retry needs a new one, and is the
	// only one.
	c, rerr := sendHello(ctx, addr, cfg.localName)
	if rerr != nil {
		return nil, errorf("plain-text retry after a failed TLS handshake (%w): %w", err, rerr)
	}
	return c, nil
}

// sendHello dials addr (port 25 when absent) and says EHLO.
func sendHello(ctx context.Context, addr, localName string) (*Client, error) {
	c, err := Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	if err := c.Hello(ctx, localName); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}
