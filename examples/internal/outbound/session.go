package outbound

import (
	"bytes"
	"context"
	"errors"
	"net"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
	"github.com/mailsmith/mailsmith/smtp"
)

// Attempt is one try of one MX address, for logs and the demo.
type Attempt struct {
	Host   string // MX host name
	Addr   string // address dialled ("" when the host was skipped)
	Source Source // the policy that decided the TLS
	Mode   smtp.TLSMode
	TLS    bool // the message went (or would have gone) over TLS
	// Result is the TLS-RPT result type of a failure (RFC 8460 §4.3),
	// "" when TLS met the policy.
	Result tlsrpt.ResultType
	Err    error // nil when the host accepted the message

	// negotiated is set once the TLS policy was applied (successfully
	// or not): only then is the session counted in the TLS report.
	negotiated bool
}

// session runs one SMTP session to addr under h's TLS policy. It
// returns the recipients' errors and the error of the whole transaction
// as Client.Send does, and fills in a.
func (d *Deliverer) session(ctx context.Context, h HostTLS, addr, from string, to []string, msg []byte, a *Attempt) ([]error, error) {
	a.Mode = h.Policy.Mode
	c, err := d.dial(ctx, addr, h.Host)
	if err != nil {
		return nil, err
	}
	defer func() { c.Close() }()
	err = c.ApplyTLSPolicy(ctx, h.Policy)
	a.negotiated = err == nil || errors.Is(err, smtp.ErrTLSRequired) || errors.Is(err, smtp.ErrTLSHandshake)
	switch {
	case err == nil:
	case h.Policy.Mode == smtp.TLSOpportunistic && errors.Is(err, smtp.ErrTLSHandshake):
		// RFC 7435 §3: the handshake used the connection up; deliver in
		// plain text over a new one, once, and count the failure.
		a.Result = tlsrpt.ClassifyTLSError(err)
		c.Close()
		if c, err = d.dial(ctx, addr, h.Host); err != nil {
			return nil, err
		}
	default:
		if errors.Is(err, smtp.ErrTLSRequired) || errors.Is(err, smtp.ErrTLSHandshake) {
			a.Result = resultOf(err)
		}
		return nil, err
	}
	if a.Result == "" {
		st, isTLS := c.TLSConnectionState()
		a.TLS = isTLS
		switch {
		case !isTLS:
			a.Result = tlsrpt.ResultSTARTTLSNotSupported
		case h.CheckName != "":
			// MTA-STS mode testing (RFC 8461 §5): check as enforce
			// would, report, deliver anyway.
			if verr := smtp.VerifyCertificate(st, d.RootCAs, h.CheckName); verr != nil {
				a.Result = tlsrpt.ClassifyTLSError(verr)
			}
		}
	}
	rcptErrs, err := c.Send(ctx, from, to, bytes.NewReader(msg), nil)
	if err != nil {
		return rcptErrs, err
	}
	_ = c.Quit(ctx) // the message is accepted; a failed QUIT changes nothing
	return rcptErrs, nil
}

// dial connects to addr and says EHLO. host is the MX name: the default
// TLS server name.
func (d *Deliverer) dial(ctx context.Context, addr, host string) (*smtp.Client, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := smtp.NewClient(conn, host)
	if err := c.Hello(ctx, d.LocalName); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// resultOf maps a TLS policy error to its TLS-RPT result type: no
// STARTTLS offered is starttls-not-supported, a failed handshake or
// certificate check what tlsrpt.ClassifyTLSError says.
func resultOf(err error) tlsrpt.ResultType {
	var se *smtp.Error
	if errors.Is(err, smtp.ErrNotAdvertised) || errors.As(err, &se) {
		return tlsrpt.ResultSTARTTLSNotSupported // not offered, or refused (454)
	}
	return tlsrpt.ClassifyTLSError(err)
}

// record counts one session (or one skipped host) in the TLS report:
// the session's own TLS failure first, then a failure the host's policy
// gives it (not in the MTA-STS policy, unusable TLSA records), else a
// success. Sessions that failed before TLS was negotiated (no connection,
// no greeting) count only the host's own failure.
func (d *Deliverer) record(h HostTLS, a Attempt) {
	if d.TLSReport == nil {
		return
	}
	var fd *tlsrpt.FailureDetails
	switch {
	case a.Result != "":
		fd = &tlsrpt.FailureDetails{ResultType: a.Result, ReceivingMXHostname: h.Host}
	case h.Failure != nil:
		c := *h.Failure
		fd = &c
	case !a.negotiated:
		return
	}
	if fd == nil {
		d.TLSReport.AddSuccess(h.Report)
		return
	}
	if a.negotiated {
		if ip, _, err := net.SplitHostPort(a.Addr); err == nil {
			fd.ReceivingIP = ip
		}
	}
	d.TLSReport.AddFailure(h.Report, *fd)
}
