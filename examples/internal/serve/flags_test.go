package serve

import (
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestParse: -help is flag.ErrHelp, a wrong flag and a stray argument are
// ErrUsage, each printed with the usage; a good command line is nil.
func TestParse(t *testing.T) {
	tests := []struct {
		args   []string
		err    error
		stderr []string // what stderr must contain
	}{
		{[]string{"-x", "1"}, nil, nil},
		{[]string{"-help"}, flag.ErrHelp, []string{"usage: prog [flags]", "-x int"}},
		{[]string{"-y"}, ErrUsage, []string{"flag provided but not defined: -y", "usage: prog [flags]"}},
		{[]string{"-x", "one"}, ErrUsage, []string{"invalid value", "usage: prog [flags]"}},
		{[]string{"-x", "1", "extra"}, ErrUsage, []string{`prog: unexpected argument "extra"`, "usage: prog [flags]"}},
	}
	for _, tt := range tests {
		var stderr strings.Builder
		fs := NewFlagSet("prog", "usage: prog [flags]", &stderr)
		fs.Int("x", 0, "a number")
		err := Parse(fs, tt.args)
		if tt.err == nil {
			require.NoError(t, err, "%q", tt.args)
			require.Empty(t, stderr.String())
			continue
		}
		require.ErrorIs(t, err, tt.err, "%q", tt.args)
		require.False(t, tt.err == flag.ErrHelp && errors.Is(err, ErrUsage), "-help is no usage error")
		for _, want := range tt.stderr {
			require.Contains(t, stderr.String(), want, "%q", tt.args)
		}
	}
}
