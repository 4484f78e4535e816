package compare

import (
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/srs"
)

// BenchmarkSRS forwards and reverses an address with mailsmith/srs. No
// other Go SRS library could be fetched from the module proxy here
// (github.com/mileusna/srs: 403), so these numbers stand alone.
func BenchmarkSRS(b *testing.B) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	r := &srs.Rewriter{Domain: "forwarder.example", Secrets: [][]byte{[]byte("bench secret")}, Now: func() time.Time { return now }}
	fwd, err := r.Forward("alice@example.org")
	if err != nil {
		b.Fatal(err)
	}
	back, err := r.Reverse(fwd)
	if err != nil || back != "alice@example.org" {
		b.Fatalf("Reverse(%q) = %q, %v", fwd, back, err)
	}
	b.Run("forward/lib=mailsmith", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Forward("alice@example.org"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reverse/lib=mailsmith", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Reverse(fwd); err != nil {
				b.Fatal(err)
			}
		}
	})
}
