package proctest

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLogWatch: lines split over writes are put together, the first
// matching line is reported once (its first group, else the whole match),
// and only whole lines are kept.
func TestLogWatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		writes  []string
		found   string // "" for no match
		log     string
	}{
		{"group, split line", `msg=listening addr=(\S+)`,
			[]string{"level=INFO msg=start\nlevel=INFO msg=list", "ening addr=127.0.0.1:2525\n"},
			"127.0.0.1:2525", "level=INFO msg=start\nlevel=INFO msg=listening addr=127.0.0.1:2525\n"},
		{"no group: whole match; first line only", `msg=listening`,
			[]string{"msg=listening a\nmsg=listening b\n"},
			"msg=listening", "msg=listening a\nmsg=listening b\n"},
		{"unfinished line not kept or matched", `msg=listening`,
			[]string{"msg=start\nmsg=listening"}, "", "msg=start\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newLogWatch(regexp.MustCompile(tt.pattern))
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				require.NoError(t, err)
				require.Equal(t, len(s), n)
			}
			require.Equal(t, tt.log, w.String())
			var got string
			select {
			case got = <-w.found:
			default:
			}
			require.Equal(t, tt.found, got)
			require.Empty(t, w.found, "reported once")
		})
	}
}
