package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/memstore"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/smtp"
)

// refusing answers 451 to every delivery until open is set.
type refusing struct {
	memstore.Store
	open atomic.Bool
}

func (r *refusing) Deliver(ctx context.Context, m *receiver.Message) error {
	if !r.open.Load() {
		return &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 3, 0}, Message: "try again later"}
	}
	return r.Store.Deliver(ctx, m)
}

// TestQueueSurvivesRestart: mail the forwarder answered 250 for is in its
// spool directory at the 250, and a forwarder started again on the same
// -queue-dir delivers it.
func TestQueueSurvivesRestart(t *testing.T) {
	bob := &refusing{Store: memstore.Store{Domains: []string{"example.com"}}}
	srv, port, err := receiver.ServeLocal(&receiver.Backend{Hostname: demozone.ReceiverMX, Handler: bob})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	queueDir := t.TempDir()

	start := func() (addr string, stop func()) {
		cfg, err := parseFlags([]string{"-listen", "127.0.0.1:0", "-domain", "example.net", "-hostname", demozone.ForwarderMX,
			"-srs-secret", "test secret", "-retry", "20ms", "-alias", "bob=bob@example.com", "-queue-dir", queueDir}, io.Discard)
		require.NoError(t, err)
		cfg.host.ResolverOverride = testZone.Resolver()
		cfg.out.MXPorts = map[string]int{demozone.ReceiverMX: port}
		addrc := make(chan string, 1)
		cfg.ready = func(a net.Addr) { addrc <- a.String() }
		return runtest.Start(t, addrc, func(ctx context.Context) error { return run(ctx, cfg, t.Output()) })
	}

	addr, stop := start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := testZone.Sign("example.org", []byte("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: kept\r\n\r\nHi.\r\n"))
	require.NoError(t, err)
	require.NoError(t, smtp.SendMail(ctx, addr, "alice@example.org", []string{"bob@example.net"}, strings.NewReader(string(msg)),
		smtp.WithLocalName(demozone.SenderMX)))
	spooled, err := filepath.Glob(filepath.Join(queueDir, "msg", "*.msg"))
	require.NoError(t, err)
	require.Len(t, spooled, 1, "on disk when the 250 came")
	stop()
	require.Empty(t, bob.Messages())

	bob.open.Store(true)
	_, stop = start()
	defer stop()
	msgs := runtest.Wait(t, &bob.Store, 1)
	require.Contains(t, string(msgs[0].Data), "Subject: kept")
	require.True(t, strings.HasPrefix(msgs[0].From, "SRS0="), msgs[0].From)
	require.Eventually(t, func() bool {
		left, _ := os.ReadDir(filepath.Join(queueDir, "msg"))
		return len(left) == 0
	}, 10*time.Second, 10*time.Millisecond, "removed once delivered")
}
