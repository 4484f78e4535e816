package smtp

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Server's limits: the overall deadline of a message transfer, the
// connections in all and per client address, the command timeouts.

// rlDialGreeted dials and reads the first reply.
func rlDialGreeted(t *testing.T, addr string) (*stConn, stReply) {
	t.Helper()
	c := stDial(t, addr)
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	r, err := c.tryRead()
	require.NoError(t, err)
	return c, r
}

// TestReliabilityDataDeadlineDefaults: the overall deadline of a message
// transfer comes from the size limit and a minimum rate, is settable,
// and can be switched off.
func TestReliabilityDataDeadlineDefaults(t *testing.T) {
	floor := ServerDataDeadlineFloor
	tests := []struct {
		name string
		s    *Server
		want time.Duration
	}{
		{"zero value: default size limit at the minimum rate", &Server{},
			floor + time.Duration(DefaultMaxMessageBytes/ServerDataMinRate)*time.Second},
		{"1 MiB limit", &Server{MaxMessageBytes: 1 << 20}, floor + time.Duration((1<<20)/ServerDataMinRate)*time.Second},
		{"tiny limit: the floor", &Server{MaxMessageBytes: 100}, floor},
		{"set", &Server{DataDeadline: 42 * time.Second}, 42 * time.Second},
		{"negative: none", &Server{DataDeadline: -1}, 0},
		{"no size limit: none by default", &Server{MaxMessageBytes: -1}, 0},
		{"no size limit, set", &Server{MaxMessageBytes: -1, DataDeadline: time.Hour}, time.Hour},
		{"absurd size limit does not overflow", &Server{MaxMessageBytes: 1 << 62}, floor + srvMaxDataDeadlineSecs*time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.s.dataDeadline())
		})
	}
	// The documented figure for the zero value.
	assert.Equal(t, 73*time.Minute+16*time.Second, (&Server{}).dataDeadline())
}

// TestReliabilityDataDeadline: a client that keeps every read within
// DataTimeout but never finishes its message is cut off by the overall
// deadline with 421 4.4.2, counted, and the Session never accepts the
// partial message. Before the deadline existed such a client held the
// connection for as long as it liked.
func TestReliabilityDataDeadline(t *testing.T) {
	tests := []struct {
		name  string
		start string // after EHLO; the rest trickles a byte at a time
		want  []int  // replies to start
		drip  string
	}{
		{"DATA", "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 354}, "x"},
		{"one big BDAT chunk", "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 100000 LAST\r\n", []int{250, 250}, "x"},
		{"many small BDAT chunks", "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n", []int{250, 250}, "BDAT 1\r\nx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be := &stBackend{}
			// Per-read timeouts far above the drip interval, so that only
			// the deadline of the whole transfer can end it.
			s := &Server{Backend: be, ReadTimeout: time.Second, DataTimeout: time.Second, DataDeadline: 1200 * time.Millisecond}
			c := stGreeted(t, stStart(t, s))
			stRun(t, c, []stStep{{"EHLO c.example\r\n" + tc.start, append([]int{250}, tc.want...)}})
			start := time.Now()
			// Drip for at most 5 s; each piece well within the per-read
			// timeout. The server must end it long before.
			var r stReply
			var err error
			got := make(chan struct{})
			go func() {
				defer close(got)
				c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
				for {
					r, err = c.tryRead()
					if err != nil || r.Code != 250 || !strings.Contains(r.Lines[0], "octets") {
						return // not a BDAT chunk's reply
					}
				}
			}()
		drip:
			for time.Since(start) < 5*time.Second {
				select {
				case <-got:
					break drip
				case <-time.After(50 * time.Millisecond):
					if _, werr := c.nc.Write([]byte(tc.drip)); werr != nil {
						break drip
					}
				}
			}
			<-got
			require.NoError(t, err, "the server must answer when the deadline passes")
			t.Logf("cut off after %v", time.Since(start).Round(time.Millisecond))
			assert.Equal(t, 421, r.Code, "%v", r)
			assert.Contains(t, r.Lines[0], "4.4.2")
			assert.True(t, c.closed())
			assert.Equal(t, uint64(1), s.Stats().DataDeadlineExceeded)
			for _, m := range be.messages() {
				assert.Error(t, m.Err, "the Session got the partial message as complete")
			}
		})
	}
}

// TestReliabilityDataDeadlineNotCarriedOver: the deadline bounds one
// message; a session that sends many messages, each in time, is not cut
// off.
func TestReliabilityDataDeadlineNotCarriedOver(t *testing.T) {
	be := &stBackend{}
	s := &Server{Backend: be, DataDeadline: 300 * time.Millisecond}
	c := stGreeted(t, stStart(t, s))
	c.expect("EHLO c.example", 250)
	for i := 0; i < 4; i++ {
		stRun(t, c, []stStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 354}}, {"hello\r\n.\r\n", []int{250}}})
		stRun(t, c, []stStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 5 LAST\r\nhello", []int{250, 250, 250}}})
		time.Sleep(100 * time.Millisecond)
	}
	assert.Len(t, be.messages(), 8)
	assert.Zero(t, s.Stats().DataDeadlineExceeded)
}

