package dnstest

import (
	"net"
	"time"
)

// Go's resolver sets a deadline on each connection from its own timeout
// (resolv.conf, 5 s by default) and the context. clampConn caps that
// deadline so a dropped query fails within the server's Timeout.

// clampConn wraps c so that no deadline set on it lies more than max
// ahead. A UDP connection keeps its net.PacketConn methods: the resolver
// looks for them to choose datagram framing over TCP's length prefix.
func clampConn(c net.Conn, max time.Duration) net.Conn {
	cc := clampedConn{Conn: c, max: max}
	if pc, ok := c.(net.PacketConn); ok {
		return clampedPacketConn{clampedConn: cc, pc: pc}
	}
	return cc
}

type clampedConn struct {
	net.Conn
	max time.Duration
}

func (c clampedConn) SetDeadline(t time.Time) error {
	return c.Conn.SetDeadline(clamp(t, c.max))
}

func (c clampedConn) SetReadDeadline(t time.Time) error {
	return c.Conn.SetReadDeadline(clamp(t, c.max))
}

type clampedPacketConn struct {
	clampedConn
	pc net.PacketConn
}

func (c clampedPacketConn) ReadFrom(p []byte) (int, net.Addr, error) { return c.pc.ReadFrom(p) }

func (c clampedPacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	return c.pc.WriteTo(p, addr)
}

func clamp(t time.Time, max time.Duration) time.Time {
	limit := time.Now().Add(max)
	if t.IsZero() || t.After(limit) {
		return limit
	}
	return t
}
