package authres

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Default limits of a Stripper, generous for real mail.
const (
	// DefaultMaxHeaderBytes bounds the header block, blank line included
	// (the same default as dkim's).
	DefaultMaxHeaderBytes = 512 << 10
	// DefaultMaxFields bounds the number of header fields.
	DefaultMaxFields = 2000
)

// Stripper removes from a message the Authentication-Results fields that
// claim to come from this ADMD (RFC 8601 §5): an MTA at the boundary
// deletes them before it adds its own, since only it may have written
// them.
//
// A field is removed when its name is Authentication-Results (in any
// case, white space before the colon allowed) and either its value parses
// (Parse) with an AuthServID that is one of ours, or it does not parse and
// its first word after white space and comments (a quoted-string, or the
// run of characters that may stand unquoted, up to a "=") is one of ours:
// a field another parser might still read as ours goes too. Authserv-ids
// are compared as domain names (EqualAuthServID): case-insensitively, a
// final "." ignored.
// Other fields, ARC-Authentication-Results included, and the body pass
// through unchanged, byte for byte.
//
// The header block ends at the first empty line (or at the end of the
// message); a line in it that is not a header field passes through. The
// zero value's limits are DefaultMaxHeaderBytes and DefaultMaxFields; a
// message beyond them fails with an error wrapping ErrLimit, after the
// part of the message already read has been written. A Stripper is not
// changed by its use: goroutines may share one.
type Stripper struct {
	// AuthServID is this ADMD's authserv-id (required).
	AuthServID string
	// Aliases are further authserv-ids the ADMD uses.
	Aliases []string
	// MaxHeaderBytes bounds the header block; 0: DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// MaxFields bounds the number of header fields; 0: DefaultMaxFields.
	MaxFields int
}

// Strip copies the message from src to dst without the fields that claim
// this ADMD's authserv-id and returns how many it removed, in one pass
// holding at most one field in memory.
func (s *Stripper) Strip(dst io.Writer, src io.Reader) (removed int, err error) {
	r := s.NewReader(src)
	_, err = r.WriteTo(dst)
	return r.Removed(), err
}

// Claims says whether a field value (what follows
// "Authentication-Results:") claims one of the Stripper's authserv-ids,
// by the rule in the type's comment.
func (s *Stripper) Claims(value string) bool {
	ids := s.ids()
	if len(ids) == 0 {
		return false
	}
	return claims(ids, value)
}

// claims applies the rule of the Stripper's comment to a field value.
func claims(ids []string, value string) bool {
	var id string
	if h, err := Parse(value); err == nil {
		id = h.AuthServID
	} else {
		id = firstWord(value)
	}
	return matchID(ids, id)
}

func (s *Stripper) ids() []string {
	var ids []string
	for _, id := range append([]string{s.AuthServID}, s.Aliases...) {
		if id = strings.TrimSuffix(id, "."); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func matchID(ids []string, id string) bool {
	for _, our := range ids {
		if EqualAuthServID(our, id) {
			return true
		}
	}
	return false
}

// EqualAuthServID says whether two authserv-ids name the same service, by
// the rule the Stripper applies: compared as domain names, without regard
// to case (strings.EqualFold, so a Unicode look-alike of an ASCII letter
// matches too, which errs on the side of removing), a final "." ignored.
// An empty id matches nothing.
func EqualAuthServID(a, b string) bool {
	a, b = strings.TrimSuffix(a, "."), strings.TrimSuffix(b, ".")
	return a != "" && strings.EqualFold(a, b)
}

// firstWord is the first quoted-string or unquoted run of v after white
// space, line breaks and comments (nested, without a depth limit).
func firstWord(v string) string {
	i := skipCFWS(v)
	if i == len(v) {
		return ""
	}
	if v[i] == '"' {
		var b strings.Builder
		for i++; i < len(v) && v[i] != '"'; i++ {
			if v[i] == '\\' && i+1 < len(v) {
				i++
			}
			if v[i] != '\r' && v[i] != '\n' {
				b.WriteByte(v[i])
			}
		}
		return b.String()
	}
	j := i
	for j < len(v) && isWordChar(v[j]) && v[j] != '=' {
		j++
	}
	return v[i:j]
}

// skipCFWS returns the index of the first byte of v outside white space,
// line breaks and comments.
func skipCFWS(v string) int {
	depth := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case depth > 0 && c == '\\':
			i++
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n':
			return i
		}
	}
	return len(v)
}

