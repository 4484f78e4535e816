// Package keyfile keeps a signing key in a file: generated and written on
// first use, read back at every later start, so that the DNS record
// published for it (DKIM, RFC 6376 §3.6.1; ARC, RFC 8617 §4.1) stays
// valid across restarts. The submission example keeps its DKIM keys this
// way, the forwarder its ARC sealing key.
package keyfile

import (
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/durable"
)

// LoadOrGenerate returns the key in file (PEM, see dkim.ParsePrivateKey),
// or, when the file does not exist, generates a key of keyType
// (dkim.KeyTypeRSA with bits, or dkim.KeyTypeEd25519) and writes it there
// first: a temporary file, synced, renamed, the directory synced, mode
// 0600. created says the key is new (its record must be published).
func LoadOrGenerate(file, keyType string, bits int) (key crypto.Signer, created bool, err error) {
	data, err := os.ReadFile(file)
	switch {
	case err == nil:
		key, err := dkim.ParsePrivateKey(data)
		if err != nil {
			return nil, false, fmt.Errorf("key %s: %w", file, err)
		}
		return key, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, fmt.Errorf("key: %w", err)
	}
	key, err = dkim.GenerateKey(keyType, bits)
	if err != nil {
		return nil, false, err
	}
	pem, err := dkim.MarshalPrivateKey(key)
	if err != nil {
		return nil, false, err
	}
	if err := WriteSynced(filepath.Dir(file), filepath.Base(file), pem); err != nil {
		return nil, false, fmt.Errorf("key: saving %s: %w", file, err)
	}
	return key, true, nil
}

// WriteSynced writes a private file atomically: a temporary file, synced,
// renamed, and the directory synced.
func WriteSynced(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return err
	}
	return durable.Syncer(nil).Write(f, filepath.Join(dir, name), data)
}
