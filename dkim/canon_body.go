package dkim

import (
	"encoding/binary"
	"hash"
	"math/bits"
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
// Most input is copied to the hash straight from the caller's buffer: a
// word-at-a-time scan finds the longest prefix whose canonical form is the
// input itself, and only the bytes around whitespace runs, line ends and
// empty lines go through the byte-wise state machine.
type bodyHasher struct {
	relaxed bool
	sha1    bool // the hash is SHA-1 (rsa-sha1, evaluated only to be refused)
	h       hash.Hash
	limit   int64 // l= octets to hash; -1: all
	written int64 // octets given to h
	total   int64 // canonical octets produced

	pendingCR   bool  // a CR was seen, its LF may follow
	pendingWSP  bool  // relaxed: WSP seen in the line, not yet emitted
	lineContent bool  // the current line has emitted content
	emptyLines  int64 // empty lines held back (they vanish at the end)
	closed      bool

	out    [512]byte // scratch for the byte-wise path
	digest []byte    // final hash, once computed
	nout   int
}

func newBodyHasher(c Canonicalization, h hash.Hash, limit int64) *bodyHasher {
	return &bodyHasher{relaxed: c == Relaxed, h: h, limit: limit}
}

// scanWindow is how much input is scanned before its safe part is hashed.
const scanWindow = 16 << 10

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// below21 has the top bit of each byte set where the byte of w is < 0x21.
func below21(w uint64) uint64 {
	return ^(((w &^ msb) + (0x80-0x21)*lsb) | w) & msb
}

// eqMask has the top bit of each byte set where the byte of w equals c.
func eqMask(w uint64, c byte) uint64 {
	y := w ^ (uint64(c) * lsb)
	return ^(((y &^ msb) + 0x7f*lsb) | y) & msb
}

// hasBelow0E reports whether some byte of w is < 0x0E (CR, LF, TAB or
// another control character).
func hasBelow0E(w uint64) bool {
	return (w-0x0e*lsb)&^w&msb != 0
}

// afterLineEnd continues after the word at b[i:] whose line ends (mask lf)
// were found safe. When the line that just ended is as long as the one
// before it, following lines of that same length are checked in one go
// (base64 bodies are made of equal lines): see sameLengthLines. It
// returns the next scan position and the start of the newest line.
func afterLineEnd(b []byte, i int, lf uint64, lineStart int, k uint64) (int, int) {
	if lf == 0 {
		return i + 8, lineStart
	}
	start := i + (63-bits.LeadingZeros64(lf))/8 + 1 // after the last LF in the word
	next := start
	if lineStart >= 0 {
		next = sameLengthLines(b, start, start-lineStart, k)
	}
	return max(i+8, next), next
}

// sameLengthLines returns how far lines of length l (CRLF included),
// starting at s, pass unchanged: each line's content has no byte below k
// (0x21 for relaxed: no WSP; 0x0e for simple: no CR, LF, TAB), ends in
// CRLF and is followed by a byte that starts a non-empty line.
func sameLengthLines(b []byte, s, l int, k uint64) int {
	n := len(b)
	for l >= 3 && s+l < n {
		e := s + l - 2 // the CR
		if b[e] != '\r' || b[e+1] != '\n' {
			return s
		}
		if c := b[e+2]; c == '\r' || c == '\n' || k == 0x21 && c <= ' ' {
			return s
		}
		j := s
		for ; j+16 <= e; j += 16 {
			if hasBelowX2(binary.LittleEndian.Uint64(b[j:]), binary.LittleEndian.Uint64(b[j+8:]), k) {
				return s
			}
		}
		switch {
		case j == e:
		case e-s >= 8:
			// The rest (under 16 bytes) as two 8-byte loads, the second
			// one ending at e; they may overlap each other and what was
			// already checked.
			a := j
			if e-j < 8 {
				a = e - 8
			}
			if hasBelowX2(binary.LittleEndian.Uint64(b[a:]), binary.LittleEndian.Uint64(b[e-8:]), k) {
				return s
			}
		default:
			for ; j < e; j++ {
				if uint64(b[j]) < k {
					return s
				}
			}
		}
		s += l
	}
	return s
}

// hasBelowX2 reports whether some byte of w1 or w2 is below k (k <= 0x80).
func hasBelowX2(w1, w2, k uint64) bool {
	return ((w1-k*lsb)&^w1|(w2-k*lsb)&^w2)&msb != 0
}

// hasBelow21x2 reports whether some byte of w1 or w2 is < 0x21 (an
// existence test: cheaper than below21, which locates the bytes).
func hasBelow21x2(w1, w2 uint64) bool {
	return ((w1-0x21*lsb)&^w1|(w2-0x21*lsb)&^w2)&msb != 0
}

// hasBelow0E2 is hasBelow0E for two words.
func hasBelow0E2(w1, w2 uint64) bool {
	return ((w1-0x0e*lsb)&^w1|(w2-0x0e*lsb)&^w2)&msb != 0
}

// safeRelaxed returns the length of the longest prefix of b that relaxed
// canonicalization passes through unchanged, starting from a neutral state
// (no CR, WSP or empty lines pending): no TAB, no SP followed by WSP or a
// line end, every line end a CRLF after content and followed by a line that
// is not empty. Bytes at the end of b whose fate depends on what follows
// are left out.
func safeRelaxed(b []byte) int {
	n, i := len(b), 0
	lineStart := -1 // start of the last line seen to begin, -1: none
	for i < n {
		if i+8 <= n {
			w := binary.LittleEndian.Uint64(b[i:])
			low := below21(w)
			if low == 0 {
				i += 8
				// A run without whitespace (base64, say): go on 16
				// bytes at a time.
				for i+16 <= n && !hasBelow21x2(binary.LittleEndian.Uint64(b[i:]), binary.LittleEndian.Uint64(b[i+8:])) {
					i += 16
				}
				continue
			}
			sp := eqMask(w, ' ')
			if low == sp {
				// Only spaces: each must be followed by a byte > SP.
				if sp&(low>>8) == 0 && (sp>>63 == 0 || i+8 < n && b[i+8] > ' ') {
					i += 8
					continue
				}
			} else {
				// Line ends (inlined relaxedWordSafe: this runs once per
				// line).
				cr, lf := eqMask(w, '\r'), eqMask(w, '\n')
				if low == sp|cr|lf && lf == cr<<8 && cr&(0x80|1<<63) == 0 &&
					(low>>8)&(sp|lf) == 0 && (low<<8)&cr == 0 &&
					((sp|lf)>>63 == 0 || i+8 < n && b[i+8] > ' ') {
					i, lineStart = afterLineEnd(b, i, lf, lineStart, 0x21)
					continue
				}
			}
		}
		end := min(i+8, n)
		for ; i < end; i++ {
			c := b[i]
			if c > ' ' {
				continue
			}
			switch c {
			case ' ':
				if i+1 < n && b[i+1] > ' ' {
					continue
				}
				return i
			case '\t':
				return i
			case '\r':
				// CRLF ending a line with content, followed by a line that
				// is not empty: both bytes pass.
				if i > 0 && b[i-1] != '\n' && i+2 < n && b[i+1] == '\n' && b[i+2] != '\r' && b[i+2] != '\n' {
					i++
					continue
				}
				return i
			case '\n':
				return i
			}
		}
	}
	return n
}

// safeSimple is safeRelaxed for simple canonicalization, where only line
// ends and empty lines need care.
func safeSimple(b []byte) int {
	n, i := len(b), 0
	lineStart := -1
	for i < n {
		for i+16 <= n && !hasBelow0E2(binary.LittleEndian.Uint64(b[i:]), binary.LittleEndian.Uint64(b[i+8:])) {
			i += 16
		}
		if i+8 <= n {
			w := binary.LittleEndian.Uint64(b[i:])
			if !hasBelow0E(w) {
				i += 8
				continue
			}
			// Line ends (inlined simpleWordSafe): every CR preceded by a
			// byte other than LF and followed by LF, every LF followed by
			// a byte other than CR and LF.
			cr, lf := eqMask(w, '\r'), eqMask(w, '\n')
			if lf == cr<<8 && cr&(0x80|1<<63) == 0 && (lf<<8)&cr == 0 && ((cr|lf)>>8)&lf == 0 &&
				(lf>>63 == 0 || i+8 < n && b[i+8] != '\r' && b[i+8] != '\n') {
				i, lineStart = afterLineEnd(b, i, lf, lineStart, 0x0e)
				continue
			}
		}
		end := min(i+8, n)
		for ; i < end; i++ {
			switch b[i] {
			case '\r':
				// CRLF ending a line with content, followed by a line that
				// is not empty: both bytes pass.
				if i > 0 && b[i-1] != '\n' && i+2 < n && b[i+1] == '\n' && b[i+2] != '\r' && b[i+2] != '\n' {
					i++
					continue
				}
				return i
			case '\n':
				return i
			}
		}
	}
	return n
}

// Write canonicalizes and hashes p. It never fails.
func (c *bodyHasher) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if !c.pendingCR && !c.pendingWSP && c.emptyLines == 0 {
			// Scan and hash in cache-sized windows, so the hash reads
			// bytes the scan just brought into cache.
			win := p[:min(len(p), scanWindow)]
			var k int
			if c.relaxed {
				k = safeRelaxed(win)
			} else {
				k = safeSimple(win)
			}
			if k > 0 {
				c.flushOut()
				c.emit(p[:k])
				c.lineContent = p[k-1] != '\n'
				p = p[k:]
				if len(p) == 0 {
					break
				}
			}
		}
		k := min(len(p), 8)
		for _, ch := range p[:k] {
			c.step(ch)
		}
		p = p[k:]
	}
	c.flushOut()
	return n, nil
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
	c.flushOut()
	if !c.relaxed && c.total == 0 {
		c.emit(crlfs[:2])
	}
	c.emptyLines = 0
}

var crlfs = []byte("\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n" +
	"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n")

func (c *bodyHasher) flushEmptyLines() {
	c.flushOut()
	for c.emptyLines > 0 {
		k := min(c.emptyLines, int64(len(crlfs)/2))
		c.emit(crlfs[:2*k])
		c.emptyLines -= k
	}
}

func (c *bodyHasher) put(ch byte) {
	if c.nout == len(c.out) {
		c.flushOut()
	}
	c.out[c.nout] = ch
	c.nout++
}

func (c *bodyHasher) flushOut() {
	if c.nout > 0 {
		k := c.nout
		c.nout = 0
		c.emit(c.out[:k])
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
