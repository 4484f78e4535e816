package compare

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"io"
	"sync"
	"testing"

	msgauthdkim "github.com/emersion/go-msgauth/dkim"
	"github.com/mailsmith/mailsmith/dkim"
)

var dkimSizes = []struct {
	name string
	size int
}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}}

// signedHeaders is the h= list both libraries sign with.
var signedHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}

type dkimKey struct {
	alg      string // rsa-2048 or ed25519
	selector string
	key      crypto.Signer
}

var (
	dkimOnce sync.Once
	dkimKeys []dkimKey
	dkimZone *memZone
)

// dkimSetup makes one RSA-2048 and one Ed25519 key and publishes both in
// an in-memory zone.
func dkimSetup(tb testing.TB) ([]dkimKey, *memZone) {
	dkimOnce.Do(func() {
		dkimZone = newMemZone()
		for _, k := range []struct{ alg, typ, sel string }{
			{"rsa-2048", dkim.KeyTypeRSA, "rsa"},
			{"ed25519", dkim.KeyTypeEd25519, "ed"},
		} {
			key, err := dkim.GenerateKey(k.typ, 2048)
			if err != nil {
				panic(err)
			}
			rec, err := dkim.NewKeyRecord(key.Public())
			if err != nil {
				panic(err)
			}
			dkimZone.txt(k.sel+"._domainkey.example.org", rec.String())
			dkimKeys = append(dkimKeys, dkimKey{k.alg, k.sel, key})
		}
	})
	return dkimKeys, dkimZone
}

func mailsmithSigner(k dkimKey) *dkim.Signer {
	return &dkim.Signer{Domain: "example.org", Selector: k.selector, Key: k.key, Headers: signedHeaders}
}

func msgauthOptions(k dkimKey) *msgauthdkim.SignOptions {
	return &msgauthdkim.SignOptions{
		Domain: "example.org", Selector: k.selector, Signer: k.key, HeaderKeys: signedHeaders,
		HeaderCanonicalization: msgauthdkim.CanonicalizationRelaxed,
		BodyCanonicalization:   msgauthdkim.CanonicalizationRelaxed,
	}
}

// msgauthSign returns go-msgauth's DKIM-Signature field, computed with its
// streaming Signer (the body is written through, only the field is kept).
func msgauthSign(msg []byte, opts *msgauthdkim.SignOptions) (string, error) {
	s, err := msgauthdkim.NewSigner(opts)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(s, bytes.NewReader(msg)); err != nil {
		return "", err
	}
	if err := s.Close(); err != nil {
		return "", err
	}
	return s.Signature(), nil
}

// BenchmarkDKIMSign signs the same message with each library (relaxed/
// relaxed, the same header list). MB/s is message octets per second.
func BenchmarkDKIMSign(b *testing.B) {
	keys, _ := dkimSetup(b)
	for _, k := range keys {
		for _, sz := range dkimSizes {
			msg := benchMessage(sz.size)
			b.Run(fmt.Sprintf("%s/%s/lib=mailsmith", k.alg, sz.name), func(b *testing.B) {
				s := mailsmithSigner(k)
				b.ReportAllocs()
				b.SetBytes(int64(len(msg)))
				for b.Loop() {
					if _, err := s.Sign(bytes.NewReader(msg)); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("%s/%s/lib=go-msgauth", k.alg, sz.name), func(b *testing.B) {
				opts := msgauthOptions(k)
				b.ReportAllocs()
				b.SetBytes(int64(len(msg)))
				for b.Loop() {
					if _, err := msgauthSign(msg, opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDKIMVerify verifies the same signed message (signed once by
// mailsmith) with each library, the key served from memory. Setup checks
// that both libraries call it a pass, and that mailsmith also passes a
// go-msgauth signature of the same message.
func BenchmarkDKIMVerify(b *testing.B) {
	keys, z := dkimSetup(b)
	ctx := context.Background()
	for _, k := range keys {
		for _, sz := range dkimSizes {
			msg := benchMessage(sz.size)
			field, err := mailsmithSigner(k).Sign(bytes.NewReader(msg))
			if err != nil {
				b.Fatal(err)
			}
			signed := append([]byte(field), msg...)
			other, err := msgauthSign(msg, msgauthOptions(k))
			if err != nil {
				b.Fatal(err)
			}
			v := &dkim.Verifier{Resolver: z}
			for _, m := range [][]byte{signed, append([]byte(other), msg...)} {
				res, err := v.Verify(ctx, bytes.NewReader(m))
				if err != nil || len(res) != 1 || res[0].Result != dkim.Pass {
					b.Fatalf("%s %s: mailsmith verify: %v %v", k.alg, sz.name, res, err)
				}
			}
			vopts := &msgauthdkim.VerifyOptions{LookupTXT: z.lookupTXTFunc}
			mres, err := msgauthdkim.VerifyWithOptions(bytes.NewReader(signed), vopts)
			if err != nil || len(mres) != 1 || mres[0].Err != nil {
				b.Fatalf("%s %s: go-msgauth verify: %v %v", k.alg, sz.name, mres, err)
			}
			b.Run(fmt.Sprintf("%s/%s/lib=mailsmith", k.alg, sz.name), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(signed)))
				for b.Loop() {
					res, err := v.Verify(ctx, bytes.NewReader(signed))
					if err != nil || res[0].Result != dkim.Pass {
						b.Fatal(res, err)
					}
				}
			})
			b.Run(fmt.Sprintf("%s/%s/lib=go-msgauth", k.alg, sz.name), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(signed)))
				for b.Loop() {
					res, err := msgauthdkim.VerifyWithOptions(bytes.NewReader(signed), vopts)
					if err != nil || res[0].Err != nil {
						b.Fatal(res, err)
					}
				}
			})
		}
	}
}
