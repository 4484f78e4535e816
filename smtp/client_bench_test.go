package smtp

import (
	"bytes"
	"testing"
)

// BenchmarkClientSend measures whole pipelined transactions of the Client
// against this package's Server over loopback, one connection reused.
func BenchmarkClientSend(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{{"1KiB", 1 << 10}, {"100KiB", 100 << 10}} {
		b.Run(bc.name, func(b *testing.B) {
			addr := stStart(b, &Server{Hostname: "mx.test", Backend: BackendFunc(func(*Conn) (Session, error) { return stNopSession{}, nil })})
			msg := clientBenchMessage("\r\n")[:bc.size]
			ctx := b.Context()
			c, err := Dial(ctx, addr)
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
