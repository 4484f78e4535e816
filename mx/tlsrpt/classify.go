package tlsrpt

import (
	"crypto/x509"
	"errors"
	"strings"
)

// ClassifyTLSError returns the RFC 8460 §4.3.1 result type for the error of
// a failed certificate check during STARTTLS, as Go's crypto/tls and
// crypto/x509 report it: a name that does not match is
// certificate-host-mismatch, an expired (or not yet valid) certificate
// certificate-expired, an unknown or invalid issuer
// certificate-not-trusted, anything else validation-failure. Use
// ResultSTARTTLSNotSupported when the server did not offer STARTTLS.
func ClassifyTLSError(err error) ResultType {
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &hostErr):
		return ResultCertificateHostMismatch
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case x509.Expired:
			return ResultCertificateExpired
		case x509.NameMismatch, x509.NameConstraintsWithoutSANs, x509.CANotAuthorizedForThisName:
			return ResultCertificateHostMismatch
		}
		return ResultCertificateNotTrusted
	case errors.As(err, &unknown):
		return ResultCertificateNotTrusted
	}
	return ResultValidationFailure
}

// PolicyLines splits a policy text (an MTA-STS policy as fetched, or TLSA
// records one per line) into the "policy-string" of RFC 8460 §4.4: one
// string per line, line ends and empty lines dropped.
func PolicyLines(text string) []string {
	var l []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) != "" {
			l = append(l, line)
		}
	}
	return l
}
