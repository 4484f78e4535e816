package queue

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary spool files to the loader: a damaged spool may
// leave a file unread (and logged), never panic or invent recipients.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"from":"a@example.org","to":["b@example.com"],"queued":"2026-12-01T10:00:00Z"}`+"\nSubject: x\r\n\r\nx\r\n"),
		[]byte(`{"attempts":2,"next_try":"2026-12-01T10:05:00Z","delivered":["b@example.com"]}`))
	f.Add([]byte("no envelope"), []byte("{"))
	f.Add([]byte(`{"to":null}`+"\n"), []byte(`{"failed":["x"]}`))
	f.Fuzz(func(t *testing.T, msg, state []byte) {
		dir := t.TempDir()
		q := &Queue{Dir: dir}
		if err := os.MkdirAll(filepath.Join(dir, msgDir), 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, msgDir, "Qfuzz-1-1"+msgSuffix), msg, 0o600)
		os.WriteFile(filepath.Join(dir, msgDir, "Qfuzz-1-1"+stSuffix), state, 0o600)
		items, err := q.load()
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			env, _, err := splitSpoolFile(msg)
			if err != nil {
				t.Fatalf("loaded an item from an unreadable file: %v", err)
			}
			for _, r := range it.To {
				if !contains(env.To, r) {
					t.Fatalf("recipient %q not in the envelope %q", r, env.To)
				}
			}
		}
	})
}
