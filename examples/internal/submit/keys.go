package submit

import (
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/keyfile"
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
	return newKey(domain, selector, key)
}

func newKey(domain, selector string, key crypto.Signer) (Key, string, error) {
	rec, err := dkim.NewKeyRecord(key.Public())
	if err != nil {
		return Key{}, "", err
	}
	return Key{Domain: domain, Signer: &dkim.Signer{Domain: domain, Selector: selector, Key: key, Oversign: true}},
		rec.ZoneText(selector, domain), nil
}

// KeyFile is where LoadOrGenerateKey keeps the key of domain in dir.
func KeyFile(dir, domain string) string { return filepath.Join(dir, domain+".pem") }

// LoadOrGenerateKey returns the key of domain kept in dir (see KeyFile),
// generating an Ed25519 key and saving it there on first use, so that the
// DNS record published for it stays valid across restarts. It also returns
// the TXT record to publish and whether the key is new.
func LoadOrGenerateKey(dir, domain, selector string) (k Key, record string, created bool, err error) {
	if domain == "" || strings.ContainsAny(domain, "/\\") || strings.HasPrefix(domain, ".") {
		return Key{}, "", false, fmt.Errorf("DKIM key: domain %q not usable as a file name", domain)
	}
	key, created, err := keyfile.LoadOrGenerate(KeyFile(dir, domain), dkim.KeyTypeEd25519, 0)
	if err != nil {
		return Key{}, "", false, fmt.Errorf("DKIM %w", err)
	}
	k, record, err = newKey(domain, selector, key)
	return k, record, created, err
}
