package resolver

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// CheckAddr checks the -resolver flag: "" (the system's resolver), a
// host:port ("127.0.0.1:5353", "[::1]:53", "ns.example.net:53"), or a bare
// IP address, to which port 53 is added. It returns the address to dial.
func CheckAddr(addr string) (string, error) {
	if addr == "" {
		return "", nil
	}
	if ip, err := netip.ParseAddr(addr); err == nil {
		// A zone may hold any byte but '%'; one with ']' in it cannot
		// stand in brackets, so it could not be dialled.
		hostPort := net.JoinHostPort(ip.String(), "53")
		if _, _, err := net.SplitHostPort(hostPort); err != nil {
			return "", fmt.Errorf("%q: zone %q cannot stand in an address to dial", addr, ip.Zone())
		}
		return hostPort, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%q is not host:port (example: 127.0.0.1:53)", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%q: port %q is not a number from 1 to 65535", addr, port)
	}
	if _, err := netip.ParseAddr(host); err != nil && !isHostName(host) {
		return "", fmt.Errorf("%q: %q is neither an IP address nor a host name", addr, host)
	}
	return addr, nil
}

// isHostName reports whether s is a plausible DNS host name: letters,
// digits and hyphens in dot-separated labels of 1 to 63 octets.
func isHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
