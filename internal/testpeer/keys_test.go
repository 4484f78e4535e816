package testpeer

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"testing"
)

// TestDkimpyKey: RSA keys as PKCS#1 PEM, Ed25519 keys as their base64
// seed, each decoding back to the key; other keys are an error.
func TestDkimpyKey(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	s, err := DkimpyKey(rk)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode([]byte(s))
	if b == nil || b.Type != "RSA PRIVATE KEY" {
		t.Fatalf("RSA: %q", s)
	}
	if back, err := x509.ParsePKCS1PrivateKey(b.Bytes); err != nil || !back.Equal(rk) {
		t.Fatalf("RSA: %v", err)
	}
	_, ek, _ := ed25519.GenerateKey(rand.Reader)
	s, err = DkimpyKey(ek)
	if err != nil {
		t.Fatal(err)
	}
	if seed, err := base64.StdEncoding.DecodeString(s); err != nil || !ed25519.NewKeyFromSeed(seed).Equal(ek) {
		t.Fatalf("Ed25519: %q %v", s, err)
	}
	if _, err := DkimpyKey(otherKey{}); err == nil {
		t.Fatal("other key type: no error")
	}
}

// otherKey is a key type dkimpy does not read.
type otherKey struct{ crypto.Signer }
