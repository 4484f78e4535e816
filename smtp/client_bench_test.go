package smtp

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// clientBenchSession discards messages.
type clientBenchSession struct{}

func (clientBenchSession) Mail(string, *MailOptions) error { return nil }
func (clientBenchSession) Rcpt(string, *RcptOptions) error { return nil }
func (clientBenchSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (clientBenchSession) Reset()        {}
func (clientBenchSession) Logout() error { return nil }

// BenchmarkClientSend measures whole pipelined transactions of the Client
// against this package's Server over loopback, one connection reused.
func BenchmarkClientSend(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{{"1KiB", 1 << 10}, {"100KiB", 100 << 10}} {
		b.Run(bc.name, func(b *testing.B) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := &Server{Hostname: "mx.test", Backend: BackendFunc(func(*Conn) (Session, error) { return clientBenchSession{}, nil })}
			go srv.Serve(l)
			defer srv.Close()
			msg := clientBenchMessage("\r\n")[:bc.size]
			ctx := b.Context()
			c, err := Dial(ctx, l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			to := []string{"r@example.org"}
			rd := bytes.NewReader(msg)
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				rd.Reset(msg)
				if _, err := c.Send(ctx, "s@example.org", to, rd, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
