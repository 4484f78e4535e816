package queue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/durable"
)

// The spool directory holds two subdirectories:
//
//	tmp/   files being written; whatever is here at start is debris of a
//	       crash and is removed
//	msg/   <id>.msg: the envelope (one JSON line) and the message, written
//	       once; its presence is what makes a message queued
//	       <id>.state: delivery state (attempts, next try, recipients done
//	       and failed), rewritten after every attempt
//
// Every file is written in tmp/, synced, renamed into msg/, and msg/ is
// synced, so that a crash or a power cut leaves either the old file or the
// new one, never a part (the way Postfix and qmail keep their queues).
const (
	tmpDir    = "tmp"
	msgDir    = "msg"
	msgSuffix = ".msg"
	stSuffix  = ".state"
	// maxEnvelope bounds the envelope line read back from a spool file.
	maxEnvelope = 1 << 20
)

// envelope is the first line of a .msg file.
type envelope struct {
	From   string    `json:"from"`
	To     []string  `json:"to"`
	Queued time.Time `json:"queued"`
}

// state is the content of a .state file.
type state struct {
	Attempts int       `json:"attempts"`
	NextTry  time.Time `json:"next_try"`
	Done     []string  `json:"delivered,omitempty"`
	Failed   []string  `json:"failed,omitempty"` // bounced
}

func (q *Queue) path(id, suffix string) string { return filepath.Join(q.Dir, msgDir, id+suffix) }

// writeFile puts parts into msg/name atomically and durably.
func (q *Queue) writeFile(name string, parts ...[]byte) error {
	f, err := os.CreateTemp(filepath.Join(q.Dir, tmpDir), name+".*")
	if err != nil {
		return err
	}
	return durable.Syncer(q.Sync).Write(f, filepath.Join(q.Dir, msgDir, name), parts...)
}

// store writes a new message to the spool.
func (q *Queue) store(id string, env envelope, data []byte) error {
	line, err := json.Marshal(env)
	if err != nil {
		return err
	}
	return q.writeFile(id+msgSuffix, line, []byte("\n"), data)
}

// saveState records the delivery state of it.
func (q *Queue) saveState(it *Item) error {
	b, err := json.Marshal(state{Attempts: it.Attempts, NextTry: it.NextTry, Done: it.done, Failed: it.failed})
	if err != nil {
		return err
	}
	return q.writeFile(it.ID+stSuffix, b)
}

// discard removes a finished message: the message first, so that a crash
// in between leaves a state file without a message, which load removes,
// and never a message without its state, which would be sent again.
func (q *Queue) discard(id string) error {
	err := os.Remove(q.path(id, msgSuffix))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Remove(q.path(id, stSuffix)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return durable.Syncer(q.Sync).SyncDir(filepath.Join(q.Dir, msgDir))
}

// readData returns the message of id from the spool.
func (q *Queue) readData(id string) ([]byte, error) {
	b, err := os.ReadFile(q.path(id, msgSuffix))
	if err != nil {
		return nil, err
	}
	_, data, err := splitSpoolFile(b)
	return data, err
}

func splitSpoolFile(b []byte) (envelope, []byte, error) {
	var env envelope
	line, data, ok := bytes.Cut(b, []byte("\n"))
	if !ok || len(line) > maxEnvelope {
		return env, nil, errors.New("no envelope line")
	}
	if err := json.Unmarshal(line, &env); err != nil {
		return env, nil, fmt.Errorf("envelope: %w", err)
	}
	return env, data, nil
}

// load creates the spool directories, clears tmp/ and reads every queued
// message with its state.
func (q *Queue) load() ([]*Item, error) {
	if q.Dir == "" {
		return nil, errors.New("queue: no spool directory (Queue.Dir)")
	}
	if err := durable.Syncer(q.Sync).MkdirAll(filepath.Join(q.Dir, tmpDir), filepath.Join(q.Dir, msgDir)); err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	debris, err := os.ReadDir(filepath.Join(q.Dir, tmpDir))
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	for _, e := range debris {
		os.Remove(filepath.Join(q.Dir, tmpDir, e.Name()))
	}
	entries, err := os.ReadDir(filepath.Join(q.Dir, msgDir))
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	var items []*Item
	for _, e := range entries {
		name := e.Name()
		if id, ok := strings.CutSuffix(name, stSuffix); ok && validID(id) {
			if _, err := os.Stat(q.path(id, msgSuffix)); errors.Is(err, fs.ErrNotExist) {
				os.Remove(q.path(id, stSuffix)) // finished: the message went first
			}
			continue
		}
		id, ok := strings.CutSuffix(name, msgSuffix)
		if !ok || !validID(id) {
			continue
		}
		it, err := q.loadItem(id)
		if err != nil {
			q.log().Error("unreadable queue file left in place", "id", id, "err", err)
			continue
		}
		if len(it.To) == 0 { // every recipient was done before a crash
			if err := q.discard(id); err != nil {
				q.log().Error("removing finished message", "id", id, "err", err)
			}
			continue
		}
		items = append(items, it)
	}
	return items, nil
}

// loadItem reads one message's envelope and state.
func (q *Queue) loadItem(id string) (*Item, error) {
	b, err := os.ReadFile(q.path(id, msgSuffix))
	if err != nil {
		return nil, err
	}
	env, _, err := splitSpoolFile(b)
	if err != nil {
		return nil, err
	}
	var st state
	sb, err := os.ReadFile(q.path(id, stSuffix))
	switch {
	case errors.Is(err, fs.ErrNotExist): // never attempted
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(sb, &st); err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
	}
	it := &Item{ID: id, From: env.From, Queued: env.Queued, Attempts: st.Attempts, NextTry: st.NextTry,
		done: st.Done, failed: st.Failed}
	for _, rcpt := range env.To {
		if !contains(st.Done, rcpt) && !contains(st.Failed, rcpt) {
			it.To = append(it.To, rcpt)
		}
	}
	return it, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
