package smtp

import (
	"bytes"
	"io"
)

// States of the DATA scanner.
const (
	dataLineStart = iota // after CRLF (or at the start)
	dataText             // inside a line
	dataCR               // inside a line, just after a CR (already emitted)
	dataDot              // a '.' at line start was read (and dropped)
	dataDotCR            // ".\r" at line start
	dataPendingCR        // ".\r" then not LF: the CR is yet to be delivered
	dataDone             // CRLF.CRLF seen
)

// dataReader streams a DATA message: it removes the transparency dots of
// RFC 5321 §4.5.2, stops at CRLF.CRLF (and nothing else), and checks line
// endings, line length and size as it goes, without buffering the message.
type dataReader struct {
	rd       *wireReader
	fill     func() error // reads more into rd, with the data timeout
	state    int
	lineLen  int   // octets of the current line so far, CRLF included, stuffing dot not
	maxLine  int   // 0: no limit
	maxBytes int64 // 0: no limit
	n        int64 // octets delivered (or counted while draining)
	lenient  bool
	fault    error  // first rule broken
	ioErr    error  // connection failed
	inplace  bool   // process writes into its own input (WriteTo)
	onEnd    func() // called once when the end of data has been read
	ended    bool
}

func (d *dataReader) setFault(err error) {
	if d.fault == nil {
		d.fault = err
	}
}

// process scans b, writing the unstuffed octets to out (when out is
// non-nil; out may alias b as long as output never overtakes input) and
// returns how much of b it consumed and how much it wrote. With out nil
// it only counts. It stops at the end of data or when out is full.
func (d *dataReader) process(b, out []byte, count bool) (nIn, nOut int) {
	for nIn < len(b) && d.state != dataDone {
		if !count && nOut == len(out) {
			break
		}
		c := b[nIn]
		switch d.state {
		case dataLineStart:
			d.lineLen = 0
			if c == '.' {
				d.state = dataDot
				nIn++
				continue
			}
			d.state = dataText
		case dataDot:
			if c == '\r' {
				d.state = dataDotCR
				nIn++
				continue
			}
			d.state = dataText // the dot is dropped; c is text
		case dataDotCR:
			if c == '\n' {
				d.state = dataDone
				nIn++
				continue
			}
			// ".\r" then something else: the dot is dropped and the CR
			// is a bare CR inside the line, still to be delivered.
			if !d.lenient {
				d.setFault(ErrBareLineEnding)
			}
			d.lineLen++
			d.grow(1)
			d.state = dataPendingCR
			continue
		case dataPendingCR:
			if d.inplace && nOut >= nIn {
				// No room in place: WriteTo delivers the CR itself.
				return nIn, nOut
			}
			if !count {
				out[nOut] = '\r'
			}
			nOut++
			d.state = dataText
			continue
		case dataCR:
			if c == '\n' {
				if !count {
					out[nOut] = '\n'
				}
				nOut++
				nIn++
				d.grow(1)
				d.lineLen++
				d.checkLine()
				d.state = dataLineStart
				continue
			}
			if !d.lenient {
				d.setFault(ErrBareLineEnding)
			}
			d.state = dataText
		}
		// dataText: copy up to and including the next LF.
		seg := b[nIn:]
		if !count {
			if room := len(out) - nOut; len(seg) > room {
				seg = seg[:room]
			}
		}
		i := bytes.IndexByte(seg, '\n')
		if i < 0 {
			k := len(seg)
			body := seg
			endsCR := seg[k-1] == '\r'
			if endsCR {
				body = seg[:k-1]
			}
			if !d.lenient && bytes.IndexByte(body, '\r') >= 0 {
				d.setFault(ErrBareLineEnding)
			}
			d.emit(seg, out, &nIn, &nOut, count)
			d.lineLen += k
			d.checkLine()
			if endsCR {
				d.state = dataCR
			}
			continue
		}
		seg = seg[:i+1]
		crlf := i > 0 && seg[i-1] == '\r'
		body := seg[:i]
		if crlf {
			body = seg[:i-1]
		}
		if !d.lenient && (!crlf || bytes.IndexByte(body, '\r') >= 0) {
			d.setFault(ErrBareLineEnding)
		}
		d.emit(seg, out, &nIn, &nOut, count)
		d.lineLen += len(seg)
		d.checkLine()
		if crlf {
			d.state = dataLineStart
		} else {
			d.lineLen = 0 // lenient: a bare LF ends a line for the length limit only
		}
	}
	return nIn, nOut
}

