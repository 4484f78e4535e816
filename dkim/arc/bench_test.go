package arc

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// benchChain is a three-set chain (RSA 2048, Ed25519, RSA 1024) over a
// body of n bytes of text.
func benchChain(b *testing.B, n int) (*world, []byte) {
	w := newWorld(b)
	body := strings.Repeat("A line of text in the body of the message, to be hashed.\r\n", n/59+1)
	msg := strings.Replace(baseMessage, "Hello,\r\nthis is the body.\r\n", body, 1)
	msg = w.seal(b, "lists.example.org", msg)
	msg = w.seal(b, "fwd.example.net", msg, addFooter, tagSubject)
	msg = w.seal(b, "relay.example.com", msg)
	return w, []byte(msg)
}

// BenchmarkVerify validates a three-set chain: three seals, the newest AMS
// and the two older ones for OldestPass (keys come from memory).
func BenchmarkVerify(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"4KiB", 4 << 10}, {"1MiB", 1 << 20}} {
		b.Run(size.name, func(b *testing.B) {
			w, msg := benchChain(b, size.n)
			v := &Verifier{Resolver: w.dns}
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := v.Verify(context.Background(), bytes.NewReader(msg))
				if err != nil || res.Status != Pass {
					b.Fatal(err, res.Err)
				}
			}
		})
	}
}

// BenchmarkSeal adds a fourth set with RSA 2048 and with Ed25519, taking
// cv= from the sealer's Authentication-Results, and once more validating
// the three sets itself (an ADMD with no arc= result in the message).
func BenchmarkSeal(b *testing.B) {
	for _, c := range []struct{ name, domain, servID string }{
		{"RSA2048", "lists.example.org", ""},
		{"Ed25519", "fwd.example.net", ""},
		{"Ed25519/validating", "fwd.example.net", "other.example"},
	} {
		b.Run(c.name, func(b *testing.B) {
			w, msg := benchChain(b, 4<<10)
			s := *w.sealers[c.domain]
			if c.servID != "" {
				s.AuthServID = c.servID
			}
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Seal(context.Background(), bytes.NewReader(msg)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
