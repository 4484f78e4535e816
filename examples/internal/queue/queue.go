// Package queue is the outgoing mail queue of the examples, kept on disk:
// a message is in the spool directory, synced, before Enqueue returns, so
// a server answers 250 only for mail that survives a crash or a power cut.
// It delivers each message with an outbound.Deliverer, records after every
// attempt which recipients are done, retries those that failed temporarily
// with growing delays (RFC 5321 §4.5.4.1), sends a bounce to the envelope
// sender for recipients that failed for good or for too long, and removes a
// message once every recipient is delivered or bounced. A restart picks up
// every message still queued.
//
// The spool is plain files in Queue.Dir, no database, as Postfix and Exim
// keep theirs:
//
//	tmp/           files being written; cleared at start (crash debris)
//	msg/<id>.msg   the envelope (one JSON line), then the message; written once
//	msg/<id>.state attempts, next try, recipients delivered and bounced
//
// Each file is written in tmp/, synced, renamed into msg/, and msg/ is
// synced. A message is removed, .msg first, once every recipient is done.
// Delivery is at least once: a crash between a remote server's 250 and the
// state update that records it sends that recipient the message again
// after the restart.
package queue

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/bounce"
	"github.com/mailsmith/mailsmith/examples/internal/outbound"
)

// DefaultBackoff is the retry schedule when Queue.Backoff is nil: the delay
// before the 2nd, 3rd, ... attempt; the last value repeats until MaxAge.
var DefaultBackoff = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour}

// DefaultMaxAge is how long a message is retried when Queue.MaxAge is 0
// (RFC 5321 §4.5.4.1 suggests at least 4-5 days).
const DefaultMaxAge = 5 * 24 * time.Hour

// DefaultWorkers is how many deliveries run at once when Queue.Workers is 0.
const DefaultWorkers = 4

// Deliverer makes one delivery attempt; *outbound.Deliverer is one.
type Deliverer interface {
	Deliver(ctx context.Context, from string, to []string, msg []byte) []outbound.Status
}

// Queue holds messages in a spool directory until they are delivered or
// bounced. Set Dir and Deliverer, call Open (or let Enqueue and Run do it),
// then Run.
type Queue struct {
	Dir       string // spool directory, created if missing (required)
	Deliverer Deliverer
	Hostname  string          // this host, the Reporting-MTA of bounces
	Backoff   []time.Duration // nil: DefaultBackoff
	MaxAge    time.Duration   // 0: DefaultMaxAge
	Workers   int             // deliveries at once; 0: DefaultWorkers
	Logger    *slog.Logger    // nil: no logging
	// Done, when set, is called after every delivery attempt of a message
	// with the recipients' statuses (tests and narration).
	Done func(it *Item, st []outbound.Status)
	// Sync flushes a file or a directory to stable storage; nil means
	// (*os.File).Sync. Tests replace it to count or fail the calls.
	Sync func(f *os.File) error

	openOnce sync.Once
	openErr  error
	mu       sync.Mutex
	items    []*Item // waiting for their next try
	busy     int     // being attempted
	wake     chan struct{}
}

// Item is one queued message.
type Item struct {
	ID       string
	From     string   // "" for a bounce
	To       []string // recipients still to do
	Queued   time.Time
	Attempts int
	NextTry  time.Time

	done, failed []string // recipients delivered, bounced
}

// Open creates the spool directories and loads the messages a previous run
// left queued. It runs once; later calls return the first result.
func (q *Queue) Open() error {
	q.openOnce.Do(func() {
		items, err := q.load()
		q.mu.Lock()
		q.items = append(q.items, items...)
		q.wake = make(chan struct{}, 1)
		q.mu.Unlock()
		if err != nil {
			q.openErr = err
			return
		}
		if len(items) > 0 {
			q.log().Info("queue loaded", "dir", q.Dir, "messages", len(items))
		}
	})
	return q.openErr
}

// Enqueue stores a message for immediate delivery and returns its ID. When
// it returns nil the message is on disk, synced: answer 250 only then.
func (q *Queue) Enqueue(from string, to []string, data []byte) (string, error) {
	if err := q.Open(); err != nil {
		return "", err
	}
	now := time.Now()
	it := &Item{ID: newID(now), From: from, To: append([]string(nil), to...), Queued: now, NextTry: now}
	if err := q.store(it.ID, envelope{From: from, To: it.To, Queued: now}, data); err != nil {
		return "", err
	}
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	q.signal()
	return it.ID, nil
}

