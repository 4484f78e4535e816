package resolver

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/mailsmith/mailsmith/mx"
)

// HostsFile is the hosts file the system resolver reads.
const HostsFile = "/etc/hosts"

// maxHostsFile bounds how much of the hosts file is read.
const maxHostsFile = 1 << 20

// System returns the system's resolver (net.DefaultResolver) with both
// directions of address lookup answered from the hosts file first.
//
// Go answers a reverse lookup (LookupAddr) from /etc/hosts before DNS, so
// 127.0.0.1 comes back as "localhost", but it sends the forward lookup of
// the rooted name "localhost." that an iprev check makes (RFC 8601 §3:
// PTR, then A/AAAA of each name) to DNS, where it does not exist: iprev
// for 127.0.0.1 failed. Here the forward lookup of a name the hosts file
// lists is answered from the same file, with or without the trailing dot,
// so reverse and forward lookups agree and 127.0.0.1 passes as localhost.
// Names not in the file go to DNS as before.
func System() Resolver { return &system{Resolver: net.DefaultResolver, hostsFile: HostsFile} }

type system struct {
	*net.Resolver
	hostsFile string
}

// DomainExists implements mx.ExistsResolver with an MX query to the name
// servers of /etc/resolv.conf (mx.NetResolver), so package mx tells a
// domain that does not exist from one that exists without MX or address
// records (implicit MX).
func (s *system) DomainExists(ctx context.Context, name string) (bool, error) {
	return (&mx.NetResolver{Resolver: s.Resolver}).DomainExists(ctx, name)
}

// LookupNetIP answers from the hosts file when it lists host.
func (s *system) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	var found bool
	var addrs []netip.Addr
	s.scanHosts(func(ip netip.Addr, names []string) bool {
		for _, n := range names {
			if strings.ToLower(strings.TrimSuffix(n, ".")) != name {
				continue
			}
			found = true
			if network == "ip" || network == "ip4" && ip.Is4() || network == "ip6" && ip.Is6() {
				addrs = append(addrs, ip)
			}
			break
		}
		return true
	})
	switch {
	case !found:
		addrs, err := s.Resolver.LookupNetIP(ctx, network, host)
		// Go's resolver can answer an IPv4 address in its IPv6-mapped
		// form (::ffff:127.0.0.1 for "localhost", go.dev/issue/53554);
		// callers comparing addresses want the plain one.
		for i, a := range addrs {
			addrs[i] = a.Unmap()
		}
		return addrs, err
	case len(addrs) == 0:
		return nil, &net.DNSError{Err: "no such host", Name: host, Server: s.hostsFile, IsNotFound: true}
	}
	return addrs, nil
}

// LookupAddr answers from the hosts file when it lists addr; the names
// come rooted (with the trailing dot), as DNS gives them.
func (s *system) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return s.Resolver.LookupAddr(ctx, addr)
	}
	ip = ip.Unmap()
	var names []string
	s.scanHosts(func(h netip.Addr, ns []string) bool {
		if h == ip {
			for _, n := range ns {
				names = append(names, strings.TrimSuffix(n, ".")+".")
			}
		}
		return true
	})
	if len(names) > 0 {
		return names, nil
	}
	return s.Resolver.LookupAddr(ctx, addr)
}

// scanHosts calls fn for every "address name..." line of the hosts file
// until fn returns false. A missing or unreadable file has no lines.
func (s *system) scanHosts(fn func(ip netip.Addr, names []string) bool) {
	f, err := os.Open(s.hostsFile)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxHostsFile))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		ip, err := netip.ParseAddr(fields[0])
		if err != nil {
			continue
		}
		if !fn(ip.Unmap().WithZone(""), fields[1:]) {
			return
		}
	}
}
