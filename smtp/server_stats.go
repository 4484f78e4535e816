package smtp

import "sync/atomic"

// ServerStats counts what a Server has done since it was created: what
// an operator watches to see the limits at work.
type ServerStats struct {
	// Active is the number of connections being served now.
	Active int
	// Accepted counts the connections served (refused ones excluded).
	Accepted uint64
	// Refused counts the connections answered 421 and closed at once
	// because MaxConnections or MaxConnectionsPerIP was reached.
	Refused uint64
	// RefusedPerIP is the part of Refused due to MaxConnectionsPerIP.
	RefusedPerIP uint64
	// DataDeadlineExceeded counts the message transfers cut off by
	// DataDeadline.
	DataDeadlineExceeded uint64
}

// serverCounters holds the counts behind ServerStats, and the read(2)
// and write(2) calls of the connections that have ended (plain TCP on
// Linux; for the benchmarks).
type serverCounters struct {
	accepted, refused, refusedPerIP, dataDeadline atomic.Uint64
	sysReads, sysWrites                           atomic.Uint64
}

// Stats returns the server's counts. It may be called at any time, from
// any goroutine.
func (s *Server) Stats() ServerStats {
	s.mu.Lock()
	active := s.active
	s.mu.Unlock()
	return ServerStats{
		Active:               active,
		Accepted:             s.stats.accepted.Load(),
		Refused:              s.stats.refused.Load(),
		RefusedPerIP:         s.stats.refusedPerIP.Load(),
		DataDeadlineExceeded: s.stats.dataDeadline.Load(),
	}
}
