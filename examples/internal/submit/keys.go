package submit

import (
	"fmt"
	"os"
	"strings"

	"github.com/mailsmith/mailsmith/dkim"
)

// Key is one DKIM signing key of a domain.
type Key struct {
	Domain string
	Signer *dkim.Signer
}

// LoadKey parses "domain:selector:keyfile" and reads the key file
// (PKCS#1 or PKCS#8 PEM, or a bare Ed25519 seed, see dkim.ParsePrivateKey).
func LoadKey(spec string) (Key, error) {
	parts := strings.SplitN(spec, ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return Key{}, fmt.Errorf("DKIM key %q: want domain:selector:keyfile", spec)
	}
	data, err := os.ReadFile(parts[2])
	if err != nil {
		return Key{}, fmt.Errorf("DKIM key: %w", err)
	}
	key, err := dkim.ParsePrivateKey(data)
	if err != nil {
		return Key{}, fmt.Errorf("DKIM key %s: %w", parts[2], err)
	}
	domain := strings.ToLower(parts[0])
	return Key{Domain: domain, Signer: &dkim.Signer{Domain: domain, Selector: parts[1], Key: key, Oversign: true}}, nil
}

// GenerateKey makes an Ed25519 key for domain and returns it with the TXT
// record to publish at selector._domainkey.domain.
func GenerateKey(domain, selector string) (Key, string, error) {
	key, err := dkim.GenerateKey(dkim.KeyTypeEd25519, 0)
	if err != nil {
		return Key{}, "", err
	}
	rec, err := dkim.NewKeyRecord(key.Public())
	if err != nil {
		return Key{}, "", err
	}
	return Key{Domain: domain, Signer: &dkim.Signer{Domain: domain, Selector: selector, Key: key, Oversign: true}},
		rec.ZoneText(selector, domain), nil
}
