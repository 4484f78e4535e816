package tlsrpt_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

func TestClassifyTLSError(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("tls: failed to verify certificate: %w", err) }
	tests := []struct {
		err  error
		want tlsrpt.ResultType
	}{
		{nil, ""},
		{wrap(x509.HostnameError{Host: "mx.example"}), tlsrpt.ResultCertificateHostMismatch},
		{wrap(x509.CertificateInvalidError{Reason: x509.Expired}), tlsrpt.ResultCertificateExpired},
		{wrap(x509.CertificateInvalidError{Reason: x509.NotAuthorizedToSign}), tlsrpt.ResultCertificateNotTrusted},
		{wrap(x509.UnknownAuthorityError{}), tlsrpt.ResultCertificateNotTrusted},
		{errors.New("tls: handshake failure"), tlsrpt.ResultValidationFailure},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tlsrpt.ClassifyTLSError(tt.err), "%v", tt.err)
	}
}

func TestPolicyLines(t *testing.T) {
	assert.Equal(t, []string{"version: STSv1", "mode: enforce", "mx: a.example", "max_age: 1"},
		tlsrpt.PolicyLines("version: STSv1\r\nmode: enforce\r\n\r\nmx: a.example\nmax_age: 1\n"))
	assert.Nil(t, tlsrpt.PolicyLines(""))
}
