package smtp

import (
	"bytes"
	"io"
	"sync"
)

// wireReader is the server's buffered reader of the connection. It is a
// small bufio.Reader with two extra powers the server needs:
//
//   - it tells whether a complete command line is already buffered, so
//     replies are flushed only when the client waits for them (RFC 2920);
//   - while it waits for a command line it gives its buffer back to a
//     pool and reads into a few bytes of its own, as long as what is
//     buffered fits there and the client is not sending fast: idle
//     connections, and clients slow to finish a line, stay small.
type wireReader struct {
	src     io.Reader
	buf     []byte  // nil while released; small[:] while inSmall
	pooled  *[]byte // the pool's pointer to buf while buf is a pool buffer
	inSmall bool    // buf is the small array, not a pool buffer
	r, w    int
	err     error
	small   [wireSmallRead]byte
	// lastFull is true when the last read filled all the room it had.
	lastFull bool
	// trickle is true when the last read brought fewer than
	// wireTrickle octets: message data read after such a read waits in
	// the small array too. Reset at the start of each message.
	trickle bool
	// beforeBlock is called just before a read that may block; the
	// server flushes pending replies there.
	beforeBlock func() error
}

const (
	wireBufSize   = 32 << 10 // holds the longest command line (AUTH, 12288) with room
	wireSmallRead = 512      // idle read size: any command line (RFC 5321 §4.5.3.1.4) fits
	wireTrickle   = 64       // a read shorter than this is a client sending slowly
)

var wireBufPool = sync.Pool{New: func() any { b := make([]byte, wireBufSize); return &b }}

func (r *wireReader) acquire() {
	if r.buf == nil {
		r.pooled = wireBufPool.Get().(*[]byte)
		r.buf = *r.pooled
		r.r, r.w = 0, 0
	}
}

// grow moves what the small array holds into a pool buffer.
func (r *wireReader) grow() {
	if !r.inSmall {
		r.acquire()
		return
	}
	r.pooled = wireBufPool.Get().(*[]byte)
	b := *r.pooled
	n := copy(b, r.buf[r.r:r.w])
	r.buf, r.inSmall = b, false
	r.r, r.w = 0, n
}

// release returns the buffer to the pool when it holds nothing.
func (r *wireReader) release() {
	if r.buf != nil && r.r == r.w {
		r.buf = nil
		r.r, r.w = 0, 0
		if r.inSmall {
			r.inSmall = false
			return
		}
		// Put the pool's own pointer back: a new &buf would cost an
		// allocation every time.
		wireBufPool.Put(r.pooled)
		r.pooled = nil
	}
}

// buffered returns the unread buffered bytes.
func (r *wireReader) buffered() []byte {
	if r.buf == nil {
		return nil
	}
	return r.buf[r.r:r.w]
}

// hasLineEnd reports whether what is buffered holds a line end, so that
// readLine returns without reading: a CRLF (an LF, when lenient).
func (r *wireReader) hasLineEnd(lenient bool) bool {
	b := r.buffered()
	if lenient {
		return bytes.IndexByte(b, '\n') >= 0
	}
	return bytes.Contains(b, wireCRLF)
}

var wireCRLF = []byte("\r\n")

// discard drops everything buffered (STARTTLS: RFC 3207 §4.2 forbids
// acting on plaintext that arrived before the TLS handshake).
func (r *wireReader) discard() {
	r.r, r.w = 0, 0
}

