package maildir

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDeliver(t *testing.T) {
	root := t.TempDir()
	p1, err := Deliver(root, Inbox, []byte("one"))
	require.NoError(t, err)
	p2, err := Deliver(root, Inbox, []byte("two"))
	require.NoError(t, err)
	require.NotEqual(t, p1, p2, "unique names")
	require.Equal(t, filepath.Join(root, "new"), filepath.Dir(p1))
	junk, err := Deliver(root, "Junk", []byte("spam"))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(root, ".Junk", "new"), filepath.Dir(junk))
	for _, d := range []string{"tmp", "new", "cur", ".Junk/tmp", ".Junk/cur"} {
		st, err := os.Stat(filepath.Join(root, d))
		require.NoError(t, err)
		require.True(t, st.IsDir())
	}
	tmp, err := os.ReadDir(filepath.Join(root, "tmp"))
	require.NoError(t, err)
	require.Empty(t, tmp, "nothing left in tmp")
	b, err := os.ReadFile(junk)
	require.NoError(t, err)
	require.Equal(t, "spam", string(b))

	for _, bad := range []string{"..", "a/b", "."} {
		_, err := Deliver(root, bad, []byte("x"))
		require.Error(t, err, bad)
	}
}
