package dkim

import (
	"fmt"
	"strings"
)

// tag is one tag=value pair of an RFC 6376 §3.2 tag-list, with the value's
// surrounding folding whitespace removed.
type tag struct {
	name, value string
}

// maxTags bounds the number of tags accepted in one tag-list.
const maxTags = 64

func isFWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimFWS(s string) string {
	i, j := 0, len(s)
	for i < j && isFWS(s[i]) {
		i++
	}
	for j > i && isFWS(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseTagList splits an RFC 6376 §3.2 tag-list. Tag names are
// case-sensitive; a repeated name makes the whole list invalid. Empty list
// elements (";;" or a trailing ";") are ignored.
func parseTagList(s string) ([]tag, error) {
	tags := make([]tag, 0, 12)
	for len(s) > 0 {
		var spec string
		if i := strings.IndexByte(s, ';'); i >= 0 {
			spec, s = s[:i], s[i+1:]
		} else {
			spec, s = s, ""
		}
		spec = trimFWS(spec)
		if spec == "" {
			continue
		}
		eq := strings.IndexByte(spec, '=')
		if eq < 0 {
			return nil, fmt.Errorf("tag %q has no '='", clip(spec))
		}
		name := trimFWS(spec[:eq])
		if err := checkTagName(name); err != nil {
			return nil, err
		}
		value := trimFWS(spec[eq+1:])
		for i := 0; i < len(value); i++ {
			c := value[i]
			if c < 0x21 && !isFWS(c) || c == 0x7f {
				return nil, fmt.Errorf("tag %s: invalid character %q in value", name, c)
			}
		}
		for _, t := range tags {
			if t.name == name {
				return nil, fmt.Errorf("tag %s appears twice", name)
			}
		}
		if len(tags) == maxTags {
			return nil, fmt.Errorf("more than %d tags", maxTags)
		}
		tags = append(tags, tag{name, value})
	}
	return tags, nil
}

func checkTagName(name string) error {
	if name == "" {
		return fmt.Errorf("empty tag name")
	}
	if !isAlpha(name[0]) {
		return fmt.Errorf("invalid tag name %q", clip(name))
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !isAlpha(c) && !isDigit(c) && c != '_' {
			return fmt.Errorf("invalid tag name %q", clip(name))
		}
	}
	return nil
}

// removeFWS deletes all folding whitespace, as base64 values and lists
// allow it anywhere (RFC 6376 §3.2, §3.5).
func removeFWS(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if !isFWS(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// splitList splits a colon-separated list, trimming FWS around elements.
func splitList(s string) []string {
	parts := strings.Split(s, ":")
	for i := range parts {
		parts[i] = trimFWS(parts[i])
	}
	return parts
}

// clip shortens attacker-controlled text quoted in error messages.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
