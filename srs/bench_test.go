package srs

import (
	"testing"
)

// benchSenders are the addresses the benchmarks forward: an ordinary
// sender, and an SRS0 address forwarded again (it becomes SRS1).
var benchSenders = []struct{ name, addr string }{
	{"SRS0", "first.last@example.org"},
	{"SRS1", "SRS0=GzLP=G3=origin.example=alice@hop1.example"},
}

func BenchmarkForward(b *testing.B) {
	for _, s := range benchSenders {
		b.Run(s.name, func(b *testing.B) {
			r := testRewriter()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Forward(s.addr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReverse reverses what Forward made of each sender, and (case
// TwoSecretsOld) an address signed with the second of two secrets, as
// during key rotation: two MACs.
func BenchmarkReverse(b *testing.B) {
	rotated := testRewriter()
	rotated.Secrets = [][]byte{[]byte("new secret"), rotated.Secrets[0]}
	cases := []struct {
		name   string
		sender string
		r      *Rewriter
	}{
		{benchSenders[0].name, benchSenders[0].addr, testRewriter()},
		{benchSenders[1].name, benchSenders[1].addr, testRewriter()},
		{"TwoSecretsOld", benchSenders[0].addr, rotated},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			addr, err := testRewriter().Forward(c.sender)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.r.Reverse(addr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkForwardParallel(b *testing.B) {
	r := testRewriter()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Forward(benchSenders[0].addr); err != nil {
				b.Fatal(err)
			}
		}
	})
}
