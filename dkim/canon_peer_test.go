package dkim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testpeer"
)

const dkimpyCanonScript = `
import sys, json, base64
from dkim.canonicalization import Simple, Relaxed
out = []
for b in json.load(open(sys.argv[1])):
    body = base64.b64decode(b)
    out.append([base64.b64encode(Simple.canonicalize_body(body)).decode(),
                base64.b64encode(Relaxed.canonicalize_body(body)).decode()])
json.dump(out, sys.stdout)
`

// TestBodyCanonAgainstDkimpy compares the streaming canonicalizers with
// dkimpy's on random awkward bodies (dkimpy gets the CRLF wire form),
// short ones fed in small pieces and long ones (which take the vector
// paths) whole, and on the benchmarks' prose.
func TestBodyCanonAgainstDkimpy(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	py := testpeer.Python(t, "Debian python3-dkim", "dkim.canonicalization")
	rng := rand.New(rand.NewPCG(5, 6))
	tokens := []string{"x", "word", " ", "  ", "\t", " \t ", "\r\n", "\r\n", "\n", "\r", "\r\n\r\n", "\xc3\xa9"}
	var bodies [][]byte
	for i := 0; i < 400; i++ {
		var b []byte
		for size := rng.IntN(300); len(b) < size; {
			b = append(b, tokens[rng.IntN(len(tokens))]...)
		}
		bodies = append(bodies, b)
	}
	for i := 0; i < 60; i++ {
		var b []byte
		for size := 300 + rng.IntN(5000); len(b) < size; {
			if rng.IntN(3) != 0 {
				b = append(b, "prose "[rng.IntN(6):]...)
			}
			b = append(b, tokens[rng.IntN(len(tokens))]...)
		}
		bodies = append(bodies, b)
	}
	bodies = append(bodies, proseText(64<<10), bytes.ReplaceAll(proseText(16<<10), []byte("\r\n"), []byte("\n")))
	var wire []string
	for _, b := range bodies {
		wire = append(wire, base64.StdEncoding.EncodeToString(lfToCRLF(b)))
	}
	dir := t.TempDir()
	in, _ := json.Marshal(wire)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "in.json"), in, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "canon.py"), []byte(dkimpyCanonScript), 0o600))
	out, err := exec.Command(py, filepath.Join(dir, "canon.py"), filepath.Join(dir, "in.json")).Output()
	require.NoError(t, err)
	var got [][2]string
	require.NoError(t, json.Unmarshal(out, &got))
	require.Len(t, got, len(bodies))
	for i, b := range bodies {
		for j, c := range []Canonicalization{Simple, Relaxed} {
			want, err := base64.StdEncoding.DecodeString(got[i][j])
			require.NoError(t, err)
			piece := 7
			if len(b) > 300 {
				piece = len(b)
			}
			if mine := canonBody(b, c, piece); !bytes.Equal(nonNil(want), mine) {
				t.Errorf("%s %q:\ndkimpy %q\nours   %q", c, b, want, mine)
			}
		}
	}
}
