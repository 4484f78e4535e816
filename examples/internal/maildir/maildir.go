// Package maildir delivers messages into Maildir folders with the
// protocol of the Maildir specification, so that a delivered message
// survives a crash or a power cut and a reader never sees half of one:
// write the message to tmp/ under a unique name, sync the file, move it
// into new/ (a rename in the same file system), and sync new/ so the move
// itself is on disk, all before the delivery is reported done (and the
// SMTP server answers 250). Sub-folders follow the Maildir++ convention:
// ".Junk" beside tmp, new and cur.
package maildir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/durable"
)

// Inbox is the folder name of the Maildir itself.
const Inbox = ""

var counter atomic.Uint64

// Writer delivers into Maildirs. The zero value is ready to use.
type Writer struct {
	// Sync flushes a file or a directory to stable storage; nil means
	// (*os.File).Sync. Tests replace it to watch or fail the calls.
	Sync func(f *os.File) error
}

// Deliver is (&Writer{}).Deliver.
func Deliver(root, folder string, msg []byte) (string, error) {
	return (&Writer{}).Deliver(root, folder, msg)
}

// Deliver writes msg into folder (Inbox, or a Maildir++ name such as
// "Junk") of the Maildir at root, creating the directories as needed, and
// returns the path of the delivered file once it and its directory entry
// are synced.
func (w *Writer) Deliver(root, folder string, msg []byte) (string, error) {
	if strings.ContainsAny(folder, "/\\") || folder == "." || folder == ".." {
		return "", fmt.Errorf("maildir: bad folder name %q", folder)
	}
	dir := root
	if folder != Inbox {
		dir = filepath.Join(root, "."+folder)
	}
	if err := w.makeDirs(dir); err != nil {
		return "", fmt.Errorf("maildir: %w", err)
	}
	name := uniqueName(len(msg))
	tmp := filepath.Join(dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("maildir: %w", err)
	}
	dst := filepath.Join(dir, "new", name)
	err = w.syncer().Write(f, dst, msg)
	if errors.Is(err, durable.ErrDirSync) {
		// The message may not survive a power cut: report failure (the
		// sender retries) and take it back, rather than risk a loss.
		os.Remove(dst)
	}
	if err != nil {
		return "", fmt.Errorf("maildir: delivering %s: %w", dst, err)
	}
	return dst, nil
}

// makeDirs creates tmp, new and cur in dir, syncing each directory that
// got a new entry so that a fresh Maildir survives a power cut too.
func (w *Writer) makeDirs(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		if _, err := os.Stat(filepath.Join(dir, "tmp")); err == nil {
			return nil
		}
	}
	return w.syncer().MkdirAll(filepath.Join(dir, "tmp"), filepath.Join(dir, "new"), filepath.Join(dir, "cur"))
}

// syncer is the Writer's Sync (nil for a nil Writer: (*os.File).Sync).
func (w *Writer) syncer() durable.Syncer {
	if w == nil {
		return nil
	}
	return w.Sync
}

// uniqueName returns "<seconds>.M<micro>P<pid>Q<n>.<host>,S=<size>", the
// naming of the Maildir specification (time, process, a per-process
// counter, host) with the Maildir++ size.
func uniqueName(size int) string {
	now := time.Now()
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	host = strings.NewReplacer("/", `\057`, ":", `\072`).Replace(host)
	return strconv.FormatInt(now.Unix(), 10) +
		".M" + strconv.Itoa(now.Nanosecond()/1000) +
		"P" + strconv.Itoa(os.Getpid()) +
		"Q" + strconv.FormatUint(counter.Add(1), 10) +
		"." + host + ",S=" + strconv.Itoa(size)
}
