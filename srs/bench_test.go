package srs

import (
	"testing"
)

func BenchmarkForward(b *testing.B) {
	r := testRewriter()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Forward("first.last@example.org"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkForwardSRS1(b *testing.B) {
	r := testRewriter()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Forward("SRS0=GzLP=G3=origin.example=alice@hop1.example"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReverse(b *testing.B) {
	r := testRewriter()
	addr, err := r.Forward("first.last@example.org")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Reverse(addr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReverseSRS1(b *testing.B) {
	r := testRewriter()
	addr, err := r.Forward("SRS0=GzLP=G3=origin.example=alice@hop1.example")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Reverse(addr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReverseTwoSecretsOld verifies against the second of two
// secrets (during key rotation): two MACs.
func BenchmarkReverseTwoSecretsOld(b *testing.B) {
	old := testRewriter()
	addr, err := old.Forward("first.last@example.org")
	if err != nil {
		b.Fatal(err)
	}
	r := testRewriter()
	r.Secrets = [][]byte{[]byte("new secret"), old.Secrets[0]}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Reverse(addr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkForwardParallel(b *testing.B) {
	r := testRewriter()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Forward("first.last@example.org"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
