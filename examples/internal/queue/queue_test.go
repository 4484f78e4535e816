package queue

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/outbound"
	"github.com/mailsmith/mailsmith/smtp"
)

// script answers each recipient by its local part: "ok", "temp" (4yz
// until the third attempt), "later" (4yz forever), anything else 5yz.
type script struct {
	mu       sync.Mutex
	attempts map[string]int
	sent     []string // "from>to" of accepted deliveries
}

func newScript() *script { return &script{attempts: map[string]int{}} }

func (s *script) Deliver(_ context.Context, from string, to []string, _ []byte) []outbound.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := make([]outbound.Status, len(to))
	for i, rcpt := range to {
		s.attempts[rcpt]++
		st[i].Recipient = rcpt
		switch local, _, _ := strings.Cut(rcpt, "@"); {
		case local == "ok", local == "temp" && s.attempts[rcpt] >= 3, local == "alice":
			s.sent = append(s.sent, from+">"+rcpt)
		case local == "temp", local == "later":
			st[i].Err = &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 3, 0}, Message: "later"}
		default:
			st[i].Err, st[i].Permanent = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no"}, true
		}
	}
	return st
}

func (s *script) snapshot() ([]string, map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	att := map[string]int{}
	for k, v := range s.attempts {
		att[k] = v
	}
	return append([]string(nil), s.sent...), att
}

// start runs q until the test ends.
func start(t *testing.T, q *Queue) (stop func()) {
	t.Helper()
	stop = q.Background()
	t.Cleanup(stop)
	return stop
}

func enqueue(t *testing.T, q *Queue, from string, to ...string) string {
	t.Helper()
	id, err := q.Enqueue(from, to, []byte("Subject: x\r\n\r\nx\r\n"))
	require.NoError(t, err)
	return id
}

// spoolFiles lists a spool subdirectory.
func spoolFiles(t *testing.T, dir, sub string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, sub))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestQueue(t *testing.T) {
	d := newScript()
	dir := t.TempDir()
	q := &Queue{Dir: dir, Deliverer: d, Hostname: "mail.example.org", Backoff: Doubling(5*time.Millisecond, 3), MaxAge: 300 * time.Millisecond}
	start(t, q)

	enqueue(t, q, "alice@example.org", "ok@example.com", "temp@example.com", "gone@example.com")
	enqueue(t, q, "alice@example.org", "later@example.net")
	enqueue(t, q, "", "gone@example.net")

	require.Eventually(t, func() bool {
		sent, _ := d.snapshot()
		bounces := 0
		for _, s := range sent {
			if s == ">alice@example.org" {
				bounces++
			}
		}
		return q.Len() == 0 && bounces == 2
	}, 5*time.Second, 5*time.Millisecond)

	sent, attempts := d.snapshot()
	require.Contains(t, sent, "alice@example.org>ok@example.com")
	require.Contains(t, sent, "alice@example.org>temp@example.com")
	require.Equal(t, 3, attempts["temp@example.com"], "retried until it worked")
	require.Equal(t, 1, attempts["gone@example.com"], "permanent: no retry")
	require.Greater(t, attempts["later@example.net"], 1, "retried until MaxAge")
	require.Equal(t, 1, attempts["gone@example.net"], "a failed bounce is dropped, never bounced")
	require.Equal(t, 1, attempts["ok@example.com"])
	require.Empty(t, spoolFiles(t, dir, msgDir), "finished messages leave the spool")
	require.Empty(t, spoolFiles(t, dir, tmpDir))
}

