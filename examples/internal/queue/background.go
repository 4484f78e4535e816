package queue

import (
	"context"
	"sync"
)

// Background runs the queue (Run) in a goroutine until stop is called.
// stop ends Run, waits for the attempts in progress, and logs how many
// messages stay in the spool for the next start. Calls of stop after the
// first do nothing.
func (q *Queue) Background() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
			if n := q.Len(); n > 0 {
				q.log().Info("messages stay queued for the next start", "count", n, "dir", q.Dir)
			}
		})
	}
}
