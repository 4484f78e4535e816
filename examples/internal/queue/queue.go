// Package queue is the in-memory outgoing mail queue of the examples: it
// delivers each message with an outbound.Deliverer, retries recipients that
// failed temporarily with growing delays (RFC 5321 §4.5.4.1), and sends a
// bounce to the envelope sender for recipients that failed for good or for
// too long. Messages are lost when the program stops: a real MTA keeps its
// queue on disk.
package queue

import (
	"context"
	"fmt"
	"log/slog"
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

// Deliverer makes one delivery attempt; *outbound.Deliverer is one.
type Deliverer interface {
	Deliver(ctx context.Context, from string, to []string, msg []byte) []outbound.Status
}

// Queue holds messages until they are delivered or bounced.
type Queue struct {
	Deliverer Deliverer
	Hostname  string          // this host, the Reporting-MTA of bounces
	Backoff   []time.Duration // nil: DefaultBackoff
	MaxAge    time.Duration   // 0: DefaultMaxAge
	Logger    *slog.Logger    // nil: no logging
	// Done, when set, is called after every delivery attempt of a message
	// with the recipients' statuses (tests and narration).
	Done func(it *Item, st []outbound.Status)

	mu     sync.Mutex
	items  []*Item
	wake   chan struct{}
	nextID int
}

// Item is one queued message.
type Item struct {
	ID       string
	From     string   // "" for a bounce
	To       []string // recipients still to do
	Data     []byte
	Queued   time.Time
	Attempts int
	NextTry  time.Time
}

// Enqueue adds a message for immediate delivery and returns its ID.
func (q *Queue) Enqueue(from string, to []string, data []byte) string {
	q.mu.Lock()
	q.nextID++
	now := time.Now()
	it := &Item{ID: fmt.Sprintf("Q%d.%d", now.Unix(), q.nextID), From: from,
		To: append([]string(nil), to...), Data: data, Queued: now, NextTry: now}
	q.items = append(q.items, it)
	q.mu.Unlock()
	q.signal()
	return it.ID
}

// Len returns the number of queued messages.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

func (q *Queue) signal() {
	q.mu.Lock()
	if q.wake == nil {
		q.wake = make(chan struct{}, 1)
	}
	ch := q.wake
	q.mu.Unlock()
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Run delivers messages as they become due, until ctx ends.
func (q *Queue) Run(ctx context.Context) {
	q.signal() // creates the wake channel
	for {
		due, wait := q.due()
		for _, it := range due {
			q.attempt(ctx, it)
		}
		if len(due) > 0 {
			continue
		}
		timer := time.NewTimer(wait)
		q.mu.Lock()
		wake := q.wake
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// due takes the items whose time has come out of the queue, and says how
// long until the next one.
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
	q.items = kept
	return due, wait
}

// attempt tries one delivery of it and requeues or bounces what is left.
func (q *Queue) attempt(ctx context.Context, it *Item) {
	it.Attempts++
	statuses := q.Deliverer.Deliver(ctx, it.From, it.To, it.Data)
	if q.Done != nil {
		q.Done(it, statuses)
	}
	var retry []string
	var failed []bounce.Failure
	expired := time.Since(it.Queued) >= q.maxAge()
	for _, st := range statuses {
		switch {
		case st.Err == nil:
			q.log().Info("delivered", "id", it.ID, "to", st.Recipient, "host", st.Host)
		case st.Permanent || expired:
			q.log().Warn("failed", "id", it.ID, "to", st.Recipient, "err", st.Err)
			failed = append(failed, bounce.Failure{Recipient: st.Recipient, RemoteMTA: st.Host, Err: st.Err})
		default:
			q.log().Info("deferred", "id", it.ID, "to", st.Recipient, "attempt", it.Attempts, "err", st.Err)
			retry = append(retry, st.Recipient)
		}
	}
	if len(failed) > 0 && it.From != "" { // never bounce a bounce (RFC 5321 §6.1)
		b := bounce.Report{ReportingMTA: q.Hostname, To: it.From, Failures: failed, Original: it.Data}
		id := q.Enqueue("", []string{it.From}, b.Message())
		q.log().Info("bounce queued", "id", id, "to", it.From, "for", it.ID)
	}
	if len(retry) > 0 && ctx.Err() == nil {
		it.To = retry
		it.NextTry = time.Now().Add(q.delay(it.Attempts))
		q.mu.Lock()
		q.items = append(q.items, it)
		q.mu.Unlock()
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
