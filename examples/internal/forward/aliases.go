package forward

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Aliases maps a local address (lower case) to the addresses it forwards to.
type Aliases map[string][]string

// ParseAliases reads alias definitions in the style of /etc/aliases, one
// per line: "name: target, target". A name without '@' is in domain.
// Blank lines and lines starting with '#' are ignored; a line starting with
// white space continues the previous one.
func ParseAliases(r io.Reader, domain string, into Aliases) error {
	sc := bufio.NewScanner(r)
	var entries []string
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case (line[0] == ' ' || line[0] == '\t') && len(entries) > 0:
			entries[len(entries)-1] += " " + trimmed
		default:
			entries = append(entries, trimmed)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for i, e := range entries {
		if err := into.Add(e, domain); err != nil {
			return fmt.Errorf("alias %d: %w", i+1, err)
		}
	}
	return nil
}

// Add parses one "name: target, target" definition.
func (a Aliases) Add(def, domain string) error {
	name, list, ok := strings.Cut(def, ":")
	if !ok {
		return fmt.Errorf("%q: want \"name: target, target\"", def)
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return fmt.Errorf("%q: empty name", def)
	}
	if !strings.Contains(name, "@") {
		name += "@" + domain
	}
	var targets []string
	for _, t := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if !strings.Contains(t, "@") {
			return fmt.Errorf("%q: target %q is not an address", def, t)
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return fmt.Errorf("%q: no targets", def)
	}
	a[name] = append(a[name], targets...)
	return nil
}
