package testcert

import (
	"crypto/tls"
	"errors"
	"sync"
)

// SNILog records the server name (RFC 6066 §3) that clients send in the
// handshakes of a test server. The zero value is ready to use.
type SNILog struct {
	mu    sync.Mutex
	names []string
}

// Config returns a server configuration that records the server name of
// each handshake and then serves cert; with cert nil, every handshake
// fails once its name is recorded.
func (l *SNILog) Config(cert *tls.Certificate) *tls.Config {
	return &tls.Config{
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			l.mu.Lock()
			l.names = append(l.names, hello.ServerName)
			l.mu.Unlock()
			if cert == nil {
				return nil, errors.New("testcert: no certificate for this server")
			}
			return cert, nil
		},
	}
}

// Names returns the names recorded so far, in order; "" stands for a
// handshake without one.
func (l *SNILog) Names() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.names...)
}
