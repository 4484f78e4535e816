package mx

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Go's resolver answers "not found" alike for NXDOMAIN (the name does not
// exist) and NODATA (it exists without records of the type asked), so an MX
// lookup alone cannot tell "no such domain" from "implicit MX" (RFC 5321
// §5.1). When the resolver is a *net.Resolver, nameExists asks the same
// servers the resolver uses (through its Dial function when it has one) and
// reads the response code itself.

const (
	resolvConf       = "/etc/resolv.conf"
	probeTimeout     = 3 * time.Second // per attempt, within the ctx deadline
	probeUDPSize     = 1232            // EDNS0 buffer size (DNS flag day 2020)
	maxProbeServers  = 3               // like resolv.conf's MAXNS
	defaultProbePort = "53"
)

// nameExists reports whether domain exists. decided is false when the
// resolver offers no way to tell (it is not a *net.Resolver) or no server
// gave a clear answer; the caller then falls back on what the resolver
// itself said.
func nameExists(ctx context.Context, res Resolver, domain string) (exists, decided bool) {
	nr, ok := res.(*net.Resolver)
	if !ok || nr == nil {
		return false, false
	}
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(domain), dns.TypeMX)
	q.RecursionDesired = true
	q.SetEdns0(probeUDPSize, false)

	for _, server := range probeServers() {
		if ctx.Err() != nil {
			break
		}
		resp, err := exchange(ctx, nr, server, q)
		if err != nil {
			continue
		}
		switch resp.Rcode {
		case dns.RcodeNameError:
			return false, true
		case dns.RcodeSuccess:
			return true, true
		}
	}
	return false, false
}

// probeServers returns the name servers from resolv.conf, or the local
// defaults Go's resolver uses when there is none.
func probeServers() []string {
	var servers []string
	if conf, err := dns.ClientConfigFromFile(resolvConf); err == nil {
		port := conf.Port
		if port == "" {
			port = defaultProbePort
		}
		for _, s := range conf.Servers {
			servers = append(servers, net.JoinHostPort(s, port))
		}
	}
	if len(servers) == 0 {
		servers = []string{"127.0.0.1:53", "[::1]:53"}
	}
	if len(servers) > maxProbeServers {
		servers = servers[:maxProbeServers]
	}
	return servers
}

// exchange sends q to server over UDP, and over TCP when the answer comes
// back truncated, dialing through the resolver's Dial when it is set.
func exchange(ctx context.Context, nr *net.Resolver, server string, q *dns.Msg) (*dns.Msg, error) {
	resp, err := exchangeOver(ctx, nr, "udp", server, q)
	if err == nil && resp.Truncated {
		resp, err = exchangeOver(ctx, nr, "tcp", server, q)
	}
	return resp, err
}

func exchangeOver(ctx context.Context, nr *net.Resolver, network, server string, q *dns.Msg) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	if nr.Dial != nil {
		conn, err = nr.Dial(ctx, network, server)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, network, server)
	}
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline) //nolint:errcheck // a failed read reports it
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) }) //nolint:errcheck
	defer stop()

	co := &dns.Conn{Conn: conn, UDPSize: probeUDPSize}
	q = q.Copy()
	q.Id = dns.Id()
	if err := co.WriteMsg(q); err != nil {
		return nil, err
	}
	for {
		resp, err := co.ReadMsg()
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, err
		}
		if resp.Id != q.Id || len(resp.Question) != 1 ||
			!strings.EqualFold(resp.Question[0].Name, q.Question[0].Name) ||
			resp.Question[0].Qtype != q.Question[0].Qtype {
			if network == "udp" {
				continue // a stray datagram: keep waiting for ours
			}
			return nil, errors.New("answer does not match the question")
		}
		return resp, nil
	}
}
