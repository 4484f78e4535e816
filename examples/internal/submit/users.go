package submit

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"strings"
)

// Users maps a login (an email address, lower case) to the SHA-256 of its
// password; only hashes are kept in memory.
type Users map[string][32]byte

// Add parses "address:password".
func (u Users) Add(entry string) error {
	name, pass, ok := strings.Cut(entry, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	if !ok || name == "" || pass == "" || !strings.Contains(name, "@") {
		return fmt.Errorf("user %q: want address:password", name)
	}
	u[name] = sha256.Sum256([]byte(pass))
	return nil
}

// ParseUsers reads "address:password" lines; '#' starts a comment line.
func ParseUsers(r io.Reader, into Users) error {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := into.Add(line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

// Check reports whether the password is right, in time independent of
// where the two differ.
func (u Users) Check(name, password string) bool {
	want, ok := u[strings.ToLower(name)]
	got := sha256.Sum256([]byte(password))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1 && ok
}
