package serve

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMainStatus: the exit status and what is printed for -help, a usage
// error, a failed and a clean run; run gets the parsed configuration.
func TestMainStatus(t *testing.T) {
	tests := []struct {
		name     string
		parseErr error
		runErr   error
		status   int
		ran      bool
		stderr   string
	}{
		{"help", flag.ErrHelp, nil, 0, false, ""},
		{"usage error", errors.New("flag provided but not defined: -x"), nil, 2, false, ""},
		{"run fails", nil, errors.New("listen tcp: address in use"), 1, true, "prog: listen tcp: address in use\n"},
		{"clean stop", nil, nil, 0, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := func(args []string, _ io.Writer) (string, error) { return args[0], tt.parseErr }
			ran := false
			run := func(ctx context.Context, cfg string, _ io.Writer) error {
				require.Equal(t, "-flag", cfg)
				require.NoError(t, ctx.Err())
				ran = true
				return tt.runErr
			}
			var stderr bytes.Buffer
			require.Equal(t, tt.status, mainStatus([]string{"-flag"}, &stderr, "prog", parse, run))
			require.Equal(t, tt.ran, ran)
			require.Equal(t, tt.stderr, stderr.String())
		})
	}
}
