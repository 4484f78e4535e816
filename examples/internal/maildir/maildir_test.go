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

// TestWriterSyncs: each delivery syncs the file and then new/; a new
// Maildir also gets its directories synced; a failing sync fails the
// delivery and leaves no copy in new/ or tmp/.
func TestWriterSyncs(t *testing.T) {
	root := filepath.Join(t.TempDir(), "box")
	var synced []string
	fail := false
	w := &Writer{Sync: func(f *os.File) error {
		synced = append(synced, f.Name())
		if fail {
			return os.ErrPermission
		}
		return nil
	}}
	p, err := w.Deliver(root, Inbox, []byte("one"))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Dir(root), root, filepath.Join(root, "tmp", filepath.Base(p)), filepath.Join(root, "new")}, synced)

	synced = nil
	p, err = w.Deliver(root, Inbox, []byte("two"))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(root, "tmp", filepath.Base(p)), filepath.Join(root, "new")}, synced)

	fail = true
	_, err = w.Deliver(root, Inbox, []byte("three"))
	require.ErrorIs(t, err, os.ErrPermission)
	for _, sub := range []string{"new", "tmp"} {
		entries, err := os.ReadDir(filepath.Join(root, sub))
		require.NoError(t, err)
		require.Len(t, entries, map[string]int{"new": 2, "tmp": 0}[sub], sub)
	}
}
