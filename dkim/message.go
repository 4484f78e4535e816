package dkim

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// DefaultMaxHeaderBytes is the header block size limit used when
// Verifier.MaxHeaderBytes or Signer.MaxHeaderBytes is 0 or negative.
const DefaultMaxHeaderBytes = 512 << 10

// readChunk is the size of the buffer the message is streamed through.
const readChunk = 32 << 10

// field is one header field: its name (as written, without surrounding
// whitespace) and its raw bytes including the line ending(s).
type field struct {
	name []byte
	raw  []byte
}

// message streams a message: the header block is buffered (up to a limit),
// the body is handed out in buffer-sized chunks.
type message struct {
	r      io.Reader
	buf    []byte
	start  int // first unconsumed byte in buf
	n      int // bytes valid in buf
	eof    bool
	header []byte
	fields []field
	// scanned counts the bytes searched for line ends while reading the
	// header block (a measure of work for tests).
	scanned int
}

// readHeader reads up to the empty line that ends the header block and
// splits the block into fields. A message without the empty line is all
// header and has an empty body. Lines may end in CRLF or a bare LF.
func readHeader(r io.Reader, max int) (*message, error) {
	max = orDefault(max, DefaultMaxHeaderBytes)
	m := &message{r: r, buf: getBuffer()}
	pos := 0  // start of the line being examined
	scan := 0 // buf[pos:scan] is known to hold no LF
	for {
		m.scanned += m.n - scan
		i := bytes.IndexByte(m.buf[scan:m.n], '\n')
		if i < 0 {
			scan = m.n
			if pos > max {
				m.release()
				return nil, fmt.Errorf("%w: more than %d bytes", ErrHeaderTooLarge, max)
			}
			if m.eof {
				m.header = m.buf[:m.n]
				m.start = m.n
				break
			}
			if m.n == len(m.buf) {
				if len(m.buf) > max+2 {
					m.release()
					return nil, fmt.Errorf("%w: more than %d bytes", ErrHeaderTooLarge, max)
				}
				nb := make([]byte, 2*len(m.buf))
				copy(nb, m.buf[:m.n])
				m.release()
				m.buf = nb
			}
			if err := m.fill(); err != nil {
				m.release()
				return nil, err
			}
			continue
		}
		line := m.buf[pos : scan+i+1]
		if len(line) == 1 || len(line) == 2 && line[0] == '\r' {
			if pos > max {
				m.release()
				return nil, fmt.Errorf("%w: more than %d bytes", ErrHeaderTooLarge, max)
			}
			m.header = m.buf[:pos]
			m.start = pos + len(line)
			break
		}
		pos += len(line)
		scan = pos
	}
	m.fields = splitFields(m.header)
	return m, nil
}

// buffers recycles read buffers between messages, so a busy verifier
// does not allocate 32 KiB per message. Only buffers of exactly readChunk
// bytes are kept (a header block that needed a larger one does not pin it).
var buffers = sync.Pool{New: func() any { return new([readChunk]byte) }}

func getBuffer() []byte { return buffers.Get().(*[readChunk]byte)[:] }

// release returns the read buffer; the message (its header fields
// included) must not be used afterwards.
func (m *message) release() {
	if len(m.buf) == readChunk {
		buffers.Put((*[readChunk]byte)(m.buf))
	}
	m.buf, m.header, m.fields = nil, nil, nil
}

// fill reads more input into buf[n:].
func (m *message) fill() error {
	for empty := 0; m.n < len(m.buf) && !m.eof; empty++ {
		if empty == 100 {
			return fmt.Errorf("dkim: reading message: %w", io.ErrNoProgress)
		}
		k, err := m.r.Read(m.buf[m.n:])
		m.n += k
		if err == io.EOF {
			m.eof = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("dkim: reading message: %w", err)
		}
		if k > 0 {
			return nil
		}
	}
	return nil
}

// streamBody passes the rest of the message, chunk by chunk, to w. The
// header block is overwritten, so it must not be used afterwards.
func (m *message) streamBody(w func([]byte)) error {
	if m.start < m.n {
		w(m.buf[m.start:m.n])
	}
	m.header, m.fields = nil, nil
	switch r := m.r.(type) {
	case *bytes.Reader, *bytes.Buffer:
		// In-memory input: hash straight from its buffer, no copy.
		if !m.eof {
			m.eof = true
			if _, err := r.(io.WriterTo).WriteTo(funcWriter(w)); err != nil {
				return fmt.Errorf("dkim: reading message: %w", err)
			}
		}
	}
	for !m.eof {
		m.n, m.start = 0, 0
		if err := m.fill(); err != nil {
			return err
		}
		if m.n > 0 {
			w(m.buf[:m.n])
		}
	}
	return nil
}

// splitFields splits a header block into fields: a line starting with WSP
// continues the field above it. A line without a colon becomes a field of
// its own whose name is the whole line, so it matches no h= entry.
func splitFields(block []byte) []field {
	nf := bytes.Count(block, []byte{'\n'}) + 1
	fields := make([]field, 0, min(nf, 1024))
	for len(block) > 0 {
		end := 0
		for {
			i := bytes.IndexByte(block[end:], '\n')
			if i < 0 {
				end = len(block)
				break
			}
			end += i + 1
			if end >= len(block) || !isWSP(block[end]) {
				break
			}
		}
		raw := block[:end]
		block = block[end:]
		name := raw
		if c := bytes.IndexByte(raw, ':'); c >= 0 {
			name = raw[:c]
		}
		fields = append(fields, field{name: bytes.Trim(name, " \t\r\n"), raw: raw})
	}
	return fields
}

// funcWriter adapts a chunk consumer to io.Writer.
type funcWriter func([]byte)

func (f funcWriter) Write(p []byte) (int, error) {
	f(p)
	return len(p), nil
}

// orDefault is a safety cap's value: def when v is 0 or negative (the
// suite's convention: no negative value means "no limit").
func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
