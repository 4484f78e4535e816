package durable

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// MkdirAll creates each of dirs with any missing parents (mode 0700), and
// flushes the parent of every directory it created, so that a new
// directory survives a power cut like a file written with Write. Dirs that
// exist already cost a Stat each.
func (s Syncer) MkdirAll(dirs ...string) error {
	var created []string
	for _, dir := range dirs {
		c, err := mkdirAll(dir)
		created = append(created, c...)
		if err != nil {
			return err
		}
	}
	synced := map[string]bool{}
	for _, c := range created {
		parent := filepath.Dir(c)
		if !synced[parent] {
			synced[parent] = true
			if err := s.SyncDir(parent); err != nil {
				return err
			}
		}
	}
	return nil
}

// mkdirAll is os.MkdirAll that returns the directories it created,
// outermost first.
func mkdirAll(dir string) ([]string, error) {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return nil, fmt.Errorf("%s is not a directory", dir)
		}
		return nil, nil
	}
	var created []string
	if parent := filepath.Dir(dir); parent != dir {
		c, err := mkdirAll(parent)
		if err != nil {
			return nil, err
		}
		created = c
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return created, err
	} else if err == nil {
		created = append(created, dir)
	}
	return created, nil
}