// TestEnqueueIsDurable checks the write protocol: when Enqueue returns, the
// message is in msg/ under its ID, nothing is left in tmp/, and both the
// file and the directory were synced; Open synced the spool directories it
// made.
func TestEnqueueIsDurable(t *testing.T) {
	dir := t.TempDir()
	var synced []string
	q := &Queue{Dir: dir, Deliverer: newScript(), Sync: func(f *os.File) error {
		synced = append(synced, f.Name())
		return nil
	}}
	require.NoError(t, q.Open())
	require.Equal(t, []string{dir}, synced, "Open made tmp/ and msg/ and synced their entries")
	synced = nil
	id := enqueue(t, q, "alice@example.org", "ok@example.com")
	require.Equal(t, []string{id + msgSuffix}, spoolFiles(t, dir, msgDir))
	require.Empty(t, spoolFiles(t, dir, tmpDir))
	require.Len(t, synced, 2, "%q", synced)
	require.Equal(t, filepath.Join(dir, tmpDir), filepath.Dir(synced[0]), "the file is synced before the rename")
	require.Equal(t, filepath.Join(dir, msgDir), synced[1], "then the directory, after it")
	b, err := os.ReadFile(filepath.Join(dir, msgDir, id+msgSuffix))
	require.NoError(t, err)
	env, data, err := splitSpoolFile(b)
	require.NoError(t, err)
	require.Equal(t, "alice@example.org", env.From)
	require.Equal(t, []string{"ok@example.com"}, env.To)
	require.Equal(t, "Subject: x\r\n\r\nx\r\n", string(data))
}

// TestEnqueueFailsWhenSyncFails: a message that cannot be synced is not
// queued (the server then answers 451, not 250), and leaves nothing behind.
func TestEnqueueFailsWhenSyncFails(t *testing.T) {
	dir := t.TempDir()
	q := &Queue{Dir: dir, Deliverer: newScript(), Sync: func(*os.File) error { return errors.New("disk on fire") }}
	_, err := q.Enqueue("alice@example.org", []string{"ok@example.com"}, []byte("x"))
	require.ErrorContains(t, err, "disk on fire")
	require.Empty(t, spoolFiles(t, dir, tmpDir))
	require.Zero(t, q.Len())
}

func TestNoSpoolDirectory(t *testing.T) {
	q := &Queue{Deliverer: newScript()}
	_, err := q.Enqueue("a@example.org", []string{"ok@example.com"}, []byte("x"))
	require.ErrorContains(t, err, "no spool directory")
}

// TestRestart: what one queue accepted, a new queue on the same directory
// delivers; recipients already done are not sent again; attempts carry on.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	d := newScript()
	var attempted atomic.Int32
	q1 := &Queue{Dir: dir, Deliverer: d, Backoff: []time.Duration{time.Hour},
		Done: func(*Item, []outbound.Status) { attempted.Add(1) }}
	mixed := enqueue(t, q1, "alice@example.org", "ok@example.com", "later@example.net")
	stop := start(t, q1)
	require.Eventually(t, func() bool { return attempted.Load() == 1 }, 5*time.Second, 5*time.Millisecond)
	stop()
	// Accepted while nothing delivers, as between a 250 and a crash.
	q0 := &Queue{Dir: dir, Deliverer: d}
	waiting := enqueue(t, q0, "alice@example.org", "ok@example.org")

	q2 := &Queue{Dir: dir, Deliverer: d, Backoff: []time.Duration{time.Hour}}
	require.NoError(t, q2.Open())
	require.Equal(t, 2, q2.Len())
	byID := map[string]*Item{}
	for _, it := range q2.items {
		byID[it.ID] = it
	}
	require.Equal(t, []string{"later@example.net"}, byID[mixed].To, "ok@example.com is done")
	require.Equal(t, 1, byID[mixed].Attempts)
	require.True(t, byID[mixed].NextTry.After(time.Now().Add(30*time.Minute)), "the retry time survives")
	require.Equal(t, []string{"ok@example.org"}, byID[waiting].To)

	start(t, q2)
	require.Eventually(t, func() bool { return q2.Len() == 1 }, 5*time.Second, 5*time.Millisecond)
	_, attempts := d.snapshot()
	require.Equal(t, 1, attempts["ok@example.com"], "not delivered twice")
	require.Equal(t, 1, attempts["ok@example.org"])
	require.Equal(t, 1, attempts["later@example.net"], "its next try is an hour away")
	require.ElementsMatch(t, []string{mixed + msgSuffix, mixed + stSuffix}, spoolFiles(t, dir, msgDir))
}

