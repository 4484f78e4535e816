// Package tlscert loads a TLS certificate for the example servers or, when
// none is given, makes a self-signed one so that STARTTLS and implicit TLS
// work out of the box (clients must then skip verification or trust it),
// and prints the DANE TLSA record of the certificate served. The demo's
// CA and every certificate made here come from internal/testcert, the
// suite's one certificate maker.
package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"time"

	"github.com/mailsmith/mailsmith/mx/dane"
)

// Config returns a server TLS configuration with the certificate in
// certFile and keyFile (PEM), or with a new self-signed certificate for
// hostname when both are empty.
func Config(certFile, keyFile, hostname string) (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	switch {
	case certFile == "" && keyFile == "":
		cert, err = SelfSigned(hostname)
	case certFile == "" || keyFile == "":
		return nil, fmt.Errorf("tls: give both a certificate and a key file")
	default:
		cert, err = tls.LoadX509KeyPair(certFile, keyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// SelfSigned makes an ECDSA P-256 certificate for hostname (a host name
// or an IP address) valid for a year.
func SelfSigned(hostname string) (tls.Certificate, error) {
	return serverCert(time.Now().Add(year), nil, hostname)
}

// TLSARecord returns the DANE TLSA record to publish for the SMTP server
// host on port 25 that presents the first certificate of cfg (RFC 7671
// §8.1: "3 1 1", the SHA-256 of its public key, which survives a renewal
// with the same key), as a zone file line:
// "_25._tcp.<host>. IN TLSA 3 1 1 <hex>".
func TLSARecord(cfg *tls.Config, host string) (string, error) {
	if cfg == nil || len(cfg.Certificates) == 0 || len(cfg.Certificates[0].Certificate) == 0 {
		return "", fmt.Errorf("tls: no certificate")
	}
	leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		return "", fmt.Errorf("tls: %w", err)
	}
	return dane.RecordFor(leaf).ZoneText(host, 25), nil
}

// PrintTLSA prints to w the TLSARecord of cfg for host, to publish in the
// host's DNSSEC-signed zone: "<prog>: TLSA record of the <what>; publish
// (DNSSEC-signed):" and the record on the next line. A self-signed
// certificate (made at start, new every time) gets a note that a record
// for it does not last; a certificate without a record gets the reason.
func PrintTLSA(w io.Writer, prog, what string, cfg *tls.Config, host string, selfSigned bool) {
	rec, err := TLSARecord(cfg, host)
	if err != nil {
		fmt.Fprintf(w, "%s: no TLSA record: %v\n", prog, err)
		return
	}
	note := ""
	if selfSigned {
		note = " (the self-signed key is new at every start: give -cert and -key to publish a lasting record)"
	}
	fmt.Fprintf(w, "%s: TLSA record of the %s%s; publish (DNSSEC-signed):\n  %s\n", prog, what, note, rec)
}
