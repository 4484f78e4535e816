package queue

import (
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

var idSeq atomic.Uint64

// newID returns a queue ID unique across restarts: time, process, counter.
func newID(now time.Time) string {
	return "Q" + strconv.FormatInt(now.UnixNano(), 36) + "-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(idSeq.Add(1), 36)
}

// validID accepts the IDs newID makes, so a stray file name never becomes a
// path outside the spool.
func validID(id string) bool {
	if len(id) < 2 || id[0] != 'Q' {
		return false
	}
	for _, c := range id[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}
