// Package maildir delivers messages into Maildir folders: a message is
// written to tmp/ under a unique name, synced, then moved to new/, so a
// reader never sees half a message. Sub-folders follow the Maildir++
// convention: ".Junk" beside tmp, new and cur.
package maildir

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Inbox is the folder name of the Maildir itself.
const Inbox = ""

var counter atomic.Uint64

// Deliver writes msg into folder (Inbox, or a Maildir++ name such as
// "Junk") of the Maildir at root, creating the directories as needed, and
// returns the path of the delivered file.
func Deliver(root, folder string, msg []byte) (string, error) {
	if strings.ContainsAny(folder, "/\\") || folder == "." || folder == ".." {
		return "", fmt.Errorf("maildir: bad folder name %q", folder)
	}
	dir := root
	if folder != Inbox {
		dir = filepath.Join(root, "."+folder)
	}
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return "", fmt.Errorf("maildir: %w", err)
		}
	}
	name := uniqueName(len(msg))
	tmp := filepath.Join(dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("maildir: %w", err)
	}
	_, err = f.Write(msg)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("maildir: write %s: %w", tmp, err)
	}
	dst := filepath.Join(dir, "new", name)
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("maildir: %w", err)
	}
	return dst, nil
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
