package dkim

import (
	"hash"
	"sync"
)

// bodyHasher canonicalizes a message body as it streams past and hashes the
// result (RFC 6376 §3.4.3, §3.4.4, §3.7). It keeps a few bits of state
// across Write calls (a CR waiting for its LF, a run of WSP, the number of
// empty lines not yet known to be inside the body), so a body can be fed in
// chunks of any size, and memory does not depend on the body length.
//
// A bare LF ends a line just as CRLF does, so files with Unix line endings
// canonicalize like the same message on the wire. A CR not followed by LF
// is ordinary content.
//
// Most of a body passes canonicalization unchanged. A scan (vector
// instructions where the CPU has them, see scan.go) finds the next byte
// that may change or whose fate depends on what follows; everything before
// it goes to the hash as it is, long spans straight from the caller's
// buffer, short ones through a staging buffer so that the hash is fed in
// large blocks. Only the bytes around such a spot go through the byte-wise
// state machine. canon_test.go holds the plain reference implementation
// that the tests and the fuzz target compare this with.
type bodyHasher struct {
	relaxed bool
	h       hash.Hash
	limit   int64 // l= octets to hash; -1: all
	written int64 // octets given to h
	total   int64 // canonical octets produced

	pendingCR   bool  // a CR was seen, its LF may follow
	pendingWSP  bool  // relaxed: WSP seen in the line, not yet emitted
	lineContent bool  // the current line has emitted content
	emptyLines  int64 // empty lines held back (they vanish at the end)
	closed      bool

	stage  *[stageSize + stageSlack]byte // output not yet hashed (from stages)
	nstage int
	digest []byte // final hash, once computed
}

const (
	// scanWindow is how much input is scanned before its clean part is
	// hashed, so that the hash reads bytes the scan just brought into
	// cache.
	scanWindow = 16 << 10
	// stageSize is the staging buffer for short output spans;
	// relaxedAVX2 may write up to stageSlack bytes beyond it.
	stageSize  = 8 << 10
	stageSlack = 64
	// directMin is the span length from which output is hashed straight
	// from the input instead of through the staging buffer.
	directMin = 2 << 10
)

// stages recycles staging buffers, so that a verification allocates none.
var stages = sync.Pool{New: func() any { return new([stageSize + stageSlack]byte) }}

func newBodyHasher(c Canonicalization, h hash.Hash, limit int64) *bodyHasher {
	return &bodyHasher{relaxed: c == Relaxed, h: h, limit: limit}
}

// neutral reports whether nothing is held back: the next byte starts from
// a clean slate.
func (c *bodyHasher) neutral() bool {
	return !c.pendingCR && !c.pendingWSP && c.emptyLines == 0
}

// Write canonicalizes and hashes p. It never fails.
func (c *bodyHasher) Write(p []byte) (int, error) {
	i := 0
	for i < len(p) {
		least := 1 // bytes to run through the state machine
		if c.neutral() {
			if c.relaxed && useAVX2 && i > 0 && len(p)-i >= 96 {
				k := c.vector(p[i-1 : min(len(p), i-1+scanWindow)])
				i += k
				if i < len(p) && p[i] == '\n' && p[i-1] != '\r' {
					// It stopped at a bare LF: a line end, as CRLF.
					c.step('\n')
					i++
					continue
				}
				if k > 0 {
					continue
				}
				least = 32 // past whatever stopped it
			} else if k := c.clean(p[i:min(len(p), i+scanWindow)]); k > 0 {
				c.pass(p[i : i+k])
				c.lineContent = p[i+k-1] != '\n'
				i += k
				continue
			}
		}
		// Byte by byte, until the state is neutral again.
		for end := min(len(p), i+least); i < len(p); {
			c.step(p[i])
			i++
			if i >= end && c.neutral() {
				break
			}
		}
	}
	return len(p), nil
}

// vector runs relaxedAVX2 over src[1:], its output going to the staging
// buffer, and returns how many bytes of src[1:] it consumed. src[0] is
// the byte consumed last.
func (c *bodyHasher) vector(src []byte) int {
	if c.stage == nil {
		c.stage = stages.Get().(*[stageSize + stageSlack]byte)
	} else if c.nstage > stageSize-1024 {
		c.flushStage()
	}
	w0, lc0 := c.nstage, c.lineContent
	s, w := relaxedAVX2(c.stage[w0:], src)
	o1 := w0 + w
	if s > 1 && src[s-1] == '\r' {
		// Leave a CR to the state machine with the LF after it.
		s--
		o1--
	}
	if s <= 1 {
		return 0
	}
	// Empty lines at the end of the output are held back: they vanish
	// if the body ends there. Every LF of the output ends a CRLF.
	for o1-w0 >= 2 && c.stage[o1-1] == '\n' {
		if o1-2 == w0 && lc0 || o1-2 > w0 && c.stage[o1-3] != '\n' {
			break
		}
		o1 -= 2
		c.emptyLines++
	}
	if o1 > w0 {
		c.lineContent = c.stage[o1-1] != '\n'
	}
	c.nstage = o1
	return s - 1
}

