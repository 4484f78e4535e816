package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/smtp"
)

// syncLog records the Maildir syncs of the server and what the Maildir
// looked like at each, to check the order of the delivery protocol.
type syncLog struct {
	mu     sync.Mutex
	events []string // "file <name> in tmp", "dir new holding <names>"
	fail   bool
}

func (l *syncLog) sync(f *os.File) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	name := f.Name()
	switch dir := filepath.Dir(name); {
	case filepath.Base(dir) == "tmp":
		_, inNew := os.Stat(filepath.Join(filepath.Dir(dir), "new", filepath.Base(name)))
		l.events = append(l.events, "file "+filepath.Base(name)+" in tmp, in new: "+map[bool]string{true: "no", false: "yes"}[inNew != nil])
	case filepath.Base(name) == "new":
		entries, _ := os.ReadDir(name)
		var names string
		for _, e := range entries {
			names += " " + e.Name()
		}
		l.events = append(l.events, "dir new holding"+names)
	default:
		l.events = append(l.events, "dir "+filepath.Base(name)) // a directory created for a new Maildir
	}
	if l.fail {
		return errors.New("disk on fire")
	}
	return f.Sync()
}

func (l *syncLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events
	l.events = nil
	return ev
}

// TestMaildirSyncedBefore250: when the client has its 250, the message is
// in new/, nothing is left in tmp/, the file was synced while in tmp/ and
// new/ was synced after the move (Maildir's protocol; a power cut cannot
// lose it). When a sync fails, the client gets 451, not 250, and no copy
// is left.
func TestMaildirSyncedBefore250(t *testing.T) {
	log := &syncLog{}
	zone, addr, root := startInboundWith(t, log.sync)
	bob := filepath.Join(root, "bob@example.com")
	msg, err := zone.Sign("example.org", message("Alice <alice@example.org>", "durable"))
	require.NoError(t, err)

	require.NoError(t, send(t, addr, demozone.SenderMX, "alice@example.org", "bob@example.com", msg))
	entries, err := os.ReadDir(filepath.Join(bob, "new"))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	name := entries[0].Name()
	tmp, err := os.ReadDir(filepath.Join(bob, "tmp"))
	require.NoError(t, err)
	require.Empty(t, tmp, "nothing left in tmp/")
	ev := log.take()
	require.GreaterOrEqual(t, len(ev), 2, "%q", ev)
	last2 := ev[len(ev)-2:]
	require.Equal(t, []string{"file " + name + " in tmp, in new: no", "dir new holding " + name}, last2,
		"file synced in tmp/, then new/ synced once it holds the file; all syncs: %q", ev)
	require.Contains(t, ev[:len(ev)-2], "dir bob@example.com", "a new Maildir's own directories are synced too")

	// Second delivery into an existing Maildir: exactly two syncs.
	require.NoError(t, send(t, addr, demozone.SenderMX, "alice@example.org", "bob@example.com", msg))
	require.Len(t, log.take(), 2)

	log.mu.Lock()
	log.fail = true
	log.mu.Unlock()
	err = send(t, addr, demozone.SenderMX, "alice@example.org", "bob@example.com", msg)
	var se *smtp.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, 451, se.Code, "no 250 for a message not on disk")
	entries, err = os.ReadDir(filepath.Join(bob, "new"))
	require.NoError(t, err)
	require.Len(t, entries, 2, "the failed copy is not left behind")
	tmp, err = os.ReadDir(filepath.Join(bob, "tmp"))
	require.NoError(t, err)
	require.Empty(t, tmp)
}

// TestMailboxNames: the recipients of -domains (and -users) are accepted
// unless their address cannot name a Maildir folder.
func TestMailboxNames(t *testing.T) {
	m := newMailboxes(t.TempDir(), []string{"example.com"}, nil, nil, nil)
	for rcpt, want := range map[string]int{
		"bob@example.com": 0, "Bob@Example.COM": 0,
		"a/b@example.com": 550, `a\b@example.com`: 550, ".hidden@example.com": 550, "bob@example.net": 550,
	} {
		err := m.Recipient(context.Background(), rcpt)
		if want == 0 {
			require.NoError(t, err, rcpt)
			continue
		}
		var se *smtp.Error
		require.ErrorAs(t, err, &se, rcpt)
		require.Equal(t, want, se.Code, rcpt)
	}
}
