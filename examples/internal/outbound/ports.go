package outbound

import (
	"fmt"
	"strconv"
	"strings"
)

// ParsePorts reads the -mx-port flag of the examples: "" (port 25), a port
// for every MX host ("2525"), or a list of per-host ports with an optional
// default ("mx.example.com=2525,mx.example.net=2526,25"). Host names are
// compared in lower case without a trailing dot.
func ParsePorts(s string) (port int, ports map[string]int, err error) {
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		host, p, hasHost := strings.Cut(item, "=")
		if !hasHost {
			p = host
		}
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 || n > 65535 {
			return 0, nil, fmt.Errorf("bad port %q in %q", p, item)
		}
		if !hasHost {
			port = n
			continue
		}
		if ports == nil {
			ports = map[string]int{}
		}
		ports[strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")] = n
	}
	return port, ports, nil
}
