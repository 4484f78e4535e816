package testpeer

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
)

// DkimpyKey returns key as dkimpy (Debian python3-dkim) reads a signing
// key: an RSA key as PKCS#1 PEM, an Ed25519 key as its base64 seed.
func DkimpyKey(key crypto.Signer) (string, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), nil
	case ed25519.PrivateKey:
		return base64.StdEncoding.EncodeToString(k.Seed()), nil
	}
	return "", fmt.Errorf("testpeer: dkimpy reads no %T keys", key)
}
