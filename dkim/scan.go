package dkim

import (
	"encoding/binary"
	"math/bits"
)

// The scans below find where body canonicalization may change the input
// (RFC 6376 §3.4.3, §3.4.4). Each looks at the positions 1 to len(b)-2 of
// b, so that every position has a byte before and after it inside b, and
// returns the first position that may change, or len(b)-1 when none does.
// A position i may change when
//
//   - simple and relaxed: b[i] is LF and b[i-1] is not CR (a bare LF
//     becomes CRLF);
//   - relaxed also: b[i] is TAB (WSP becomes SP), or b[i] is SP and
//     b[i+1] is SP, TAB, CR, LF or another byte below 0x21 (a run of WSP
//     shrinks to one SP, WSP before a line end vanishes).
//
// Empty lines pass unchanged inside the body; bodyHasher.clean takes care
// of the ones at the end of what it hashes. On amd64 with AVX2 a vector
// loop does the bulk of the work (scan_amd64.s); the word-at-a-time loops
// here do the rest, and all of it elsewhere.

// scanSimple is the scan for simple canonicalization; len(b) >= 2.
func scanSimple(b []byte) int {
	i := 1
	if useAVX2 && len(b) >= 64 {
		i = scanSimpleAVX2(b)
	}
	return scanSimpleWords(b, i)
}

// scanRelaxed is the scan for relaxed canonicalization; len(b) >= 2.
func scanRelaxed(b []byte) int {
	i := 1
	if useAVX2 && len(b) >= 64 {
		i = scanRelaxedAVX2(b)
	}
	return scanRelaxedWords(b, i)
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

func load64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }

// eqMask has the top bit of each byte set where the byte of w equals c.
func eqMask(w uint64, c byte) uint64 {
	y := w ^ (uint64(c) * lsb)
	return ^(((y &^ msb) + 0x7f*lsb) | y) & msb
}

// hasByte reports whether some byte of w equals c.
func hasByte(w uint64, c byte) bool {
	y := w ^ (uint64(c) * lsb)
	return (y-lsb)&^y&msb != 0
}

// hasByte2 reports whether some byte of w1 or w2 equals c.
func hasByte2(w1, w2 uint64, c byte) bool {
	y1, y2 := w1^(uint64(c)*lsb), w2^(uint64(c)*lsb)
	return ((y1-lsb)&^y1|(y2-lsb)&^y2)&msb != 0
}

// hasBelow21x2 reports whether some byte of w1 or w2 is below 0x21.
func hasBelow21x2(w1, w2 uint64) bool {
	return ((w1-0x21*lsb)&^w1|(w2-0x21*lsb)&^w2)&msb != 0
}

// below21 has the top bit of each byte set where the byte of w is < 0x21.
func below21(w uint64) uint64 {
	return ^(((w &^ msb) + (0x80-0x21)*lsb) | w) & msb
}

// scanSimpleWords scans b from position i (>= 1) on, eight or sixteen
// bytes at a time.
func scanSimpleWords(b []byte, i int) int {
	n := len(b)
	lineStart := -1 // start of the line being scanned, -1: not known
	for i+8 < n {
		w := load64(b, i)
		if !hasByte(w, '\n') {
			// Sixteen bytes at a time while there is no LF.
			for i += 8; i+16 < n && !hasByte2(load64(b, i), load64(b, i+8), '\n'); i += 16 {
			}
			continue
		}
		lf := eqMask(w, '\n')
		if bad := lf &^ eqMask(load64(b, i-1), '\r'); bad != 0 {
			return i + bits.TrailingZeros64(bad)/8
		}
		i, lineStart = afterLineEnd(b, i, lf, lineStart, false)
	}
	for ; i < n-1; i++ {
		if b[i] == '\n' && b[i-1] != '\r' {
			return i
		}
	}
	return max(n-1, 1)
}

