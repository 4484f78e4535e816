package queue

import (
	"bytes"
	"testing"
)

// BenchmarkEnqueue is the cost of putting a 10 KB message on disk before
// a 250: write, file sync, rename, directory sync.
func BenchmarkEnqueue(b *testing.B) {
	q := &Queue{Dir: b.TempDir(), Deliverer: newScript()}
	if err := q.Open(); err != nil {
		b.Fatal(err)
	}
	msg := bytes.Repeat([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n"), 160)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Enqueue("alice@example.org", []string{"bob@example.com"}, msg); err != nil {
			b.Fatal(err)
		}
	}
}
