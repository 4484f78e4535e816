package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/proctest"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
)

// Kill test sizes: bounded, a few seconds on a loaded machine.
const (
	killCount    = 4   // SIGKILLs while the load runs
	killAcked    = 300 // messages answered 250 before the load stops
	killLoaders  = 4   // concurrent submitting clients
	killIDHeader = "X-Kill-Test"
)

// sink is the MX of example.com in the test process: it counts the
// deliveries of each test message.
type sink struct {
	mu    sync.Mutex
	count map[int]int
}

func (s *sink) Recipient(context.Context, string) error { return nil }

func (s *sink) Deliver(_ context.Context, m *receiver.Message) error {
	v := mailmsg.Get(m.Data, killIDHeader)
	if len(v) != 1 {
		return fmt.Errorf("%d %s fields", len(v), killIDHeader)
	}
	id, err := strconv.Atoi(strings.TrimSpace(v[0]))
	if err != nil {
		return fmt.Errorf("no %s field: %q", killIDHeader, v)
	}
	s.mu.Lock()
	s.count[id]++
	s.mu.Unlock()
	return nil
}

func (s *sink) snapshot() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]int, len(s.count))
	for k, v := range s.count {
		out[k] = v
	}
	return out
}

// listeningRE matches the submission port's "listening" log line; its
// group is the address.
var listeningRE = regexp.MustCompile(`msg=listening service=submission addr=(\S+)`)

// TestKillRestart kills the submission server with SIGKILL at random
// points while clients submit, restarts it on the same queue directory,
// and checks that every message answered 250 reaches the MX at least once.
// A message is delivered twice only if its delivery was in flight at a
// kill: at most Workers per kill.
func TestKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test skipped in -short mode")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	t.Logf("seed %d", seed)

	mx := &sink{count: map[int]int{}}
	srv, port, err := receiver.ServeLocal(&receiver.Backend{Hostname: demozone.ReceiverMX, Handler: mx})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	queueDir := t.TempDir()
	startServer := func() *proctest.Process {
		t.Helper()
		return proctest.Start(t, ctx, listeningRE, "-listen", "127.0.0.1:0", "-listen-tls", "",
			"-hostname", demozone.SenderMX, "-users", "alice@example.org:pw",
			"-resolver", testZone.Server.Addr(), "-mx-port", fmt.Sprintf("%s=%d", demozone.ReceiverMX, port),
			"-queue-dir", queueDir, "-retry", "20ms")
	}

	proc := startServer()
	var current atomic.Value
	current.Store(proc.Addr)

	var (
		mu      sync.Mutex
		acked   = map[int]bool{}
		nextID  atomic.Int64
		nacked  atomic.Int64
		refused atomic.Int64
		kills   atomic.Int64
		stop    = make(chan struct{})
	)
	var loaders sync.WaitGroup
	for range killLoaders {
		loaders.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := int(nextID.Add(1))
				msg := fmt.Sprintf("From: alice@example.org\r\nTo: bob@example.com\r\nSubject: kill test %d\r\n%s: %d\r\n\r\nmessage %d\r\n",
					id, killIDHeader, id, id)
				if err := submitMail(current.Load().(string), false, "alice@example.org", "pw", "alice@example.org", []string{"bob@example.com"}, msg); err != nil {
					refused.Add(1)
					time.Sleep(10 * time.Millisecond) // the server is down or going down
					continue
				}
				mu.Lock()
				acked[id] = true
				mu.Unlock()
				nacked.Add(1)
			}
		})
	}

	// Kill at random points spread over the load, restarting each time.
	for k := range killCount {
		target := int64(killAcked * (k + 1) / (killCount + 1))
		target += int64(rng.IntN(killAcked/(killCount+1))) - killAcked/(2*(killCount+1))
		for nacked.Load() < target && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		proc.Kill()
		kills.Add(1)
		proc = startServer()
		current.Store(proc.Addr)
	}
	for nacked.Load() < killAcked && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	loaders.Wait()
	require.NoError(t, ctx.Err(), "the load did not finish")

	// Every acknowledged message must arrive; wait for the queue to drain.
	missing := func() []int {
		got := mx.snapshot()
		var out []int
		mu.Lock()
		defer mu.Unlock()
		for id := range acked {
			if got[id] == 0 {
				out = append(out, id)
			}
		}
		return out
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(missing()) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	lost := missing()

	proc.Stop()

	got := mx.snapshot()
	delivered, duplicates, unacked := 0, 0, 0
	for id, n := range got {
		delivered++
		duplicates += n - 1
		if !acked[id] {
			unacked++ // stored, then killed before the 250 reached the client
		}
	}
	t.Logf("kills %d, submissions answered 250: %d, not answered (server down or killed): %d, "+
		"distinct messages delivered: %d (of which without a 250: %d), duplicate deliveries: %d, lost: %d",
		kills.Load(), len(acked), refused.Load(), delivered, unacked, duplicates, len(lost))
	require.Empty(t, lost, "messages answered 250 and never delivered\nlast log:\n%s", proc.Log())
	require.LessOrEqual(t, duplicates, int(kills.Load())*queue.DefaultWorkers,
		"duplicates only for deliveries in flight at a kill")
	require.Equal(t, killCount, int(kills.Load()))
	entries, err := os.ReadDir(queueDir + "/msg")
	require.NoError(t, err)
	require.Empty(t, entries, "the spool is empty once everything is delivered")
}
