package receiver

import (
	"crypto/tls"
	"errors"
	"net"

	"github.com/mailsmith/mailsmith/smtp"
)

// ServeLocal starts an SMTP server with backend b on 127.0.0.1 at a port
// chosen by the system, for the demo and tests. It returns the server (stop
// it with Close or Shutdown) and its port.
func ServeLocal(b *Backend) (*smtp.Server, int, error) {
	return ServeLocalTLS(b, nil)
}

// ServeLocalTLS is ServeLocal with STARTTLS offered with cfg (none when
// cfg is nil).
func ServeLocalTLS(b *Backend, cfg *tls.Config) (*smtp.Server, int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	srv := &smtp.Server{Hostname: b.Hostname, Backend: b, Logger: b.Logger, TLSConfig: cfg}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			b.log().Error("serve", "err", err)
		}
	}()
	return srv, ln.Addr().(*net.TCPAddr).Port, nil
}
