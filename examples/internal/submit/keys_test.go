package submit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadOrGenerateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dkim")
	k1, rec1, created, err := LoadOrGenerateKey(dir, "example.org", "sel")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, "sel", k1.Signer.Selector)
	k2, rec2, created, err := LoadOrGenerateKey(dir, "example.org", "sel")
	require.NoError(t, err)
	require.False(t, created, "the saved key is reused")
	require.Equal(t, rec1, rec2)
	require.Equal(t, k1.Signer.Key.Public(), k2.Signer.Key.Public())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left beside the key")

	require.NoError(t, os.WriteFile(KeyFile(dir, "broken.example"), []byte("not a key"), 0o600))
	_, _, _, err = LoadOrGenerateKey(dir, "broken.example", "sel")
	require.ErrorContains(t, err, "broken.example.pem", "a damaged key is an error, not silently replaced")

	for _, bad := range []string{"", "../etc", "a/b", ".hidden"} {
		_, _, _, err := LoadOrGenerateKey(dir, bad, "sel")
		require.Error(t, err, bad)
	}
}
