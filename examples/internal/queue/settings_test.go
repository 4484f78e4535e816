package queue

import (
	"flag"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSettings: the flags' defaults and values reach the Settings, the
// Deliverer and the queue; a wrong value is named in Check's error.
func TestSettings(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args    []string
		err     string // Check's error, "" for none
		port    int
		ports   map[string]int
		mtaSTS  bool
		dane    bool
		retry   time.Duration
		queueAt string
	}{
		{args: nil, mtaSTS: true, retry: time.Minute, queueAt: "default-queue"},
		{args: []string{"-mx-port", "mx.example.com=2525,26", "-retry", "5s", "-queue-dir", dir},
			port: 26, ports: map[string]int{"mx.example.com": 2525}, mtaSTS: true, retry: 5 * time.Second, queueAt: dir},
		{args: []string{"-mta-sts=false", "-dane-resolver", "system"}, dane: true, retry: time.Minute, queueAt: "default-queue"},
		{args: []string{"-mx-port", "http"}, err: "-mx-port: "},
		{args: []string{"-dane-resolver", "unbound.example"}, err: "-dane-resolver: "},
		{args: []string{"-queue-dir", ""}, err: "-queue-dir must not be empty"},
	}
	for _, tt := range tests {
		var s Settings
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		s.AddFlags(fs, "default-queue")
		require.NoError(t, fs.Parse(tt.args))
		err := s.Check()
		if tt.err != "" {
			require.ErrorContains(t, err, tt.err, "%q", tt.args)
			continue
		}
		require.NoError(t, err, "%q", tt.args)
		require.Equal(t, tt.queueAt, s.QueueDir)
		d, err := s.Deliverer(nil, "mx.example.org", nil, nil, nil)
		require.NoError(t, err)
		require.Equal(t, tt.port, d.Port, "%q", tt.args)
		require.Equal(t, tt.ports, d.Ports, "%q", tt.args)
		require.Equal(t, tt.mtaSTS, d.MTASTS != nil, "%q", tt.args)
		require.Equal(t, tt.dane, d.DANE != nil, "%q", tt.args)
		require.Equal(t, "mx.example.org", d.LocalName)
		if tt.queueAt == dir {
			q, err := s.Open(d, "mx.example.org", time.Hour, nil)
			require.NoError(t, err)
			require.Equal(t, Doubling(tt.retry, 6), q.Backoff)
			require.Equal(t, time.Hour, q.MaxAge)
			require.Equal(t, "mx.example.org", q.Hostname)
		}
	}
}
