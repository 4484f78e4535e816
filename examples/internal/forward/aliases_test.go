package forward

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseAliases(t *testing.T) {
	a := Aliases{}
	err := ParseAliases(strings.NewReader("# team\nbob: bob@example.com,\n  bob@example.org\nInfo@Example.NET: x@example.com\n"), "example.net", a)
	require.NoError(t, err)
	require.Equal(t, []string{"bob@example.com", "bob@example.org"}, a["bob@example.net"])
	require.Equal(t, []string{"x@example.com"}, a["info@example.net"])

	for _, bad := range []string{"bob bob@example.com\n", "bob: nobody\n", ": x@example.com\n", "bob:\n"} {
		require.Error(t, ParseAliases(strings.NewReader(bad), "example.net", Aliases{}), "%q", bad)
	}
}

func FuzzParseAliases(f *testing.F) {
	for _, s := range []string{"bob: bob@example.com\n", "# c\n\n a\nb:c@d,e@f\n", ":", "x:\n\ty@z\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Aliases{}
		if err := ParseAliases(strings.NewReader(s), "example.net", a); err != nil {
			return
		}
		for name, targets := range a {
			if !strings.Contains(name, "@") || len(targets) == 0 {
				t.Fatalf("alias %q → %q", name, targets)
			}
		}
	})
}
