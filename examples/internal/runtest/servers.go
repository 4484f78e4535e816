package runtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"os"
	"testing"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
	"github.com/mailsmith/mailsmith/smtp"
)

// ServeSMTP starts an SMTP server named hostname with backend on
// 127.0.0.1, offering STARTTLS with cert when it is not nil, and returns
// its port. It stops at the end of the test.
func ServeSMTP(t testing.TB, hostname string, backend smtp.Backend, cert *tls.Certificate) int {
	t.Helper()
	srv := &smtp.Server{Hostname: hostname, Backend: backend}
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// ReadTLSReport parses the TLS report (RFC 8460) in file.
func ReadTLSReport(t testing.TB, file string) *tlsrpt.Report {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := tlsrpt.ParseReport(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return rep
}

// Send sends msg from from to to through the server at addr as a client
// that says helo, within WaitTimeout. STARTTLS and implicit TLS trust the
// test server's self-signed certificate; opts come after these options.
func Send(addr, helo, from string, to []string, msg []byte, opts ...smtp.SendOption) error {
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	opts = append([]smtp.SendOption{smtp.WithLocalName(helo), smtp.WithTLSConfig(selfSignedOK)}, opts...)
	return smtp.SendMail(ctx, addr, from, to, bytes.NewReader(msg), opts...)
}

// selfSignedOK is the client TLS configuration of Send: the examples'
// servers in tests present self-signed certificates.
var selfSignedOK = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // test servers only