// clean returns the length of a prefix of b that canonicalization leaves
// unchanged when it starts from a neutral state, and after which the
// state is neutral again (0 when there is none). The prefix ends before
// the first byte that may change (see scanRelaxed, scanSimple) and is cut
// back so that it does not end in a CR whose LF may follow or in empty
// lines, which vanish at the end of the body.
func (c *bodyHasher) clean(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	// The first byte: its predecessor is not in b. A line end here may
	// end an empty line.
	switch b[0] {
	case '\r', '\n':
		return 0
	case '\t':
		if c.relaxed {
			return 0
		}
	case ' ':
		if c.relaxed && b[1] <= ' ' {
			return 0
		}
	}
	var k int
	if c.relaxed {
		k = scanRelaxed(b)
	} else {
		k = scanSimple(b)
	}
	if b[k-1] == '\r' {
		k--
	}
	if b[k-1] == '\n' {
		// Every LF at index >= 1 of the prefix follows a CR, and b[0] is
		// no line end, so k >= 3 here. Drop empty lines at the end.
		for k >= 3 && b[k-3] == '\n' {
			k -= 2
		}
	}
	return k
}

// pass hashes output that is the input unchanged.
func (c *bodyHasher) pass(p []byte) {
	if len(p) >= directMin {
		c.flushStage()
		c.emit(p)
		return
	}
	for len(p) > 0 {
		if c.stage == nil {
			c.stage = stages.Get().(*[stageSize + stageSlack]byte)
		} else if c.nstage >= stageSize {
			c.flushStage()
		}
		k := copy(c.stage[c.nstage:stageSize], p)
		c.nstage += k
		p = p[k:]
	}
}

// step runs the byte-wise state machine for one input byte.
func (c *bodyHasher) step(ch byte) {
	if c.pendingCR {
		c.pendingCR = false
		if ch == '\n' {
			c.endLine()
			return
		}
		c.content('\r')
	}
	switch ch {
	case '\r':
		c.pendingCR = true
	case '\n':
		c.endLine()
	case ' ', '\t':
		if c.relaxed {
			c.pendingWSP = true
		} else {
			c.content(ch)
		}
	default:
		c.content(ch)
	}
}

// content emits one content byte, preceded by the empty lines and the
// whitespace held back before it.
func (c *bodyHasher) content(ch byte) {
	if c.emptyLines > 0 {
		c.flushEmptyLines()
	}
	if c.pendingWSP {
		c.pendingWSP = false
		c.put(' ')
	}
	c.put(ch)
	c.lineContent = true
}

func (c *bodyHasher) endLine() {
	c.pendingWSP = false // relaxed: WSP at the end of a line is ignored
	if c.lineContent {
		c.put('\r')
		c.put('\n')
		c.lineContent = false
	} else {
		c.emptyLines++
	}
}

// Close completes the body: a last line without CRLF gets one, empty lines
// at the end are dropped, and an empty body is CRLF under simple.
func (c *bodyHasher) Close() {
	if c.closed {
		return
	}
	c.closed = true
	if c.pendingCR {
		c.pendingCR = false
		c.content('\r')
	}
	if c.lineContent || c.pendingWSP {
		if c.emptyLines > 0 {
			c.flushEmptyLines()
		}
		if c.pendingWSP {
			c.pendingWSP = false
			c.put(' ')
		}
		c.put('\r')
		c.put('\n')
		c.lineContent = false
	}
	c.flushStage()
	if c.stage != nil {
		stages.Put(c.stage)
		c.stage = nil
	}
	if !c.relaxed && c.total == 0 {
		c.emit(crlfs[:2])
	}
	c.emptyLines = 0
}

var crlfs = []byte("\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n" +
	"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n")

func (c *bodyHasher) flushEmptyLines() {
	for c.emptyLines > 0 {
		k := min(c.emptyLines, int64(len(crlfs)/2))
		c.pass(crlfs[:2*k])
		c.emptyLines -= k
	}
}

func (c *bodyHasher) put(ch byte) {
	if c.stage == nil {
		c.stage = stages.Get().(*[stageSize + stageSlack]byte)
	} else if c.nstage >= stageSize {
		c.flushStage()
	}
	c.stage[c.nstage] = ch
	c.nstage++
}

func (c *bodyHasher) flushStage() {
	if c.nstage > 0 {
		k := c.nstage
		c.nstage = 0
		c.emit(c.stage[:k])
	}
}

// emit hashes canonical output, honouring the l= limit.
func (c *bodyHasher) emit(p []byte) {
	c.total += int64(len(p))
	if c.limit >= 0 {
		room := c.limit - c.written
		if room <= 0 {
			return
		}
		if int64(len(p)) > room {
			p = p[:room]
		}
	}
	c.h.Write(p)
	c.written += int64(len(p))
}
