package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
)

// DefaultRSABits is the RSA key size GenerateKey uses when bits is 0.
const DefaultRSABits = 2048

// GenerateKey creates a signing key of type KeyTypeRSA (bits 0 means
// DefaultRSABits; fewer than 1024 is refused, RFC 8301 §3.2) or
// KeyTypeEd25519 (bits ignored).
func GenerateKey(keyType KeyType, bits int) (crypto.Signer, error) {
	switch keyType {
	case KeyTypeRSA:
		if bits == 0 {
			bits = DefaultRSABits
		}
		if bits < 1024 {
			return nil, fmt.Errorf("%w: %d-bit RSA", ErrKeyTooSmall, bits)
		}
		return rsa.GenerateKey(rand.Reader, bits)
	case KeyTypeEd25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("%w: key type %q", ErrUnsupportedKey, keyType)
}

// ParsePrivateKey reads a signing key: PEM "RSA PRIVATE KEY" (PKCS#1) or
// "PRIVATE KEY" (PKCS#8, RSA or Ed25519), or a bare base64 Ed25519 seed of
// 32 octets (the dkimpy/dknewkey format).
func ParsePrivateKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
		if err == nil && len(seed) == ed25519.SeedSize {
			return ed25519.NewKeyFromSeed(seed), nil
		}
		return nil, fmt.Errorf("%w: no PEM block and not a base64 Ed25519 seed", ErrUnsupportedKey)
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PKCS#1: %v", ErrUnsupportedKey, err)
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PKCS#8: %v", ErrUnsupportedKey, err)
		}
		switch k := k.(type) {
		case *rsa.PrivateKey:
			return k, nil
		case ed25519.PrivateKey:
			return k, nil
		}
		return nil, fmt.Errorf("%w: PKCS#8 holds %T", ErrUnsupportedKey, k)
	}
	return nil, fmt.Errorf("%w: PEM block %q", ErrUnsupportedKey, block.Type)
}

// MarshalPrivateKey writes a key as a PKCS#8 "PRIVATE KEY" PEM block, the
// form OpenDKIM, dkimpy and Node read.
func MarshalPrivateKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
