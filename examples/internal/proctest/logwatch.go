package proctest

import (
	"bytes"
	"regexp"
	"sync"
)

// logWatch is a process's stderr: it keeps the log and sends the first
// line that matches its pattern to found.
type logWatch struct {
	re      *regexp.Regexp
	found   chan string
	mu      sync.Mutex
	buf     bytes.Buffer
	partial []byte
	matched bool
}

func newLogWatch(re *regexp.Regexp) *logWatch {
	return &logWatch{re: re, found: make(chan string, 1)}
}

// Write keeps whole lines and looks for the pattern in each.
func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := w.partial[:i+1]
		w.buf.Write(line)
		if m := w.re.FindSubmatch(line); m != nil && !w.matched {
			w.matched = true
			if len(m) > 1 {
				m = m[1:]
			}
			w.found <- string(m[0])
		}
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

// String returns the whole lines written so far.
func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
