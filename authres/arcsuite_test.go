package authres

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/testyaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// arcSignCase is one signing case of the public ARC test suite.
type arcSignCase struct {
	Message string `yaml:"message"`
	SrvID   string `yaml:"srv-id"`
	AAR     string `yaml:"AAR"`
}

// headerValues returns the values of the fields named name in the header
// of msg (LF or CRLF line ends), folding kept, in order.
func headerValues(msg, name string) []string {
	var out []string
	lines := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines) && lines[i] != ""; i++ {
		n, v, ok := strings.Cut(lines[i], ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(n), name) {
			continue
		}
		for i+1 < len(lines) && lines[i+1] != "" && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') {
			i++
			v += "\r\n" + lines[i]
		}
		out = append(out, v)
	}
	return out
}

// TestARCSuiteAAR: for every signing case of the ARC test suite, the
// ARC-Authentication-Results value an ARC sealer writes with this package
// ("i=1; " + Consolidate(srv-id, the message's Authentication-Results
// values).Folded) is the case's expected AAR under relaxed header
// canonicalization (RFC 6376 §3.4.2), which is how the ARC-Seal signs it
// (RFC 8617 §5.1.1).
func TestARCSuiteAAR(t *testing.T) {
	type suiteDoc struct {
		Tests map[string]arcSignCase `yaml:"tests"`
	}
	cases := map[string]arcSignCase{}
	for _, doc := range testyaml.Load[suiteDoc](t, filepath.Join("testdata", "arc", "arc-sign-tests.yml")) {
		for name, c := range doc.Tests {
			cases[name] = c
		}
	}
	require.Len(t, cases, 9)
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	sort.Strings(names)
	relaxed := func(s string) string {
		return strings.TrimSpace(regexp.MustCompile(`[ \t]+`).ReplaceAllString(strings.NewReplacer("\r\n", "", "\n", " ").Replace(s), " "))
	}
	for _, name := range names {
		c := cases[name]
		t.Run(name, func(t *testing.T) {
			values := headerValues(c.Message, FieldName)
			require.NotEmpty(t, values)
			h, err := Consolidate(c.SrvID, values...)
			require.NoError(t, err)
			const prefix = "ARC-Authentication-Results: i=1; "
			aar := "i=1; " + h.Folded(len(prefix))
			for _, l := range strings.Split(prefix[:len(prefix)-len("i=1; ")]+aar, "\r\n") {
				assert.LessOrEqual(t, width(l), LineWidth)
			}
			// The yml keeps the expected value's line breaks but not the
			// white space that began its continuation lines: a line break
			// there stands for folding white space.
			assert.Equal(t, relaxed(c.AAR), relaxed(aar))
		})
	}
}
