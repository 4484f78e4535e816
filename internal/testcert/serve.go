package testcert

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// Serve serves cert on a runtime port of 127.0.0.1 for TLS handshakes
// only, until the test ends, and returns the address. Each connection
// makes its handshake and then waits (at most 10 s) for the client to
// close it.
func Serve(t testing.TB, cert tls.Certificate) *net.TCPAddr {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_ = c.(*tls.Conn).Handshake()
				_, _ = c.Read(make([]byte, 1))
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr)
}
