package smtp

import (
	"sync"
	"time"
)

// srvWatchDelay is how long a Session call may run before the server
// starts watching the connection for the client going away (up to
// twice that, see connWatch).
const srvWatchDelay = 50 * time.Millisecond

// connWatch notices a client that disconnects while a Session method is
// busy (a slow lookup, a content scan) and cancels the session's
// context then, instead of at the next read. Only a failed connection
// (a reset) counts as gone: end of input (the client half-closed) is
// remembered, and the commands already read are still answered. The
// watch is a read in a second goroutine, started only when the call
// outlasts srvWatchDelay and only while the server itself is not
// reading; whatever it reads is handed back to the connection's buffer
// afterwards.
//
// The timer is not reset and stopped around every call, which would cost
// two timer updates per call, three times per message: it is set for a
// call when it is not already running, and stays set after the call.
// When it fires and another call is running than the one it was set
// for, it is set again for that call; so a call is watched after
// srvWatchDelay to twice that.
type connWatch struct {
	mu       sync.Mutex
	timer    *time.Timer
	armed    bool   // a Session call is running
	calls    uint64 // Session calls watched so far
	timed    uint64 // the call the timer was set for
	pending  bool   // the timer is set and has not fired
	active   bool   // the watching read is running
	stopping bool   // the read is being interrupted on purpose
	done     chan struct{}
	buf      [wireSmallRead]byte
	n        int
	err      error
}

// watchStart arms the watch around a Session call. Nothing is watched
// when input is already buffered: the client is evidently still there.
func (c *Conn) watchStart() {
	if len(c.rd.buffered()) > 0 || c.rd.err != nil {
		return
	}
	w := &c.watch
	w.mu.Lock()
	w.calls++
	w.armed = true
	if !w.pending {
		w.pending = true
		w.timed = w.calls
		if w.timer == nil {
			w.timer = time.AfterFunc(srvWatchDelay, c.watchRun)
		} else {
			w.timer.Reset(srvWatchDelay)
		}
	}
	w.mu.Unlock()
}

// watchRun is the watching read (in the timer's goroutine).
func (c *Conn) watchRun() {
	w := &c.watch
	w.mu.Lock()
	w.pending = false
	if !w.armed || w.active {
		w.mu.Unlock()
		return
	}
	if w.timed != w.calls {
		// The call the timer was set for has ended; give the one
		// running now its own delay.
		w.pending = true
		w.timed = w.calls
		w.timer.Reset(srvWatchDelay)
		w.mu.Unlock()
		return
	}
	w.active = true
	w.done = make(chan struct{})
	w.n, w.err = 0, nil
	w.mu.Unlock()

	n, err := c.rd.src.Read(w.buf[:])

	w.mu.Lock()
	w.n, w.err = n, err
	if err != nil && n == 0 && !w.stopping && !isTimeout(err) && !isEndOfInput(err) {
		// The client went away (a reset, a failed connection). End of
		// input is not that: a client that shut down its sending side
		// (shutdown(SHUT_WR)) still waits for its replies.
		c.gone.Store(true)
		c.cancel()
	}
	w.active = false
	close(w.done)
	w.mu.Unlock()
}

// watchStop ends the watch after the Session call returns, and gives any
// input the watching read got to the connection's buffer.
func (c *Conn) watchStop() {
	w := &c.watch
	w.mu.Lock()
	if !w.armed {
		w.mu.Unlock()
		return
	}
	w.armed = false
	active, done := w.active, w.done
	if active {
		w.stopping = true
		c.setReadDeadline(time.Unix(1, 0))
	}
	w.mu.Unlock()
	if !active {
		if done != nil {
			// A watching read finished on its own during the call.
			c.watchCollect()
		}
		return
	}
	<-done
	w.mu.Lock()
	w.stopping = false
	w.mu.Unlock()
	c.watchCollect()
}

// watchCollect moves the result of a finished watching read into the
// connection's reader.
func (c *Conn) watchCollect() {
	w := &c.watch
	w.mu.Lock()
	n, err := w.n, w.err
	w.n, w.err, w.done = 0, nil, nil
	w.mu.Unlock()
	if n > 0 {
		// Watching only happens with nothing buffered.
		c.rd.acquire()
		c.rd.r, c.rd.w = 0, copy(c.rd.buf, w.buf[:n])
	}
	if n == 0 && err != nil && !isTimeout(err) {
		c.rd.err = err
	}
}
