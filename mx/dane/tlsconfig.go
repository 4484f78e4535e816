package dane

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
)

// VerifyConnection returns a function for tls.Config.VerifyConnection
// that accepts the connection only when the server's chain passes Verify
// with records and opts. Any failure of Verify fails the handshake,
// ErrNoUsableRecords included (for a host whose records are all unusable,
// RFC 7672 §2.2 asks for TLS without a check: use Host.TLSConfig, which
// installs none then).
//
// The check does not depend on the WebPKI: it reads
// ConnectionState.PeerCertificates, which crypto/tls fills in with
// InsecureSkipVerify too. Use it with a TLS mode that does not also ask
// for WebPKI validation: with the smtp package, smtp.TLSPolicy{Mode:
// smtp.TLSRequired, Config: cfg}; TLSVerified would reject DANE-EE(3)
// servers with self-signed certificates before this check runs.
func VerifyConnection(records []Record, opts VerifyOptions) func(tls.ConnectionState) error {
	records = append([]Record(nil), records...)
	opts.Names = append([]string(nil), opts.Names...)
	return func(cs tls.ConnectionState) error {
		if _, err := Verify(records, cs.PeerCertificates, opts); err != nil {
			return fmt.Errorf("dane: server %s: %w", serverName(cs), err)
		}
		return nil
	}
}

func serverName(cs tls.ConnectionState) string {
	if cs.ServerName != "" {
		return cs.ServerName
	}
	return "(no SNI)"
}

// VerifyOptions returns the options Verify needs for the host: its
// reference identifiers.
func (h Host) VerifyOptions() VerifyOptions {
	return VerifyOptions{Names: h.Names}
}

// ErrNotDANE is the error of TLSConfig for a host whose status asks for no
// DANE TLS (StatusNone, StatusDefer).
var ErrNotDANE = errors.New("dane: host has no DANE TLS policy")

// TLSConfig returns the TLS settings for delivering to the host as DANE
// asks: base cloned (nil: defaults), ServerName set to the TLSA base
// domain for Server Name Indication (RFC 7672 §8.1), InsecureSkipVerify
// set so that the WebPKI decides nothing, and for StatusVerify a
// VerifyConnection that checks the chain against the host's TLSA records
// and reference identifiers (before base's own VerifyConnection, if any).
// For StatusEncrypt the certificate is not checked (RFC 7672 §2.2). TLS is
// mandatory in both cases: plug the result into
// smtp.TLSPolicy{Mode: smtp.TLSRequired, Config: cfg}. For StatusNone and
// StatusDefer it returns ErrNotDANE.
func (h Host) TLSConfig(base *tls.Config) (*tls.Config, error) {
	if h.Status != StatusVerify && h.Status != StatusEncrypt {
		return nil, fmt.Errorf("%w: %s is %q", ErrNotDANE, h.Name, h.Status)
	}
	var cfg *tls.Config
	if base == nil {
		cfg = &tls.Config{}
	} else {
		cfg = base.Clone()
	}
	cfg.ServerName = strings.TrimSuffix(h.BaseDomain, ".")
	cfg.InsecureSkipVerify = true
	if h.Status == StatusVerify {
		check := VerifyConnection(h.Records, h.VerifyOptions())
		next := cfg.VerifyConnection
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if err := check(cs); err != nil {
				return err
			}
			if next != nil {
				return next(cs)
			}
			return nil
		}
	}
	return cfg, nil
}
