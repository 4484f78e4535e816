package keyfile

import (
	"crypto/rsa"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dkim"
)

func TestLoadOrGenerate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys", "example.net.pem")
	k1, created, err := LoadOrGenerate(file, dkim.KeyTypeRSA, 1024)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, 1024, k1.(*rsa.PrivateKey).N.BitLen())
	st, err := os.Stat(file)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "a private key is private")

	k2, created, err := LoadOrGenerate(file, dkim.KeyTypeRSA, 1024)
	require.NoError(t, err)
	require.False(t, created, "read back, not generated again")
	require.True(t, k1.(*rsa.PrivateKey).Equal(k2))

	entries, err := os.ReadDir(filepath.Dir(file))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left")

	require.NoError(t, os.WriteFile(file, []byte("garbage"), 0o600))
	_, _, err = LoadOrGenerate(file, dkim.KeyTypeRSA, 1024)
	require.ErrorContains(t, err, "key "+file)
}
