package arc

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidationSuite runs the 70 validation cases of the public ARC test
// suite (testdata/README.md): each message's chain status must be the
// case's cv.
func TestValidationSuite(t *testing.T) {
	scenarios := loadYAML[validationScenario](t, "arc-validation-tests.yml")
	// Key records are shared across scenarios (SUITE-README.md).
	records := map[string]string{}
	for _, sc := range scenarios {
		for n, r := range sc.TXTRecords {
			records[n] = r
		}
	}
	v := &Verifier{Resolver: memResolver(t, records)}
	total, checked := 0, 0
	for _, sc := range scenarios {
		for _, name := range sortedKeys(sc.Tests) {
			c := sc.Tests[name]
			total++
			want := Status(strings.ToLower(strings.TrimSpace(c.CV)))
			t.Run(name, func(t *testing.T) {
				got, err := v.Verify(context.Background(), strings.NewReader(crlf(c.Message)))
				require.NoError(t, err)
				if want == "" {
					// The case states no expectation; it must still
					// give a verdict.
					assert.Contains(t, []Status{None, Pass, Fail}, got.Status)
					return
				}
				checked++
				assert.Equal(t, want, got.Status, "%s: %v", c.Description, got.Err)
				if want == Fail {
					assert.Error(t, got.Err)
				} else {
					assert.NoError(t, got.Err)
				}
			})
		}
	}
	assert.Equal(t, 70, total)
	t.Logf("%d validation cases, %d with a stated cv", total, checked)
}
