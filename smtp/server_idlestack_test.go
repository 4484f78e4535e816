//go:build !race

// Under the race detector every goroutine stack needs twice the guard,
// so the 2 KiB figure below holds only without it.

package smtp

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIdleConnStack: a connection waiting for its next command after
// EHLO keeps its goroutine on the runtime's initial 2 KiB stack. The
// runtime never shrinks a 4 KiB stack back, so one deep call on the way
// (it was the timer code behind the first SetReadDeadline, then
// strconv in the EHLO reply) made every idle connection cost 2 KiB
// more (.ci/compare BenchmarkSMTPIdleConn: 4.5 KB per connection
// before the raw socket path, 7.2 KB with it).
//
// The figure is taken in a new process (this test binary run again),
// since stacks freed by earlier tests are reused and blur it.
func TestIdleConnStack(t *testing.T) {
	if os.Getenv("SMTP_IDLESTACK_CHILD") == "1" {
		fmt.Printf("IDLESTACK %.0f\n", idleStackPerConn(t))
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleConnStack$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SMTP_IDLESTACK_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	_, figure, ok := strings.Cut(string(out), "IDLESTACK ")
	require.True(t, ok, "no figure in the child's output: %s", out)
	figure, _, _ = strings.Cut(figure, "\n")
	perConn, err := strconv.ParseFloat(figure, 64)
	require.NoError(t, err)
	t.Logf("goroutine stack per idle connection: %.0f bytes", perConn)
	assert.Less(t, perConn, 3072.0, "idle connections' goroutines grew past the initial 2 KiB stack")
}

// idleStackPerConn opens connections past EHLO and returns the growth
// of goroutine stack memory per connection once they are idle.
func idleStackPerConn(t *testing.T) float64 {
	const n = 200
	addr := stStart(t, &Server{
		Hostname:            "mx.example",
		MaxConnectionsPerIP: -1,
		Backend:             BackendFunc(func(*Conn) (Session, error) { return stNopSession{}, nil }),
	})
	stackInUse := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.StackInuse
	}
	before := stackInUse()
	conns := make([]*stConn, 0, n)
	for range n {
		c := stDial(t, addr)
		c.expect("", 220)
		c.expect("EHLO client.example", 250)
		conns = append(conns, c)
	}
	time.Sleep(50 * time.Millisecond) // every server goroutine back in its read
	perConn := (float64(stackInUse()) - float64(before)) / n
	for _, c := range conns {
		c.send("QUIT\r\n")
	}
	return perConn
}
