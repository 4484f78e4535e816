package report

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Helpers the tests of parsing, messages, limits and the benchmarks share:
// the sample reports of testdata/reports. The containers they arrive in
// (gzip, zip, base64, multipart) are internal/testmail's.

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reports", name))
	require.NoError(t, err)
	return b
}
