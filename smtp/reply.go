package smtp

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Limits on what a server may send the Client in one reply. RFC 5321
// §4.5.3.1.5 caps a reply line at 512 octets; real servers sometimes send
// longer text, so the Client is lenient up to replyMaxLineLength and then
// refuses, so that a hostile server cannot make it buffer without bound.
const (
	replyMaxLineLength = 4096      // octets per reply line, CRLF included
	replyMaxLines      = 256       // lines in one multi-line reply
	replyMaxBytes      = 64 * 1024 // text octets in one reply, all lines
)

// reply is one complete server reply: a three-digit code and the text of
// each of its lines (without the code and separator; CR/LF removed).
type reply struct {
	code  int
	lines []string
}

// replyReadReply reads one complete, possibly multi-line, reply from br.
// br must have been created with a buffer of replyMaxLineLength octets
// (bufio.NewReaderSize), which bounds the length of one line. A bare LF is
// accepted as a line end. An EOF in the middle of a reply is reported as
// io.ErrUnexpectedEOF, an EOF before any octet as io.EOF.
func replyReadReply(br *bufio.Reader) (reply, error) {
	var r reply
	total := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return reply{}, errorf("%w: a line is longer than %d octets", ErrReplyTooLong, br.Size())
			}
			if errors.Is(err, io.EOF) && (len(line) > 0 || len(r.lines) > 0) {
				return reply{}, io.ErrUnexpectedEOF
			}
			return reply{}, err
		}
		line = line[:len(line)-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		code, last, text, err := replyParseLine(line)
		if err != nil {
			return reply{}, err
		}
		if len(r.lines) == 0 {
			r.code = code
		} else if code != r.code {
			return reply{}, errorf("%w: continuation line has code %d, first line %d", ErrReplyMalformed, code, r.code)
		}
		total += len(text)
		if total > replyMaxBytes {
			return reply{}, errorf("%w: more than %d octets of text", ErrReplyTooLong, replyMaxBytes)
		}
		r.lines = append(r.lines, text)
		if last {
			return r, nil
		}
		if len(r.lines) >= replyMaxLines {
			return reply{}, errorf("%w: more than %d lines", ErrReplyTooLong, replyMaxLines)
		}
	}
}

// replyParseLine splits one reply line (without its line end) into code,
// whether it is the last line of the reply, and text. RFC 5321 §4.2:
//
//	Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//	             Reply-code [ SP textstring ] CRLF
//	Reply-code = %x32-35 %x30-35 %x30-39
//
// Control characters in the text (other than HTAB) are replaced by "?"
// so that a server cannot inject them into logs or terminals through error
// messages.
func replyParseLine(line []byte) (code int, last bool, text string, err error) {
	if len(line) < 3 {
		return 0, false, "", errorf("%w: line %q is too short", ErrReplyMalformed, replyQuote(line))
	}
	if line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' || line[2] < '0' || line[2] > '9' {
		return 0, false, "", errorf("%w: bad reply code in %q", ErrReplyMalformed, replyQuote(line))
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, true, "", nil
	}
	switch line[3] {
	case ' ':
		last = true
	case '-':
	default:
		return 0, false, "", errorf("%w: bad separator after code in %q", ErrReplyMalformed, replyQuote(line))
	}
	return code, last, replyCleanText(line[4:]), nil
}

// replyCleanText converts reply text to a string, replacing control
// characters other than HTAB with "?" (one octet for one, so the limits
// hold for the cleaned text too).
func replyCleanText(b []byte) string {
	clean := true
	for _, c := range b {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return string(b)
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}

// replyQuote shortens a line for an error message.
func replyQuote(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// replyParseEnhanced reads an RFC 3463 enhanced status code at the start of
// reply text: class "." subject "." detail, where class is 2, 4 or 5 and
// subject and detail have one to three digits, followed by a space or the
// end of the text (RFC 2034 §4). It returns the code and the text after it.
func replyParseEnhanced(text string) (ec [3]int, rest string, ok bool) {
	if len(text) < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.' {
		return ec, text, false
	}
	ec[0] = int(text[0] - '0')
	i := 2
	for part := 1; part <= 2; part++ {
		start := i
		n := 0
		for i < len(text) && i-start < 4 && text[i] >= '0' && text[i] <= '9' {
			n = n*10 + int(text[i]-'0')
			i++
		}
		if i == start || i-start > 3 {
			return [3]int{}, text, false
		}
		ec[part] = n
		if part == 1 {
			if i >= len(text) || text[i] != '.' {
				return [3]int{}, text, false
			}
			i++
		}
	}
	switch {
	case i == len(text):
		return ec, "", true
	case text[i] == ' ':
		return ec, text[i+1:], true
	}
	return [3]int{}, text, false
}

// err converts the reply to an *Error. When enhanced is true (the server
// advertised ENHANCEDSTATUSCODES), or when the reply is a 4yz/5yz failure
// whose text starts with an enhanced code of the same class, the enhanced
// code is taken from the first line and removed from every line that
// carries it.
func (r reply) err(enhanced bool) *Error {
	e := &Error{Code: r.code}
	lines := r.lines
	if len(lines) > 0 {
		if ec, _, ok := replyParseEnhanced(lines[0]); ok && (enhanced || (r.code >= 400 && ec[0] == r.code/100)) {
			e.EnhancedCode = ec
			stripped := make([]string, len(lines))
			for i, l := range lines {
				if lec, rest, ok := replyParseEnhanced(l); ok && lec == ec {
					l = rest
				}
				stripped[i] = l
			}
			lines = stripped
		}
	}
	e.Message = strings.Join(lines, "\n")
	return e
}

// String formats the reply as it appears on the wire, CRLF line ends
// included; used by tests and error messages.
func (r reply) String() string {
	var b strings.Builder
	code := strconv.Itoa(r.code)
	if len(r.lines) == 0 {
		return code + "\r\n"
	}
	for i, l := range r.lines {
		b.WriteString(code)
		if i == len(r.lines)-1 {
			b.WriteByte(' ')
		} else {
			b.WriteByte('-')
		}
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	return b.String()
}