// Len returns the number of queued messages.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) + q.busy
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages as they become due, until ctx ends; it returns
// once the attempts in progress have stopped. Messages not finished stay
// in the spool for the next start.
func (q *Queue) Run(ctx context.Context) {
	if err := q.Open(); err != nil {
		q.log().Error("queue not usable", "err", err)
		return
	}
	workers := q.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	slots := make(chan struct{}, workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		due, wait := q.due()
		for i, it := range due {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				q.putBack(due[i:]...)
				return
			}
			wg.Go(func() {
				q.attempt(ctx, it)
				<-slots
				q.signal() // a slot is free
			})
		}
		if len(due) > 0 {
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-q.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// due takes the items whose time has come out of the waiting list, and
// says how long until the next one.
func (q *Queue) due() ([]*Item, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	wait := time.Hour
	var due []*Item
	kept := q.items[:0]
	for _, it := range q.items {
		if !it.NextTry.After(now) {
			due = append(due, it)
			continue
		}
		kept = append(kept, it)
		if d := it.NextTry.Sub(now); d < wait {
			wait = d
		}
	}
	clear(q.items[len(kept):])
	q.items = kept
	q.busy += len(due)
	return due, wait
}

// putBack returns items taken by due to the waiting list.
func (q *Queue) putBack(its ...*Item) {
	q.mu.Lock()
	q.items = append(q.items, its...)
	q.busy -= len(its)
	q.mu.Unlock()
}

// finish ends an attempt of an item that leaves the queue.
func (q *Queue) finish() {
	q.mu.Lock()
	q.busy--
	q.mu.Unlock()
}

// attempt tries one delivery of it, records the outcome in the spool, and
// requeues, bounces or removes it.
func (q *Queue) attempt(ctx context.Context, it *Item) {
	data, err := q.readData(it.ID)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			q.log().Error("message vanished from the spool", "id", it.ID, "err", err)
			q.finish()
			return
		}
		q.log().Error("reading the spool", "id", it.ID, "err", err)
		it.NextTry = time.Now().Add(q.delay(max(it.Attempts, 1)))
		q.putBack(it)
		return
	}
	it.Attempts++
	statuses := q.Deliverer.Deliver(ctx, it.From, it.To, data)
	stopping := ctx.Err() != nil // failures now are ours, not the recipients'
	var retry []string
	var failed []bounce.Failure
	expired := time.Since(it.Queued) >= q.maxAge()
	for _, st := range statuses {
		switch {
		case st.Err == nil:
			it.done = append(it.done, st.Recipient)
			q.log().Info("delivered", "id", it.ID, "to", st.Recipient, "host", st.Host)
		case stopping:
			retry = append(retry, st.Recipient)
		case st.Permanent || expired:
			q.log().Warn("failed", "id", it.ID, "to", st.Recipient, "err", st.Err)
			failed = append(failed, bounce.Failure{Recipient: st.Recipient, RemoteMTA: st.Host, Err: st.Err})
		default:
			q.log().Info("deferred", "id", it.ID, "to", st.Recipient, "attempt", it.Attempts, "err", st.Err)
			retry = append(retry, st.Recipient)
		}
	}
	if stopping {
		it.Attempts-- // an interrupted attempt does not count
	}
	if len(failed) > 0 {
		q.bounce(it, failed, data, &retry)
	}
	it.To = retry
	if q.Done != nil {
		q.Done(it, statuses)
	}
	if len(retry) == 0 {
		if err := q.discard(it.ID); err != nil {
			q.log().Error("removing a finished message from the spool", "id", it.ID, "err", err)
		}
		q.finish()
		return
	}
	if stopping {
		it.NextTry = time.Now()
	} else {
		it.NextTry = time.Now().Add(q.delay(it.Attempts))
	}
	if err := q.saveState(it); err != nil {
		// The spool still has the old state: the recipients done since
		// may get the message again after a restart.
		q.log().Error("saving delivery state", "id", it.ID, "err", err)
	}
	q.putBack(it)
	if !stopping {
		q.signal()
	}
}

// bounce queues a bounce for the failed recipients (never for a bounce,
// RFC 5321 §6.1) and marks them failed; when the bounce cannot be stored,
// they are retried instead, so no failure goes unreported.
func (q *Queue) bounce(it *Item, failed []bounce.Failure, data []byte, retry *[]string) {
	if it.From != "" {
		b := bounce.Report{ReportingMTA: q.Hostname, To: it.From, Failures: failed, Original: data}
		id, err := q.Enqueue("", []string{it.From}, b.Message())
		if err != nil {
			q.log().Error("queueing a bounce", "for", it.ID, "err", err)
			for _, f := range failed {
				*retry = append(*retry, f.Recipient)
			}
			return
		}
		q.log().Info("bounce queued", "id", id, "to", it.From, "for", it.ID)
	}
	for _, f := range failed {
		it.failed = append(it.failed, f.Recipient)
	}
}

// delay is the wait after the given number of attempts.
func (q *Queue) delay(attempts int) time.Duration {
	b := q.Backoff
	if b == nil {
		b = DefaultBackoff
	}
	if len(b) == 0 {
		return time.Minute
	}
	if attempts > len(b) {
		attempts = len(b)
	}
	if attempts < 1 {
		attempts = 1
	}
	return b[attempts-1]
}

func (q *Queue) maxAge() time.Duration {
	if q.MaxAge > 0 {
		return q.MaxAge
	}
	return DefaultMaxAge
}

func (q *Queue) log() *slog.Logger {
	if q.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return q.Logger
}

// Doubling returns a retry schedule of n delays starting at first and
// doubling each time; nil (DefaultBackoff) when first is not positive.
func Doubling(first time.Duration, n int) []time.Duration {
	if first <= 0 {
		return nil
	}
	b := make([]time.Duration, 0, n)
	for d := first; len(b) < n; d *= 2 {
		b = append(b, d)
	}
	return b
}