// emit moves seg (the next octets of the input) to the output. When out
// is the input buffer itself and nothing was dropped yet, the octets are
// already in place.
func (d *dataReader) emit(seg, out []byte, nIn, nOut *int, count bool) {
	if !count && !(d.inplace && *nOut == *nIn) {
		copy(out[*nOut:], seg)
	}
	*nIn += len(seg)
	*nOut += len(seg)
	d.grow(len(seg))
}

// grow counts k more message octets against the size limit.
func (d *dataReader) grow(k int) {
	d.n += int64(k)
	if d.maxBytes > 0 && d.n > d.maxBytes {
		d.setFault(ErrMessageTooLarge)
	}
}

func (d *dataReader) checkLine() {
	if d.maxLine > 0 && d.lineLen > d.maxLine {
		d.setFault(ErrLineTooLong)
	}
}

// end reports the end of the data once, so the server can watch the
// connection while the Session works on the message.
func (d *dataReader) end() {
	if !d.ended && d.fault == nil {
		d.ended = true
		if d.onEnd != nil {
			d.onEnd()
		}
	}
}

// more reads more input, remembering a connection failure.
func (d *dataReader) more() error {
	if d.ioErr != nil {
		return d.ioErr
	}
	if err := d.fill(); err != nil {
		if err == io.EOF {
			// The connection ended inside the message: never let that
			// look like the end of the data.
			err = io.ErrUnexpectedEOF
		}
		d.ioErr = err
		return err
	}
	return nil
}

// Read implements io.Reader.
func (d *dataReader) Read(p []byte) (int, error) {
	for {
		if d.fault != nil {
			return 0, d.fault
		}
		if d.state == dataDone {
			d.end()
			return 0, io.EOF
		}
		if len(p) == 0 {
			return 0, nil
		}
		b := d.rd.buffered()
		if len(b) > 0 {
			d.inplace = false
			nIn, nOut := d.process(b, p, false)
			d.rd.r += nIn
			if d.fault != nil {
				// Nothing from a chunk that broke a rule reaches the
				// Session: after a bare LF it could hold what a
				// lenient peer would have read as a second, smuggled
				// transaction.
				return 0, d.fault
			}
			if nOut > 0 {
				return nOut, nil
			}
			continue
		}
		if err := d.more(); err != nil {
			return 0, err
		}
	}
}

// WriteTo implements io.WriterTo: it hands w slices of the connection
// buffer, unstuffed in place, and so copies nothing.
func (d *dataReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if d.fault != nil {
			return total, d.fault
		}
		if d.state == dataDone {
			d.end()
			return total, nil
		}
		b := d.rd.buffered()
		if len(b) == 0 {
			if err := d.more(); err != nil {
				return total, err
			}
			continue
		}
		d.inplace = true
		nIn, nOut := d.process(b, b, false)
		d.inplace = false
		d.rd.r += nIn
		if d.fault != nil {
			return total, d.fault // as in Read: nothing of this chunk
		}
		if d.state == dataPendingCR && nIn == 0 && nOut == 0 {
			if _, err := w.Write([]byte{'\r'}); err != nil {
				return total, err
			}
			total++
			d.state = dataText
			continue
		}
		if nOut > 0 {
			m, err := w.Write(b[:nOut])
			total += int64(m)
			if err != nil {
				return total, err
			}
		}
	}
}

// drain reads and checks the rest of the message without delivering it,
// so the next reply answers the right command.
func (d *dataReader) drain() error {
	for d.state != dataDone {
		b := d.rd.buffered()
		if len(b) == 0 {
			if err := d.more(); err != nil {
				return err
			}
			continue
		}
		nIn, _ := d.process(b, nil, true)
		d.rd.r += nIn
	}
	return nil
}
