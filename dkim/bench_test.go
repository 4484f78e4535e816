package dkim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// benchMessage builds a message of about size octets shaped like real
// mail of that size: a typical header block, a text part (words separated
// by single spaces, some trailing whitespace and blank lines) and, beyond
// 2 KiB, a base64 attachment in 76-column lines.
func benchMessage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\n" +
		"Subject: quarterly figures and a rather long subject line that\r\n folds once\r\n" +
		"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <bench.1@example.org>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.Write(benchText(min(size, 2048) - b.Len()))
	if size > 2048 {
		b.WriteString("--b1\r\nContent-Type: application/octet-stream\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n")
		raw := make([]byte, 57)
		for b.Len() < size-16 {
			for i := range raw {
				raw[i] = byte(b.Len()*7 + i*13)
			}
			b.WriteString(base64.StdEncoding.EncodeToString(raw) + "\r\n")
		}
		b.WriteString("--b1--\r\n")
	}
	return b.Bytes()
}

// benchText returns about n octets of text lines.
func benchText(n int) []byte {
	var b bytes.Buffer
	words := strings.Fields("the quick brown fox jumps over lazy dog while seven zebras quietly amble past an old barn full of hay and copper kettles")
	line, w := 0, 0
	for b.Len() < n {
		var l strings.Builder
		for l.Len() < 68 {
			l.WriteString(words[w%len(words)])
			l.WriteByte(' ')
			w++
		}
		s := strings.TrimSuffix(l.String(), " ")
		switch line % 16 {
		case 7:
			s += "  " // trailing whitespace
		case 15:
			s = "" // paragraph break
		}
		b.WriteString(s + "\r\n")
		line++
	}
	return b.Bytes()
}

type benchKey struct {
	name string
	key  crypto.Signer
}

func benchKeys(b *testing.B) []benchKey {
	rsaKey, err := GenerateKey(KeyTypeRSA, 2048)
	if err != nil {
		b.Fatal(err)
	}
	edKey, err := GenerateKey(KeyTypeEd25519, 0)
	if err != nil {
		b.Fatal(err)
	}
	return []benchKey{{"rsa2048", rsaKey}, {"ed25519", edKey}}
}

var benchSizes = []struct {
	name string
	size int
}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}}

func BenchmarkSign(b *testing.B) {
	for _, k := range benchKeys(b) {
		for _, sz := range benchSizes {
			msg := benchMessage(sz.size)
			s := &Signer{Domain: "example.org", Selector: "sel", Key: k.key}
			b.Run(k.name+"/"+sz.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(msg)))
				for b.Loop() {
					if _, err := s.Sign(bytes.NewReader(msg)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, k := range benchKeys(b) {
		rec, err := NewKeyRecord(k.key.Public())
		if err != nil {
			b.Fatal(err)
		}
		res := fakeResolver{"sel._domainkey.example.org": {rec.String()}}
		for _, sz := range benchSizes {
			msg := benchMessage(sz.size)
			s := &Signer{Domain: "example.org", Selector: "sel", Key: k.key}
			sig, err := s.Sign(bytes.NewReader(msg))
			if err != nil {
				b.Fatal(err)
			}
			signed := append([]byte(sig), msg...)
			v := &Verifier{Resolver: res}
			got, err := v.Verify(context.Background(), bytes.NewReader(signed))
			if err != nil || len(got) != 1 || got[0].Result != Pass {
				b.Fatalf("setup: %v %+v", err, got)
			}
			b.Run(k.name+"/"+sz.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(signed)))
				for b.Loop() {
					if _, err := v.Verify(context.Background(), bytes.NewReader(signed)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkBodyCanon measures the body canonicalizers alone, and plain
// SHA-256 for comparison.
func BenchmarkBodyCanon(b *testing.B) {
	for _, body := range []struct {
		name string
		msg  []byte
	}{{"mime", benchMessage(1 << 20)}, {"text", benchText(1 << 20)}} {
		msg := body.msg
		for _, c := range []Canonicalization{Simple, Relaxed} {
			b.Run(body.name+"/"+string(c), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(msg)))
				for b.Loop() {
					bh := newBodyHasher(c, discardHash{}, -1)
					for p := msg; len(p) > 0; {
						n := min(len(p), readChunk)
						bh.Write(p[:n])
						p = p[n:]
					}
					bh.Close()
				}
			})
		}
	}
	msg := benchMessage(1 << 20)
	b.Run("sha256-only", func(b *testing.B) {
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			sha256.Sum256(msg)
		}
	})
}

type discardHash struct{}

func (discardHash) Write(p []byte) (int, error) { return len(p), nil }
func (discardHash) Sum(b []byte) []byte         { return b }
func (discardHash) Reset()                      {}
func (discardHash) Size() int                   { return 0 }
func (discardHash) BlockSize() int              { return 1 }
