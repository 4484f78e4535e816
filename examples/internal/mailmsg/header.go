package mailmsg

import (
	"bytes"
	"strings"
)

// Field is one header field as it appears in a message.
type Field struct {
	Name string // as written, without the colon
	Raw  string // the whole field with folding and its line end
}

// Value returns the field body unfolded, with surrounding white space removed.
func (f Field) Value() string {
	_, v, _ := strings.Cut(f.Raw, ":")
	v = strings.NewReplacer("\r\n", "", "\n", "").Replace(v)
	return strings.TrimSpace(v)
}

// Split returns the header block (with its last line end) and the body
// (after the empty line). A message without an empty line is all header.
func Split(msg []byte) (header, body []byte) {
	switch {
	case bytes.HasPrefix(msg, []byte("\r\n")):
		return nil, msg[2:]
	case bytes.HasPrefix(msg, []byte("\n")):
		return nil, msg[1:]
	}
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		if j := bytes.Index(msg, []byte("\n\n")); j >= 0 && j < i {
			return msg[:j+1], msg[j+2:]
		}
		return msg[:i+2], msg[i+4:]
	}
	if j := bytes.Index(msg, []byte("\n\n")); j >= 0 {
		return msg[:j+1], msg[j+2:]
	}
	return msg, nil
}

// Fields returns the header fields of msg in order. Lines that are neither a
// field nor a continuation are kept as part of the previous field.
func Fields(msg []byte) []Field {
	header, _ := Split(msg)
	var fields []Field
	for len(header) > 0 {
		end := bytes.IndexByte(header, '\n')
		if end < 0 {
			end = len(header) - 1
		}
		line := string(header[:end+1])
		header = header[end+1:]
		if (line[0] == ' ' || line[0] == '\t') && len(fields) > 0 {
			fields[len(fields)-1].Raw += line
			continue
		}
		name, _, _ := strings.Cut(line, ":")
		fields = append(fields, Field{Name: strings.TrimSpace(name), Raw: line})
	}
	return fields
}

// Get returns the unfolded values of every field called name
// (case-insensitive), top first.
func Get(msg []byte, name string) []string {
	var values []string
	for _, f := range Fields(msg) {
		if strings.EqualFold(f.Name, name) {
			values = append(values, f.Value())
		}
	}
	return values
}

// Has reports whether msg has a field called name.
func Has(msg []byte, name string) bool {
	return len(Get(msg, name)) > 0
}

// Prepend returns msg with the given fields put on top, in the order given.
// Each field must be complete, "Name: value", with or without its CRLF.
func Prepend(msg []byte, fields ...string) []byte {
	var b bytes.Buffer
	for _, f := range fields {
		b.WriteString(f)
		if !strings.HasSuffix(f, "\n") {
			b.WriteString("\r\n")
		}
	}
	b.Write(msg)
	return b.Bytes()
}

// Remove returns msg without the header fields for which drop returns true,
// and how many were removed. The body is untouched.
func Remove(msg []byte, drop func(f Field) bool) ([]byte, int) {
	header, _ := Split(msg)
	var b bytes.Buffer
	removed := 0
	for _, f := range Fields(msg) {
		if drop(f) {
			removed++
			continue
		}
		b.WriteString(f.Raw)
	}
	if removed == 0 {
		return msg, 0
	}
	b.Write(msg[len(header):])
	return b.Bytes(), removed
}

// RemoveNamed removes every field whose name is one of names
// (case-insensitive).
func RemoveNamed(msg []byte, names ...string) ([]byte, int) {
	return Remove(msg, func(f Field) bool {
		for _, n := range names {
			if strings.EqualFold(f.Name, n) {
				return true
			}
		}
		return false
	})
}
