package testpeer

import (
	"net"
	"strconv"
	"testing"
)

// FreePort returns a port of 127.0.0.1 that is free for both TCP and UDP,
// for a peer program that must be told where to listen (a DNS server
// needs both). The port is only known to be free when FreePort returns:
// the peer should bind it soon after. No such port in 20 tries ends the
// test.
func FreePort(t testing.TB) int {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testpeer: finding a free port: %v", err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		pc.Close()
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatalf("testpeer: no port of 127.0.0.1 free for both TCP and UDP in 20 tries")
	return 0
}

// PortFree reports whether port is free on 127.0.0.1 for both UDP and
// TCP.
func PortFree(port int) bool {
	pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	defer pc.Close()
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
