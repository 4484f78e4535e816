package dkim

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// hugeRSAMessage returns a message signed (in form: the signature value is
// junk of the right length) with an RSA key of the given modulus size, and
// a resolver publishing that key. Its body hash is correct, so a verifier
// without a size limit goes on to the modular exponentiation.
func hugeRSAMessage(tb testing.TB, bits int) ([]byte, txtZone) {
	tb.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.Add(n, big.NewInt(12345)) // odd, exactly bits long
	rec, err := NewKeyRecord(&rsa.PublicKey{N: n, E: 65537})
	if err != nil {
		tb.Fatal(err)
	}
	body := "hello\r\n"
	bh := sha256.Sum256([]byte(body))
	sigValue := bytes.Repeat([]byte{0x01}, bits/8) // below n, the right length
	head := "From: a@example.org\r\nSubject: huge key\r\n"
	field := "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=huge; h=from:subject; bh=" +
		base64.StdEncoding.EncodeToString(bh[:]) + "; b=" + base64.StdEncoding.EncodeToString(sigValue) + "\r\n"
	return []byte(field + head + "\r\n" + body), txtZone{"huge._domainkey.example.org": {rec.String()}}
}

// BenchmarkVerifyHugeRSAKey is the cost of one signature whose key record
// holds a 131072-bit modulus.
func BenchmarkVerifyHugeRSAKey(b *testing.B) {
	msg, res := hugeRSAMessage(b, 131072)
	v := &Verifier{Resolver: res.mem(b)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadHeaderOneByte reads a header block with one long field
// from a reader that returns a byte at a time: the time per op should
// grow in proportion to the size.
func BenchmarkReadHeaderOneByte(b *testing.B) {
	for _, size := range []int{64 << 10, 256 << 10, 500 << 10} {
		msg := "From: a@example.org\r\nX-Long: " + strings.Repeat("x", size) + "\r\n\r\nbody\r\n"
		b.Run(strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				m, err := readHeader(iotest.OneByteReader(strings.NewReader(msg)), 0)
				if err != nil {
					b.Fatal(err)
				}
				m.release()
			}
		})
	}
}