// NewReader returns a reader of the message from src without the fields
// that claim this ADMD's authserv-id. A Stripper without an AuthServID
// makes a reader that fails with ErrAuthServID.
func (s *Stripper) NewReader(src io.Reader) *StripReader {
	r := &StripReader{
		ids:       s.ids(),
		maxBytes:  s.MaxHeaderBytes,
		maxFields: s.MaxFields,
		br:        bufio.NewReaderSize(src, 4096),
	}
	if r.maxBytes <= 0 {
		r.maxBytes = DefaultMaxHeaderBytes
	}
	if r.maxFields <= 0 {
		r.maxFields = DefaultMaxFields
	}
	if len(r.ids) == 0 {
		r.err = ErrAuthServID
	}
	return r
}

// StripReader reads a message with this ADMD's Authentication-Results
// fields removed (Stripper.NewReader).
type StripReader struct {
	ids       []string
	maxBytes  int
	maxFields int
	br        *bufio.Reader

	out    []byte // output not yet read
	outPos int
	line   []byte
	field  []byte // the Authentication-Results field being read
	inAR   bool   // field holds a field whose end has not been seen
	body   bool   // the header block has been passed
	err    error  // what ends the header block: io.EOF or a failure

	removed, fields, headerBytes int
}

// Removed is the number of fields removed so far.
func (r *StripReader) Removed() int { return r.removed }

// Read implements io.Reader.
func (r *StripReader) Read(p []byte) (int, error) {
	for r.outPos == len(r.out) {
		if r.body {
			return r.br.Read(p)
		}
		if r.err != nil {
			return 0, r.err
		}
		r.out, r.outPos = r.out[:0], 0
		r.step()
	}
	n := copy(p, r.out[r.outPos:])
	r.outPos += n
	return n, nil
}

// WriteTo implements io.WriterTo, for io.Copy.
func (r *StripReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if r.outPos < len(r.out) {
			n, err := w.Write(r.out[r.outPos:])
			total += int64(n)
			r.outPos += n
			if err != nil {
				return total, err
			}
			continue
		}
		if r.body {
			n, err := r.br.WriteTo(w)
			return total + n, err
		}
		if r.err != nil {
			if r.err == io.EOF {
				return total, nil
			}
			return total, r.err
		}
		r.out, r.outPos = r.out[:0], 0
		r.step()
	}
}

// step reads one line of the header block and decides what to do with it.
func (r *StripReader) step() {
	line, err := r.readLine()
	if err != nil && err != io.EOF {
		r.err = err
		return
	}
	switch {
	case len(line) == 0:
		// the end of the message
	case string(line) == "\n" || string(line) == "\r\n":
		r.flush()
		r.out = append(r.out, line...)
		r.body = true
		return
	case line[0] == ' ' || line[0] == '\t':
		if r.inAR {
			r.field = append(r.field, line...)
		} else {
			r.out = append(r.out, line...)
		}
	default:
		r.flush()
		if r.fields++; r.fields > r.maxFields {
			r.err = fmt.Errorf("authres: more than %d header fields: %w", r.maxFields, ErrLimit)
			return
		}
		if isARField(line) {
			r.inAR = true
			r.field = append(r.field[:0], line...)
		} else {
			r.out = append(r.out, line...)
		}
	}
	if err == io.EOF {
		r.flush()
		r.err = io.EOF
	}
}

// readLine reads up to and including the next LF, within the header
// limit.
func (r *StripReader) readLine() ([]byte, error) {
	r.line = r.line[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.headerBytes += len(chunk)
		if r.headerBytes > r.maxBytes {
			return nil, fmt.Errorf("authres: header longer than %d bytes: %w", r.maxBytes, ErrLimit)
		}
		r.line = append(r.line, chunk...)
		if err != bufio.ErrBufferFull {
			return r.line, err
		}
	}
}

// flush ends the Authentication-Results field being read: it goes out
// unless it claims one of our authserv-ids.
func (r *StripReader) flush() {
	if !r.inAR {
		return
	}
	r.inAR = false
	_, value, _ := bytes.Cut(r.field, []byte(":"))
	if claims(r.ids, strings.TrimRight(string(value), "\r\n")) {
		r.removed++
		return
	}
	r.out = append(r.out, r.field...)
}

// isARField says whether line starts an Authentication-Results field.
func isARField(line []byte) bool {
	name, _, ok := bytes.Cut(line, []byte(":"))
	if !ok {
		return false
	}
	name = bytes.TrimRight(name, " \t")
	return len(name) == len(FieldName) && strings.EqualFold(string(name), FieldName)
}
