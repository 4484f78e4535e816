package dnstest

import (
	"net"
	"time"
)

// Go's resolver sets a deadline on each connection from its own timeout
// (resolv.conf, 5 s by default) and the context. These wrappers cap that
// deadline so a dropped query fails within the server's Timeout. The UDP
// wrapper keeps the net.PacketConn methods: the resolver uses them to
// choose datagram framing.

type clampedUDPConn struct {
	*net.UDPConn
	max time.Duration
}

func (c *clampedUDPConn) SetDeadline(t time.Time) error {
	return c.UDPConn.SetDeadline(clamp(t, c.max))
}

func (c *clampedUDPConn) SetReadDeadline(t time.Time) error {
	return c.UDPConn.SetReadDeadline(clamp(t, c.max))
}

type clampedTCPConn struct {
	*net.TCPConn
	max time.Duration
}

func (c *clampedTCPConn) SetDeadline(t time.Time) error {
	return c.TCPConn.SetDeadline(clamp(t, c.max))
}

func (c *clampedTCPConn) SetReadDeadline(t time.Time) error {
	return c.TCPConn.SetReadDeadline(clamp(t, c.max))
}

func clamp(t time.Time, max time.Duration) time.Time {
	limit := time.Now().Add(max)
	if t.IsZero() || t.After(limit) {
		return limit
	}
	return t
}
