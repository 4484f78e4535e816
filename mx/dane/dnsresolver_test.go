package dane_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx/dane"
)

const wireZone = `
$ORIGIN example.org.
@        IN MX 10 mx1
mx1      IN A 192.0.2.1
alias    IN CNAME mx1
_25._tcp.mx1 IN TLSA 3 1 1 ` + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + `
`

// TestDNSResolverWire runs DNSResolver against the suite's DNS server,
// which does not set the AD bit (every answer is insecure) and simulates
// failures.
func TestDNSResolverWire(t *testing.T) {
	srv := dnstest.New(t, wireZone)
	r := &dane.DNSResolver{Servers: []string{srv.Addr()}, Timeout: 300 * time.Millisecond}
	ctx := lookupCtx(t)

	mxs, secure, err := r.LookupMX(ctx, "example.org.")
	require.NoError(t, err)
	require.False(t, secure)
	require.Equal(t, "mx1.example.org.", mxs[0].Host)

	recs, _, err := r.LookupTLSA(ctx, "_25._tcp.mx1.example.org.")
	require.NoError(t, err)
	require.Equal(t, "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", recs[0].String())

	target, _, err := r.LookupCNAME(ctx, "alias.example.org.")
	require.NoError(t, err)
	require.Equal(t, "mx1.example.org.", target)
	addrs, _, err := r.LookupNetIP(ctx, "ip4", "alias.example.org.")
	require.NoError(t, err, "the CNAME is followed inside the answer")
	require.Equal(t, "192.0.2.1", addrs[0].String())
	_, _, err = r.LookupNetIP(ctx, "ip", "mx1.example.org.")
	require.Error(t, err)

	var de *net.DNSError
	_, _, err = r.LookupCNAME(ctx, "mx1.example.org.")
	require.ErrorIs(t, err, dane.ErrNoData)
	require.ErrorAs(t, err, &de)
	require.True(t, de.IsNotFound)
	_, _, err = r.LookupTLSA(ctx, "_25._tcp.nothere.example.org.")
	require.ErrorIs(t, err, dane.ErrNXDomain)
	require.NotErrorIs(t, err, dane.ErrNoData)
	require.ErrorAs(t, err, &de)
	require.True(t, de.IsNotFound)

	faults := []struct {
		fault   dnstest.Fault
		want    error
		bogus   bool
		timeout bool
	}{
		{dnstest.ServFail, dane.ErrBogus, true, false},
		{dnstest.Refused, dane.ErrTemporary, false, false},
		{dnstest.Drop, dane.ErrTemporary, false, true},
	}
	for _, f := range faults {
		srv.Fault("mx1.example.org.", dns.TypeA, f.fault)
		_, _, err := r.LookupNetIP(ctx, "ip4", "mx1.example.org.")
		require.ErrorIs(t, err, f.want, f.fault.String())
		require.ErrorIs(t, err, dane.ErrTemporary, f.fault.String())
		require.Equal(t, f.bogus, errors.Is(err, dane.ErrBogus), f.fault.String())
		require.ErrorAs(t, err, &de)
		require.True(t, de.IsTemporary, f.fault.String())
		require.Equal(t, f.timeout, de.IsTimeout, f.fault.String())
		require.True(t, strings.HasPrefix(err.Error(), "dane: "), err.Error())
	}
	srv.ClearFaults()

	// Truncated over UDP: asked again over TCP.
	srv.Fault("example.org.", dns.TypeMX, dnstest.Truncate)
	srv.ResetLog()
	mxs, _, err = r.LookupMX(ctx, "example.org.")
	require.NoError(t, err)
	require.Len(t, mxs, 1)
	require.Equal(t, []dnstest.Query{
		{Name: "example.org.", Type: dns.TypeMX, Net: "udp"},
		{Name: "example.org.", Type: dns.TypeMX, Net: "tcp"},
	}, srv.Queries())
	srv.ClearFaults()

	// The first server does not answer: the second does.
	dead := dnstest.New(t, wireZone)
	dead.Fault("example.org.", dns.TypeMX, dnstest.Drop)
	r2 := &dane.DNSResolver{Servers: []string{dead.Addr(), srv.Addr()}, Timeout: 200 * time.Millisecond}
	_, _, err = r2.LookupMX(ctx, "example.org.")
	require.NoError(t, err)

	// ctx bounds the lookup.
	srv.Fault("example.org.", dns.TypeMX, dnstest.Drop)
	slow := &dane.DNSResolver{Servers: []string{srv.Addr()}, Timeout: time.Minute}
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err = slow.LookupMX(cctx, "example.org.")
	require.ErrorIs(t, err, dane.ErrTemporary)
	require.Less(t, time.Since(start), 30*time.Second)
}

// TestDNSResolverAD checks what DNSResolver sends (AD bit, EDNS0, recursion
// desired) and that it trusts the AD bit of the answer.
func TestDNSResolverAD(t *testing.T) {
	var mu sync.Mutex
	var seen []*dns.Msg
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, req *dns.Msg) {
		mu.Lock()
		seen = append(seen, req.Copy())
		mu.Unlock()
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		m.AuthenticatedData = strings.HasPrefix(q.Name, "secure.")
		if q.Qtype == dns.TypeMX {
			rr, _ := dns.NewRR(q.Name + " 300 IN MX 10 mx.example.")
			m.Answer = append(m.Answer, rr)
		}
		w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	server := &dns.Server{PacketConn: pc, Handler: mux}
	go server.ActivateAndServe()
	t.Cleanup(func() { server.Shutdown() })

	r := &dane.DNSResolver{Servers: []string{pc.LocalAddr().String()}, Timeout: time.Second}
	ctx := lookupCtx(t)
	_, secure, err := r.LookupMX(ctx, "secure.example.")
	require.NoError(t, err)
	require.True(t, secure)
	_, secure, err = r.LookupMX(ctx, "plain.example.")
	require.NoError(t, err)
	require.False(t, secure)
	_, secure, err = r.LookupTLSA(ctx, "secure.example.")
	require.ErrorIs(t, err, dane.ErrNoData)
	require.True(t, secure, "a secure denial says so")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 3)
	for _, q := range seen {
		require.True(t, q.AuthenticatedData, "AD set in the query (RFC 6840 §5.7)")
		require.True(t, q.RecursionDesired)
		opt := q.IsEdns0()
		require.NotNil(t, opt, "EDNS0")
		require.Equal(t, uint16(1232), opt.UDPSize())
	}
}