// fill reads more bytes into the buffer, after flushing pending replies
// when the buffer is empty. When idle is true (a command line is
// awaited) it reads into the small array, with the pool buffer
// released, as long as what is buffered fits there and the last read
// did not fill the room it had (a client sending fast gets the pool
// buffer and large reads). Message data (idle false) is read into the
// small array only while it trickles in, when the last read brought
// almost nothing and nothing is buffered.
func (r *wireReader) fill(idle bool) error {
	if r.err != nil {
		return r.err
	}
	// Replies are flushed before a read that may block (RFC 2920 §3.2).
	// The server reads only once no complete line is left, so when
	// nothing is buffered the batch has been answered. A partial line
	// holds the replies back only while the last read filled all the
	// room it had (more input is surely waiting, and the batch is then
	// still answered in one write); after a short read, the client may
	// be waiting for its replies before it finishes the line.
	if r.beforeBlock != nil && (r.r == r.w || !r.lastFull) {
		if err := r.beforeBlock(); err != nil {
			r.err = err
			return err
		}
	}
	if r.r == r.w && (idle || r.trickle) {
		r.release()
	}
	if (idle || r.trickle) && (r.buf == nil || r.inSmall && !r.lastFull && r.w-r.r < len(r.small)) {
		if r.buf == nil {
			r.buf, r.inSmall = r.small[:], true
			r.r, r.w = 0, 0
		}
		if r.r > 0 {
			n := copy(r.buf, r.buf[r.r:r.w])
			r.r, r.w = 0, n
		}
	} else {
		r.grow()
		if r.r > 0 {
			if r.r == r.w {
				r.r, r.w = 0, 0
			} else if len(r.buf)-r.w < wireSmallRead*8 {
				copy(r.buf, r.buf[r.r:r.w])
				r.w -= r.r
				r.r = 0
			}
		}
		if r.w == len(r.buf) {
			return errWireLineTooLong // cannot happen with the limits used
		}
	}
	n, err := r.src.Read(r.buf[r.w:])
	r.lastFull = r.w+n == len(r.buf)
	r.trickle = n < wireTrickle
	r.w += n
	if err != nil && n == 0 {
		r.err = err
		return err
	}
	return nil
}

// readLine returns the next line without its CRLF. The line is valid
// until the next call. Only CRLF ends a line (RFC 5321 §2.3.8: no other
// sequence may be recognised as a line terminator); in lenient mode a
// bare LF ends it too. A line longer than max octets including the CRLF
// is consumed to its end and errWireLineTooLong returned; a line holding a
// CR or LF that is not its terminator yields errWireBareLine.
//
// A line with a bare LF runs to the next CRLF, so that it gets one
// refusal whatever follows the LF; but when the input stops after a
// bare LF (the last read was short: the client is waiting for a
// reply), the refused line ends at that LF instead of waiting for a
// CRLF that a client using bare LFs will never send.
func (r *wireReader) readLine(max int, lenient bool) ([]byte, error) {
	dropped := 0 // octets of an over-long line already thrown away
	scanned := 0 // octets of buffered() already searched for LF
	bare := false
	bareEnd := 0 // octets of buffered() up to and including the last bare LF
	for {
		b := r.buffered()
		if i := bytes.IndexByte(b[scanned:], '\n'); i >= 0 {
			end := scanned + i
			if lenient || (end > 0 && b[end-1] == '\r') {
				line := b[:end]
				r.r += end + 1
				if len(line) > 0 && line[len(line)-1] == '\r' {
					line = line[:len(line)-1]
				}
				if dropped > 0 || len(line)+2 > max {
					return nil, errWireLineTooLong
				}
				if bare || bytes.IndexByte(line, '\r') >= 0 {
					return nil, errWireBareLine
				}
				return line, nil
			}
			bare = true
			scanned = end + 1
			bareEnd = scanned
			continue
		}
		if bare && !r.lastFull {
			r.r += bareEnd
			if dropped > 0 {
				return nil, errWireLineTooLong
			}
			return nil, errWireBareLine
		}
		if len(b) > 0 && dropped+len(b) > max {
			keep := 0
			if b[len(b)-1] == '\r' {
				keep = 1
			}
			dropped += len(b) - keep
			r.r += len(b) - keep
			scanned = keep
			bareEnd = 0 // dropped with the rest
		} else {
			scanned = len(b)
		}
		if err := r.fill(true); err != nil {
			return nil, err
		}
	}
}