// TestReliabilityConnectionLimits: the total and per-address connection
// limits, their defaults, 421 for the refused, and the counts.
func TestReliabilityConnectionLimits(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		var s Server
		assert.Equal(t, DefaultMaxConnections, s.maxConnections())
		assert.Equal(t, DefaultMaxConnectionsPerIP, s.maxConnectionsPerIP())
		s.MaxConnections, s.MaxConnectionsPerIP = -1, -1
		assert.Zero(t, s.maxConnections())
		assert.Zero(t, s.maxConnectionsPerIP())
		s.MaxConnections, s.MaxConnectionsPerIP = 7, 3
		assert.Equal(t, 7, s.maxConnections())
		assert.Equal(t, 3, s.maxConnectionsPerIP())
	})
	t.Run("total", func(t *testing.T) {
		s := &Server{Backend: &stBackend{}, MaxConnections: 3, MaxConnectionsPerIP: -1}
		addr := stStart(t, s)
		var open []*stConn
		for i := 0; i < 3; i++ {
			c, r := rlDialGreeted(t, addr)
			require.Equal(t, 220, r.Code)
			open = append(open, c)
		}
		c, r := rlDialGreeted(t, addr)
		assert.Equal(t, 421, r.Code)
		assert.True(t, strings.HasPrefix(r.Lines[0], "4.3.2 mx.test.example "), "%v", r)
		assert.True(t, c.closed())
		open[1].expect("NOOP", 250) // the admitted ones are served on
		st := s.Stats()
		assert.Equal(t, 3, st.Active)
		assert.Equal(t, uint64(3), st.Accepted)
		assert.Equal(t, uint64(1), st.Refused)
		assert.Zero(t, st.RefusedPerIP)
		// A place comes free when a connection ends.
		open[0].expect("QUIT", 221)
		require.True(t, open[0].closed())
		require.Eventually(t, func() bool { return s.Stats().Active == 2 }, 5*time.Second, 5*time.Millisecond)
		_, r = rlDialGreeted(t, addr)
		assert.Equal(t, 220, r.Code)
	})
	t.Run("per address", func(t *testing.T) {
		s := &Server{Backend: &stBackend{}, MaxConnectionsPerIP: 2}
		addr := stStart(t, s)
		for i := 0; i < 2; i++ {
			_, r := rlDialGreeted(t, addr)
			require.Equal(t, 220, r.Code)
		}
		c, r := rlDialGreeted(t, addr)
		assert.Equal(t, 421, r.Code)
		assert.Contains(t, r.Lines[0], "4.7.0")
		assert.True(t, c.closed())
		st := s.Stats()
		assert.Equal(t, uint64(1), st.Refused)
		assert.Equal(t, uint64(1), st.RefusedPerIP)
	})
	t.Run("default per address", func(t *testing.T) {
		s := &Server{Backend: &stBackend{}}
		addr := stStart(t, s)
		for i := 0; i < DefaultMaxConnectionsPerIP; i++ {
			_, r := rlDialGreeted(t, addr)
			require.Equal(t, 220, r.Code, "connection %d", i)
		}
		_, r := rlDialGreeted(t, addr)
		assert.Equal(t, 421, r.Code)
		assert.Equal(t, uint64(1), s.Stats().RefusedPerIP)
	})
	t.Run("negative: unlimited", func(t *testing.T) {
		s := &Server{Backend: &stBackend{}, MaxConnectionsPerIP: -1, MaxConnections: -1}
		addr := stStart(t, s)
		for i := 0; i < DefaultMaxConnectionsPerIP+10; i++ {
			_, r := rlDialGreeted(t, addr)
			require.Equal(t, 220, r.Code, "connection %d", i)
		}
		assert.Zero(t, s.Stats().Refused)
	})
}

// TestReliabilityConnLimitKey: IPv4 addresses count alone, IPv6 ones by
// their /64 (what one subscriber is given).
func TestReliabilityConnLimitKey(t *testing.T) {
	key := func(s string) netip.Addr {
		k, ok := connLimitKey(net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s)))
		require.True(t, ok)
		return k
	}
	assert.Equal(t, netip.MustParseAddr("192.0.2.1"), key("192.0.2.1:25"))
	assert.Equal(t, key("192.0.2.1:25"), key("[::ffff:192.0.2.1]:26"))
	assert.NotEqual(t, key("192.0.2.1:25"), key("192.0.2.2:25"))
	assert.Equal(t, key("[2001:db8:1:2:aaaa::1]:25"), key("[2001:db8:1:2:bbbb::2]:25"))
	assert.NotEqual(t, key("[2001:db8:1:2::1]:25"), key("[2001:db8:1:3::1]:25"))
	_, ok := connLimitKey(nil)
	assert.False(t, ok)
	_, ok = connLimitKey(&net.UnixAddr{Name: "/tmp/x", Net: "unix"})
	assert.False(t, ok)
}

func TestServerTimeout(t *testing.T) {
	s := &Server{Backend: &stBackend{}, ReadTimeout: 100 * time.Millisecond, DataTimeout: 100 * time.Millisecond}
	addr := stStart(t, s)
	c := stGreeted(t, addr)
	r := c.read()
	assert.Equal(t, 421, r.Code)
	assert.Contains(t, r.Lines[0], "4.4.2")
	assert.True(t, c.closed())

	c = stGreeted(t, addr)
	stRun(t, c, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	c.send("partial")
	c.expect("", 421)
	assert.True(t, c.closed())
}
