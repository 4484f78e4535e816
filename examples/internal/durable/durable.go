// Package durable writes the examples' files so that a crash or a power
// cut leaves either the whole file or none: written under a temporary
// name, flushed, renamed into place, and the directory flushed (the
// rename is an entry of the directory). The queue's spool, Maildir
// delivery and the key files use it.
package durable

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrDirSync marks a Write whose file is in place but whose directory
// could not be flushed: the new name may not survive a power cut.
var ErrDirSync = errors.New("directory not synced")

// Syncer flushes a file or a directory to stable storage. The nil Syncer
// is (*os.File).Sync; tests give their own to count syncs or make them
// fail.
type Syncer func(f *os.File) error

// Sync flushes f.
func (s Syncer) Sync(f *os.File) error {
	if s == nil {
		return f.Sync()
	}
	return s(f)
}

// SyncDir flushes dir, making the files created, renamed and removed in
// it durable.
func (s Syncer) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = s.Sync(d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Write writes parts to f, a file the caller has just created under a
// temporary name, flushes and closes it, renames it to dst and flushes
// the directory of dst. When the file could not be put in place it is
// removed. An error from flushing the directory wraps ErrDirSync: dst is
// in place, and the caller decides whether to keep it.
func (s Syncer) Write(f *os.File, dst string, parts ...[]byte) error {
	tmp := f.Name()
	var err error
	for _, p := range parts {
		if err == nil {
			_, err = f.Write(p)
		}
	}
	if err == nil {
		err = s.Sync(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := s.SyncDir(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDirSync, filepath.Dir(dst), err)
	}
	return nil
}
