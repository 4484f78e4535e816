package mx

import (
	"net"
	"net/netip"
)

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func servFail(name string) error {
	return &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
}

func mxs(pairs ...any) []*net.MX {
	var out []*net.MX
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, &net.MX{Pref: uint16(pairs[i].(int)), Host: pairs[i+1].(string)})
	}
	return out
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}
