package smtp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strconv"
)

// TLSMode says how hard the client insists on TLS when it delivers a
// message. The names follow what operators know from Postfix's
// smtp_tls_security_level: TLSOpportunistic is "may", TLSNone is "none",
// TLSRequired is "encrypt" and TLSVerified is "secure"/"verify".
type TLSMode int

const (
	// TLSOpportunistic uses STARTTLS when the server offers it, without
	// checking the server's certificate, and sends in plain text when the
	// server does not offer STARTTLS or refuses it. When the TLS handshake
	// fails, SendMail retries once in plain text on a new connection
	// (RFC 7435 §3, opportunistic security). It is the zero value and the
	// default for delivery between MTAs.
	TLSOpportunistic TLSMode = iota
	// TLSNone never uses STARTTLS.
	TLSNone
	// TLSRequired makes STARTTLS (or implicit TLS) mandatory but does not
	// check the server's certificate: the connection is encrypted, the
	// server is not authenticated (Postfix "encrypt"). A check of your
	// own in TLSPolicy.Config.VerifyConnection still runs, for example a
	// DANE TLSA match (RFC 7672).
	TLSRequired
	// TLSVerified makes TLS mandatory and checks the server's certificate
	// chain against TLSPolicy.Config.RootCAs (the system roots when nil)
	// and the host name (WebPKI, RFC 6125): what MTA-STS in enforce mode
	// (RFC 8461 §4.2) and mail submission (RFC 8314 §5.1) ask for.
	TLSVerified
)

// String returns the mode's name as used in errors: "opportunistic",
// "none", "required" or "verified".
func (m TLSMode) String() string {
	switch m {
	case TLSOpportunistic:
		return "opportunistic"
	case TLSNone:
		return "none"
	case TLSRequired:
		return "required"
	case TLSVerified:
		return "verified"
	}
	return "TLSMode(" + strconv.Itoa(int(m)) + ")"
}

// TLSPolicy is the client's TLS policy for one delivery: the mode, and the
// TLS settings to start from. Its zero value is TLSOpportunistic with
// default settings.
//
// Config may be nil. Otherwise it is cloned, never modified, and its
// settings are used as given except for two fields the mode decides:
// InsecureSkipVerify (false under TLSVerified, true under the other modes,
// which do not check the certificate) and, when empty, ServerName, which
// becomes the host name the client dialled (or was given by NewClient).
// ServerName is both the name the certificate is checked against under
// TLSVerified and the name sent in the TLS Server Name Indication
// (RFC 6066 §3; Go sends none for an IP address): when you dial an MX
// host by its IP address, set ServerName to the MX host name. RootCAs
// (nil: the system roots) is the trust store under TLSVerified.
// VerifyPeerCertificate and VerifyConnection run under every mode that
// starts TLS; a failure there is a failed handshake. That is where a
// DANE check (RFC 7672) plugs in.
type TLSPolicy struct {
	Mode   TLSMode
	Config *tls.Config
}

// requiresTLS reports whether the policy fails a delivery that cannot use
// TLS.
func (p TLSPolicy) requiresTLS() bool {
	return p.Mode == TLSRequired || p.Mode == TLSVerified
}

// tlsConfig returns the tls.Config the client uses under the policy to
// talk to host: Config cloned, with ServerName defaulting to host and
// certificate checking as the mode says.
func (p TLSPolicy) tlsConfig(host string) *tls.Config {
	var cfg *tls.Config
	if p.Config == nil {
		cfg = &tls.Config{}
	} else {
		cfg = p.Config.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	// Only TLSVerified authenticates the server; the other modes encrypt
	// against a passive attacker alone (RFC 7435 §1.2). The hooks
	// VerifyPeerCertificate and VerifyConnection run either way.
	cfg.InsecureSkipVerify = p.Mode != TLSVerified
	return cfg
}

// TLSPolicyError is the error of a delivery that a TLS policy stopped
// because it could not use TLS as the policy demanded. It matches
// ErrTLSRequired and whatever Err matches: ErrNotAdvertised (no
// STARTTLS), an *Error (STARTTLS refused), ErrTLSHandshake, and for a
// certificate that failed the check the x509 error (x509.HostnameError,
// x509.UnknownAuthorityError, x509.CertificateInvalidError), which TLS
// reporting (RFC 8460 §4.3) maps to its result types.
type TLSPolicyError struct {
	Mode TLSMode // the policy that demanded TLS
	Err  error   // why TLS could not be used
}

// Error names the policy and the cause, for example "smtp: TLS required
// by policy verified: TLS handshake failed: tls: failed to verify
// certificate: ...".
func (e *TLSPolicyError) Error() string {
	return ErrTLSRequired.Error() + " by policy " + e.Mode.String() + ": " + inner(e.Err).Error()
}

// Unwrap returns ErrTLSRequired and the cause.
func (e *TLSPolicyError) Unwrap() []error { return []error{ErrTLSRequired, e.Err} }

// VerifyCertificate checks the server certificate of an established TLS
// connection the way TLSVerified does during the handshake: the chain
// against roots (nil: the system roots), with the intermediates the
// server sent, and the leaf against name (a host name or an IP address).
//
// Under TLSOpportunistic and TLSRequired the certificate is not checked;
// VerifyCertificate tells a caller whether it would have passed, to report
// a failure and deliver anyway (MTA-STS testing mode, RFC 8461 §5; TLS
// reporting, RFC 8460 §4.3). The error wraps the x509 error, so
// errors.As finds an x509.HostnameError (certificate-host-mismatch), an
// x509.UnknownAuthorityError (certificate-not-trusted) or an
// x509.CertificateInvalidError (Reason x509.Expired:
// certificate-expired).
func VerifyCertificate(state tls.ConnectionState, roots *x509.CertPool, name string) error {
	if len(state.PeerCertificates) == 0 {
		return errors.New("smtp: no server certificate to verify")
	}
	opts := x509.VerifyOptions{Roots: roots, DNSName: name, Intermediates: x509.NewCertPool()}
	for _, c := range state.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := state.PeerCertificates[0].Verify(opts); err != nil {
		return errorf("certificate of %s: %w", name, err)
	}
	return nil
}
