package report

import (
	"bufio"
	"unicode/utf8"
)

// xmlGuard is the io.ByteReader the XML decoder reads a report from. It
// does three jobs on the way, one byte at a time:
//
//   - it replaces each byte that is not part of valid UTF-8 with U+FFFD
//     (reporters put Latin-1 bytes in domains) and counts the
//     replacements, so the parser can say where;
//   - it follows the XML markup just enough to bound each piece before the
//     decoder builds it: a tag with its name and attributes, a comment, a
//     processing instruction, a declaration or a run of text longer than
//     maxToken bytes, or a tag with more than maxAttrs attributes, stop
//     the read with a LimitError (encoding/xml would otherwise
//     collect a 30 MB name or a million attributes before returning);
//   - it copies what it hands out while recording, so the parser can keep
//     the raw inner XML of extension elements.
//
// Because it is an io.ByteReader, the decoder reads from it without a
// buffer of its own, so Decoder.InputOffset matches what it handed out
// (but for the one byte the decoder may have pushed back).
type xmlGuard struct {
	r        *bufio.Reader
	maxToken int
	maxAttrs int
	err      error

	queue    [3]byte // bytes of the current rune still to hand out
	qi, qn   int
	replaced int // invalid bytes replaced with U+FFFD
	pos      int64
	last     byte

	state   int
	run     int // bytes of the current piece of markup or text
	attrs   int
	quote   byte
	match   int
	bracket int

	recording bool
	rec       []byte

	// sections counts CDATA sections: the decoder returns each as a
	// token of its own, which must be counted like an element.
	sections int
}

// Lexical states.
const (
	lxText     = iota // character data
	lxOpen            // after "<"
	lxTag             // in a start or end tag
	lxQuote           // in a quoted attribute value
	lxBang            // after "<!"
	lxBangDash        // after "<!-"
	lxComment         // in "<!--" ... "-->"
	lxCDATA           // in "<![" ... "]]>"
	lxPI              // in "<?" ... "?>"
	lxDecl            // in "<!DOCTYPE" ... ">" (with an internal subset in [])
)

func newXMLGuard(r *bufio.Reader, l reportLimits) *xmlGuard {
	return &xmlGuard{r: r, maxToken: l.tokenBytes, maxAttrs: l.attributes}
}

// ReadByte hands out the next byte of valid UTF-8.
func (g *xmlGuard) ReadByte() (byte, error) {
	if g.err != nil {
		return 0, g.err
	}
	var c byte
	if g.qi < g.qn {
		c = g.queue[g.qi]
		g.qi++
	} else {
		b, err := g.r.ReadByte()
		if err != nil {
			return 0, err
		}
		c = b
		if c >= utf8.RuneSelf {
			c = g.rune(c)
		}
	}
	if err := g.lex(c); err != nil {
		g.err = err
		return 0, err
	}
	g.pos++
	g.last = c
	if g.recording {
		g.rec = append(g.rec, c)
	}
	return c, nil
}

// rune checks the UTF-8 sequence that starts with c, queues its other
// bytes, and returns its first byte; an invalid byte becomes U+FFFD.
func (g *xmlGuard) rune(c byte) byte {
	var buf [utf8.UTFMax]byte
	buf[0] = c
	more, _ := g.r.Peek(utf8.UTFMax - 1)
	n := 1 + copy(buf[1:], more)
	r, size := utf8.DecodeRune(buf[:n])
	if r == utf8.RuneError && size <= 1 {
		g.replaced++
		g.qi, g.qn = 0, copy(g.queue[:], "\uFFFD"[1:])
		return "\uFFFD"[0]
	}
	_, _ = g.r.Discard(size - 1)
	g.qi, g.qn = 0, copy(g.queue[:], buf[1:size])
	return c
}

// lex advances the markup state by one byte and checks the limits.
func (g *xmlGuard) lex(c byte) error {
	g.run++
	switch g.state {
	case lxText:
		if c == '<' {
			g.state, g.run = lxOpen, 1
		}
	case lxOpen:
		switch c {
		case '!':
			g.state = lxBang
		case '?':
			g.state, g.match = lxPI, 0
		default:
			g.state, g.attrs = lxTag, 0
			return g.lex(g.unrun(c))
		}
	case lxTag:
		switch c {
		case '"', '\'':
			g.state, g.quote = lxQuote, c
		case '=':
			g.attrs++
			if g.attrs > g.maxAttrs {
				return &LimitError{Limit: "MaxAttributes", Max: int64(g.maxAttrs), Where: "one element"}
			}
		case '>':
			g.state, g.run = lxText, 0
		}
	case lxQuote:
		if c == g.quote {
			g.state = lxTag
		}
	case lxBang:
		switch c {
		case '-':
			g.state = lxBangDash
		case '[':
			g.state, g.match = lxCDATA, 0
			g.sections++
		default:
			g.state, g.bracket = lxDecl, 0
			return g.lex(g.unrun(c))
		}
	case lxBangDash:
		g.state, g.match = lxComment, 0
		if c != '-' {
			g.state, g.bracket = lxDecl, 0
		}
	case lxComment, lxCDATA:
		end := byte('-')
		if g.state == lxCDATA {
			end = ']'
		}
		switch {
		case c == end:
			g.match = min(g.match+1, 2)
		case c == '>' && g.match == 2:
			g.state, g.run = lxText, 0
		default:
			g.match = 0
		}
	case lxPI:
		switch {
		case c == '?':
			g.match = 1
		case c == '>' && g.match == 1:
			g.state, g.run = lxText, 0
		default:
			g.match = 0
		}
	case lxDecl:
		switch {
		case c == '[':
			g.bracket++
		case c == ']':
			g.bracket--
		case c == '>' && g.bracket <= 0:
			g.state, g.run = lxText, 0
		}
	}
	if g.run > g.maxToken {
		return &LimitError{Limit: "MaxTokenBytes", Max: int64(g.maxToken), Where: "a tag, comment, declaration or run of text"}
	}
	return nil
}

// unrun takes back the count of a byte about to be lexed again in a new
// state.
func (g *xmlGuard) unrun(c byte) byte {
	g.run--
	return c
}

// startRecording copies what is handed out from the decoder offset off
// on; the decoder may hold one byte it read but pushed back.
func (g *xmlGuard) startRecording(off int64) {
	g.recording = true
	g.rec = g.rec[:0]
	if g.pos > off && g.pos-off == 1 {
		g.rec = append(g.rec, g.last)
	}
}

// stopRecording returns what was recorded, valid until the next
// recording.
func (g *xmlGuard) stopRecording() []byte {
	b := g.rec
	g.recording = false
	if cap(g.rec) > 64<<10 {
		g.rec = nil // do not hold on to a large buffer
	}
	return b
}

// Read implements io.Reader with ReadByte; the decoder uses ReadByte.
func (g *xmlGuard) Read(p []byte) (int, error) {
	for i := range p {
		c, err := g.ReadByte()
		if err != nil {
			if i > 0 {
				return i, nil
			}
			return 0, err
		}
		p[i] = c
	}
	return len(p), nil
}
