package spf

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestEvalContext: the evaluation context honours the context contract:
// Done closes at the deadline, on release and with the parent.
func TestEvalContext(t *testing.T) {
	c := newEvalContext(ctx, time.Now().Add(time.Hour))
	assert.NoError(t, c.Err())
	d, ok := c.Deadline()
	assert.True(t, ok)
	assert.WithinDuration(t, time.Now().Add(time.Hour), d, time.Minute)
	done := c.Done()
	select {
	case <-done:
		t.Fatal("done too early")
	default:
	}
	c.release()
	<-done
	assert.Error(t, c.Err())

	past := newEvalContext(ctx, time.Now().Add(-time.Second))
	<-past.Done() // closed at once
	assert.ErrorIs(t, past.Err(), context.DeadlineExceeded)
	past.release()

	clock := newEvalContext(ctx, time.Now().Add(time.Hour))
	assert.False(t, clock.expired(time.Now()))
	assert.NoError(t, clock.Err())
	assert.True(t, clock.expired(time.Now().Add(2*time.Hour)))
	assert.ErrorIs(t, clock.Err(), context.DeadlineExceeded)
	<-clock.Done()
	clock.release()

	soon := newEvalContext(ctx, time.Now().Add(10*time.Millisecond))
	<-soon.Done()
	assert.ErrorIs(t, soon.Err(), context.DeadlineExceeded)
	soon.release()

	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(ctx, key{}, "v"))
	pc := newEvalContext(parent, time.Now().Add(time.Hour))
	assert.Equal(t, "v", pc.Value(key{}))
	ch := pc.Done()
	cancel()
	<-ch
	assert.ErrorIs(t, pc.Err(), context.Canceled)
	pc.release()
}