// TestLoadClearsDebris: files a crash can leave behind are removed at
// start, and a message whose recipients were all done is not sent again.
func TestLoadClearsDebris(t *testing.T) {
	dir := t.TempDir()
	d := newScript()
	q1 := &Queue{Dir: dir, Deliverer: d}
	require.NoError(t, q1.Open())
	finished := &Item{ID: enqueue(t, q1, "alice@example.org", "ok@example.com"), done: []string{"ok@example.com"}}
	require.NoError(t, q1.saveState(finished))
	require.NoError(t, os.WriteFile(filepath.Join(dir, tmpDir, "Qhalf.msg.123"), []byte("half a mess"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, msgDir, "Qgone-1-1"+stSuffix), []byte("{}"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, msgDir, "Qbad-1-1"+msgSuffix), []byte("no envelope"), 0o600))

	q2 := &Queue{Dir: dir, Deliverer: d}
	require.NoError(t, q2.Open())
	require.Zero(t, q2.Len())
	require.Empty(t, spoolFiles(t, dir, tmpDir))
	require.Equal(t, []string{"Qbad-1-1" + msgSuffix}, spoolFiles(t, dir, msgDir), "unreadable files are kept for a human")
	_, attempts := d.snapshot()
	require.Zero(t, attempts["ok@example.com"])
}

// TestStopDoesNotBounce: an attempt cut short by shutdown is not a
// failure: nothing is bounced, the message stays queued, due at once.
func TestStopDoesNotBounce(t *testing.T) {
	dir := t.TempDir()
	blocked := make(chan struct{})
	d := DelivererFunc(func(ctx context.Context, _ string, to []string, _ []byte) []outbound.Status {
		close(blocked)
		<-ctx.Done()
		return []outbound.Status{{Recipient: to[0], Err: ctx.Err(), Permanent: true}}
	})
	var log strings.Builder
	q := &Queue{Dir: dir, Deliverer: d, MaxAge: time.Nanosecond, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	id := enqueue(t, q, "alice@example.org", "ok@example.com")
	stop := q.Background()
	<-blocked
	stop()
	stop() // a second stop does nothing
	require.Contains(t, log.String(), `msg="messages stay queued for the next start" count=1 dir=`+dir)
	require.ElementsMatch(t, []string{id + msgSuffix, id + stSuffix}, spoolFiles(t, dir, msgDir), "no bounce queued")
	q2 := &Queue{Dir: dir}
	require.NoError(t, q2.Open())
	require.Equal(t, 1, q2.Len())
	require.Zero(t, q2.items[0].Attempts)
}

// DelivererFunc adapts a function to Deliverer (tests).
type DelivererFunc func(ctx context.Context, from string, to []string, msg []byte) []outbound.Status

func (f DelivererFunc) Deliver(ctx context.Context, from string, to []string, msg []byte) []outbound.Status {
	return f(ctx, from, to, msg)
}

func TestDoubling(t *testing.T) {
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, Doubling(time.Second, 3))
	require.Nil(t, Doubling(0, 3))
	q := &Queue{Backoff: []time.Duration{time.Second, time.Minute}}
	require.Equal(t, time.Second, q.delay(1))
	require.Equal(t, time.Minute, q.delay(5), "the last delay repeats")
	require.Equal(t, DefaultBackoff[0], (&Queue{}).delay(1))
}

// TestValidID: the IDs newID makes are valid, and no other name in msg/
// is taken for one, so a stray file name never becomes a spool path.
func TestValidID(t *testing.T) {
	require.True(t, validID(newID(time.Now())))
	for _, bad := range []string{"", "Q", "q1-2-3", "QA-1", "Q../x", "Q1 2", "notes"} {
		require.False(t, validID(bad), "%q", bad)
	}
}
