package durable

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWrite: the file and then its directory are synced and the file is
// in place; a failed file sync leaves neither file; a failed directory
// sync leaves the file and says so with ErrDirSync.
func TestWrite(t *testing.T) {
	fail := errors.New("disk on fire")
	tests := []struct {
		name     string
		failOn   string // "file", "dir" or ""
		err      error
		placed   bool
		wantSync []string // "file" or "dir", in order
	}{
		{"synced", "", nil, true, []string{"file", "dir"}},
		{"file sync fails", "file", fail, false, []string{"file"}},
		{"dir sync fails", "dir", ErrDirSync, true, []string{"file", "dir"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tmpDir := filepath.Join(dir, "tmp")
			require.NoError(t, os.Mkdir(tmpDir, 0o700))
			var synced []string
			s := Syncer(func(f *os.File) error {
				what := "file"
				if fi, err := f.Stat(); err == nil && fi.IsDir() {
					what = "dir"
				}
				synced = append(synced, what)
				if what == tt.failOn {
					return fail
				}
				return f.Sync()
			})
			f, err := os.CreateTemp(tmpDir, "x.*")
			require.NoError(t, err)
			dst := filepath.Join(dir, "x")
			err = s.Write(f, dst, []byte("one "), []byte("two"))
			if tt.err == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.err)
				require.ErrorIs(t, err, fail)
			}
			require.Equal(t, tt.wantSync, synced)
			left, err := os.ReadDir(tmpDir)
			require.NoError(t, err)
			require.Empty(t, left, "no temporary file left")
			data, err := os.ReadFile(dst)
			if tt.placed {
				require.NoError(t, err)
				require.Equal(t, "one two", string(data))
			} else {
				require.ErrorIs(t, err, os.ErrNotExist)
			}
		})
	}
}

// TestNilSyncer: the zero Syncer uses (*os.File).Sync.
func TestNilSyncer(t *testing.T) {
	dir := t.TempDir()
	f, err := os.CreateTemp(dir, ".x.*")
	require.NoError(t, err)
	require.NoError(t, Syncer(nil).Write(f, filepath.Join(dir, "x"), []byte("data")))
	require.NoError(t, Syncer(nil).SyncDir(dir))
}

// TestMkdirAll: the directories and their missing parents are made, the
// parent of each new one is synced once, and a second call, with nothing
// to make, syncs nothing; a file in the way is an error.
func TestMkdirAll(t *testing.T) {
	root := t.TempDir()
	var synced []string
	s := Syncer(func(f *os.File) error {
		synced = append(synced, f.Name())
		return f.Sync()
	})
	a, b := filepath.Join(root, "m", "tmp"), filepath.Join(root, "m", "new")
	require.NoError(t, s.MkdirAll(a, b))
	for _, d := range []string{a, b} {
		st, err := os.Stat(d)
		require.NoError(t, err)
		require.True(t, st.IsDir())
	}
	require.Equal(t, []string{root, filepath.Join(root, "m")}, synced)

	synced = nil
	require.NoError(t, s.MkdirAll(a, b))
	require.Empty(t, synced, "nothing created, nothing synced")

	file := filepath.Join(root, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	require.ErrorContains(t, s.MkdirAll(filepath.Join(file, "sub")), "not a directory")

	fail := errors.New("disk on fire")
	failing := Syncer(func(*os.File) error { return fail })
	require.ErrorIs(t, failing.MkdirAll(filepath.Join(root, "n", "tmp")), fail, "a directory entry that cannot be synced is an error")
	require.Error(t, s.SyncDir(filepath.Join(root, "none")), "no directory to sync")
}
