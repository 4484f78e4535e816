package mx

import (
	"net"
)

func mxs(pairs ...any) []*net.MX {
	var out []*net.MX
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, &net.MX{Pref: uint16(pairs[i].(int)), Host: pairs[i+1].(string)})
	}
	return out
}