// scanRelaxedWords scans b from position i (>= 1) on, eight or sixteen
// bytes at a time.
func scanRelaxedWords(b []byte, i int) int {
	n := len(b)
	lineStart := -1 // start of the line being scanned, -1: not known
	for i+8 < n {
		w := load64(b, i)
		low := below21(w)
		if low == 0 {
			// Sixteen bytes at a time while there is no byte below
			// 0x21 (base64, say).
			for i += 8; i+16 < n && !hasBelow21x2(load64(b, i), load64(b, i+8)); i += 16 {
			}
			continue
		}
		sp := eqMask(w, ' ')
		if low == sp {
			// Text: single spaces, each before a byte above SP, pass.
			if sp&(low>>8) == 0 && (sp>>63 == 0 || b[i+8] > ' ') {
				i += 8
				continue
			}
		} else {
			// Line ends: the only bytes below 0x21 are SP before a byte
			// above SP, CR, and LF after CR.
			cr, lf := eqMask(w, '\r'), eqMask(w, '\n')
			next, prevCR := low>>8, cr<<8
			if b[i+8] <= ' ' {
				next |= 1 << 63
			}
			if b[i-1] == '\r' {
				prevCR |= 0x80
			}
			if low&^(sp|cr|lf) == 0 && sp&next == 0 && lf&^prevCR == 0 {
				i, lineStart = afterLineEnd(b, i, lf, lineStart, true)
				continue
			}
		}
		for j := i; j < i+8; j++ {
			if relaxedChanges(b, j) {
				return j
			}
		}
		i += 8
	}
	for ; i < n-1; i++ {
		if relaxedChanges(b, i) {
			return i
		}
	}
	return max(n-1, 1)
}

// afterLineEnd returns where to scan on after the word at b[i:], whose
// LFs (mask lf) were found to change nothing, and the start of the line
// being scanned then. When the line that just ended follows a line
// start seen before, the lines after it that have its length are checked
// in one go (base64 parts are made of equal lines), see sameLengthLines.
func afterLineEnd(b []byte, i int, lf uint64, lineStart int, relaxed bool) (int, int) {
	if lf == 0 {
		return i + 8, lineStart
	}
	s := i + (63-bits.LeadingZeros64(lf))/8 + 1 // after the word's last LF
	next := s
	if lineStart >= 0 {
		next = sameLengthLines(b, s, s-lineStart, relaxed)
	}
	return max(i+8, next), next
}

// sameLengthLines returns how far from s lines of length l (CRLF
// included) go on whose positions cannot change: each ends in CRLF, and
// its content has no byte below 0x21 (relaxed) or no LF (simple). Only
// lines that end before len(b)-1 are taken. Each line is checked, so any
// l gives a correct answer; the line just scanned gives a fast one.
func sameLengthLines(b []byte, s, l int, relaxed bool) int {
	n := len(b)
	for l >= 3 && s+l < n {
		e := s + l - 2 // the CR
		if b[e] != '\r' || b[e+1] != '\n' {
			return s
		}
		j := s
		for ; j+16 <= e; j += 16 {
			if lineWordsChange(load64(b, j), load64(b, j+8), relaxed) {
				return s
			}
		}
		if j < e {
			if e-s >= 16 {
				// The rest as the sixteen bytes that end at e (they
				// overlap what was checked).
				if lineWordsChange(load64(b, e-16), load64(b, e-8), relaxed) {
					return s
				}
			} else {
				for ; j < e; j++ {
					if c := b[j]; c == '\n' || relaxed && c <= ' ' {
						return s
					}
				}
			}
		}
		s += l
	}
	return s
}

// lineWordsChange reports whether the sixteen bytes of w1 and w2 hold an
// LF (simple) or a byte below 0x21 (relaxed).
func lineWordsChange(w1, w2 uint64, relaxed bool) bool {
	if relaxed {
		return hasBelow21x2(w1, w2)
	}
	return hasByte2(w1, w2, '\n')
}

// relaxedChanges reports whether position i (0 < i < len(b)-1) may change
// under relaxed canonicalization.
func relaxedChanges(b []byte, i int) bool {
	switch b[i] {
	case '\t':
		return true
	case ' ':
		return b[i+1] <= ' '
	case '\n':
		return b[i-1] != '\r'
	}
	return false
}
