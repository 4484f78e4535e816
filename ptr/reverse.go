package ptr

import "net/netip"

const hexDigits = "0123456789abcdef"

// ReverseName returns the name under which the PTR records of ip live, with
// the trailing dot: "4.3.2.1.in-addr.arpa." for 1.2.3.4 (RFC 1035 §3.5) and
// 32 nibbles under "ip6.arpa." for IPv6 (RFC 3596 §2.5). An IPv4-mapped IPv6
// address gives the IPv4 name. It returns "" for the zero Addr.
func ReverseName(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.Is4():
		a := ip.As4()
		// At most 4×"255." + "in-addr.arpa." = 29 bytes.
		buf := make([]byte, 0, 29)
		for i := 3; i >= 0; i-- {
			buf = appendDecimal(buf, a[i])
			buf = append(buf, '.')
		}
		buf = append(buf, "in-addr.arpa."...)
		return string(buf)
	case ip.Is6():
		a := ip.As16()
		var buf [64 + len("ip6.arpa.")]byte
		n := 0
		for i := 15; i >= 0; i-- {
			buf[n] = hexDigits[a[i]&0xf]
			buf[n+1] = '.'
			buf[n+2] = hexDigits[a[i]>>4]
			buf[n+3] = '.'
			n += 4
		}
		copy(buf[n:], "ip6.arpa.")
		return string(buf[:])
	}
	return ""
}

func appendDecimal(buf []byte, b byte) []byte {
	switch {
	case b >= 100:
		return append(buf, '0'+b/100, '0'+b/10%10, '0'+b%10)
	case b >= 10:
		return append(buf, '0'+b/10, '0'+b%10)
	}
	return append(buf, '0'+b)
}
