package testpeer

import (
	"net"
	"strconv"
	"testing"
)

// TestFreePort: the port FreePort returns can be bound for TCP and UDP,
// and PortFree tells a port in use from a free one.
func TestFreePort(t *testing.T) {
	port := FreePort(t)
	if port <= 0 || port > 65535 {
		t.Fatalf("FreePort = %d", port)
	}
	if !PortFree(port) {
		t.Fatalf("PortFree(%d) = false for the port FreePort returned", port)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if PortFree(port) {
		t.Errorf("PortFree(%d) = true while a TCP listener holds it", port)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if PortFree(pc.LocalAddr().(*net.UDPAddr).Port) {
		t.Errorf("PortFree = true for a port a UDP socket holds")
	}
}
