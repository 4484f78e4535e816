package spf

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// bigRecord is an SPF record of about 2 KB, larger than Go's EDNS0 UDP
// size, split into 255-octet strings as a zone file must.
func bigRecord() (zoneText, last string) {
	var b strings.Builder
	b.WriteString("v=spf1")
	for i := 0; i < 120; i++ {
		fmt.Fprintf(&b, " ip4:198.51.%d.%d", i, i)
	}
	b.WriteString(" ip4:192.0.2.77 -all")
	rec := b.String()
	var parts []string
	for len(rec) > 0 {
		n := min(len(rec), 255)
		parts = append(parts, `"`+rec[:n]+`"`)
		rec = rec[n:]
	}
	return strings.Join(parts, " "), "ip4:192.0.2.77"
}

const wireZone = `
$ORIGIN example.org.
@           IN TXT "v=spf1 a mx ptr:example.org include:_spf.example.org exists:%{l}.ex.example.org -all"
@           IN A   192.0.2.1
@           IN MX  10 mx1
@           IN MX  20 mx2
mx1         IN A   192.0.2.10
mx2         IN AAAA 2001:db8::10
_spf        IN TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:1::/48 ~all"
ptrhost     IN A   192.0.2.50
bob.ex      IN A   127.0.0.2
fail        IN TXT "v=spf1 ip4:192.0.2.200 -all exp=why.example.org"
why         IN TXT "%{i} is not allowed to send for %{d}"
servfail    IN TXT "v=spf1 a:broken.example.org -all"
broken      IN A   192.0.2.99
incl        IN TXT "v=spf1 include:broken-spf.example.org -all"
broken-spf  IN TXT "v=spf1 +all"
drop        IN TXT "v=spf1 -all"
exist       IN TXT "v=spf1 exists:%{i}.dnsbl.example.org -all"
expfail     IN TXT "v=spf1 -all exp=broken-exp.example.org"
broken-exp  IN TXT "never shown"
multi       IN TXT "v=spf1 -all"
multi       IN TXT "v=spf1 +all"
nodata      IN A   192.0.2.3
`

const reverseZone = `
$ORIGIN 2.0.192.in-addr.arpa.
50 IN PTR ptrhost.example.org.
`

func newWireServer(t *testing.T) *dnstest.Server {
	big, _ := bigRecord()
	srv := dnstest.New(t, wireZone, reverseZone, "$ORIGIN example.org.\nbig IN TXT "+big+"\n")
	return srv
}

func TestWireResults(t *testing.T) {
	srv := newWireServer(t)
	c := &Checker{Resolver: srv.Resolver()}
	tests := []struct {
		ip, sender string
		want       Result
		mech       string
	}{
		{"192.0.2.1", "alice@example.org", Pass, "a"},
		{"192.0.2.10", "alice@example.org", Pass, "mx"},
		{"2001:db8::10", "alice@example.org", Pass, "mx"},
		{"192.0.2.50", "alice@example.org", Pass, "ptr:example.org"},
		{"198.51.100.7", "alice@example.org", Pass, "include:_spf.example.org"},
		{"192.0.2.9", "bob@example.org", Pass, "exists:%{l}.ex.example.org"},
		{"192.0.2.9", "alice@example.org", Fail, "-all"},
		{"192.0.2.9", "alice@nodata.example.org", None, ""},
		{"192.0.2.9", "alice@nxdomain.example.org", None, ""},
		{"192.0.2.9", "alice@multi.example.org", PermError, ""},
	}
	for _, tt := range tests {
		t.Run(tt.ip+" "+tt.sender, func(t *testing.T) {
			v, err := c.Check(ctx, netip.MustParseAddr(tt.ip), "mail.example.org", tt.sender)
			assert.Equal(t, tt.want, v.Result, "%v", err)
			assert.Equal(t, tt.mech, v.Mechanism)
		})
	}
	// Every query is absolute: no search domain ever appended.
	for _, q := range srv.Queries() {
		assert.True(t, strings.HasSuffix(q.Name, "."), q.Name)
	}
}

func TestWireExplanation(t *testing.T) {
	srv := newWireServer(t)
	c := &Checker{Resolver: srv.Resolver()}
	v, err := c.Check(ctx, netip.MustParseAddr("192.0.2.9"), "h.example.org", "x@fail.example.org")
	require.NoError(t, err)
	assert.Equal(t, Fail, v.Result)
	assert.Equal(t, "192.0.2.9 is not allowed to send for fail.example.org", v.Explanation)

	// A failing exp lookup leaves the Fail without explanation (§6.2).
	srv.Fault("broken-exp.example.org.", dnstest.TypeTXT, dnstest.ServFail)
	v, err = c.Check(ctx, netip.MustParseAddr("192.0.2.9"), "h.example.org", "x@expfail.example.org")
	require.NoError(t, err)
	assert.Equal(t, Fail, v.Result)
	assert.Empty(t, v.Explanation)
}

func TestWireServFailAndTimeout(t *testing.T) {
	srv := newWireServer(t)
	srv.Timeout = 100 * 1e6 // 100 ms per attempt
	c := &Checker{Resolver: srv.Resolver()}
	ip := netip.MustParseAddr("192.0.2.9")
	tests := []struct {
		name   string
		qtype  uint16
		fault  dnstest.Fault
		sender string
	}{
		{"servfail.example.org.", dnstest.TypeTXT, dnstest.ServFail, "x@servfail.example.org"},
		{"broken.example.org.", dnstest.TypeA, dnstest.ServFail, "x@servfail.example.org"},
		{"broken-spf.example.org.", dnstest.TypeTXT, dnstest.ServFail, "x@incl.example.org"},
		{"drop.example.org.", dnstest.TypeTXT, dnstest.Drop, "x@drop.example.org"},
		{"broken.example.org.", dnstest.TypeA, dnstest.Drop, "x@servfail.example.org"},
		{"192.0.2.9.dnsbl.example.org.", dnstest.TypeA, dnstest.ServFail, "x@exist.example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.fault.String(), func(t *testing.T) {
			srv.ClearFaults()
			srv.Fault(tt.name, tt.qtype, tt.fault)
			v, err := c.Check(ctx, ip, "h.example.org", tt.sender)
			assert.Equal(t, TempError, v.Result)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrTemporary)
			assert.NotEmpty(t, v.ReceivedSPF("mx.example.net"))
		})
	}
	// A PTR failure makes "ptr" not match rather than fail (§5.5).
	srv.ClearFaults()
	srv.Fault("50.2.0.192.in-addr.arpa.", dnstest.TypePTR, dnstest.ServFail)
	v, err := c.Check(ctx, netip.MustParseAddr("192.0.2.50"), "h.example.org", "alice@example.org")
	require.NoError(t, err)
	assert.Equal(t, Fail, v.Result)
}

func TestWireTruncatedTXTOverTCP(t *testing.T) {
	srv := newWireServer(t)
	c := &Checker{Resolver: srv.Resolver()}
	_, last := bigRecord()
	v, err := c.Check(ctx, netip.MustParseAddr("192.0.2.77"), "h.example.org", "x@big.example.org")
	require.NoError(t, err)
	assert.Equal(t, Pass, v.Result)
	assert.Equal(t, last, v.Mechanism)
	var udp, tcp int
	for _, q := range srv.Queries() {
		if q.Name == "big.example.org." && q.Type == dnstest.TypeTXT {
			if q.Net == "tcp" {
				tcp++
			} else {
				udp++
			}
		}
	}
	assert.GreaterOrEqual(t, udp, 1, "first asked over UDP")
	assert.GreaterOrEqual(t, tcp, 1, "retried over TCP after TC")

	// Forced truncation of a small answer takes the same path.
	srv.ResetLog()
	srv.Fault("example.org.", dnstest.TypeTXT, dnstest.Truncate)
	v, err = c.Check(ctx, netip.MustParseAddr("192.0.2.1"), "h.example.org", "x@example.org")
	require.NoError(t, err)
	assert.Equal(t, Pass, v.Result)
	assert.Equal(t, 1, countNet(srv.Queries(), "example.org.", "tcp"))
}

func countNet(qs []dnstest.Query, name, network string) int {
	n := 0
	for _, q := range qs {
		if q.Name == name && q.Net == network && q.Type == dnstest.TypeTXT {
			n++
		}
	}
	return n
}

// TestWireConcurrent shares one Checker between goroutines (run with -race).
func TestWireConcurrent(t *testing.T) {
	srv := newWireServer(t)
	c := &Checker{Resolver: srv.Resolver(), Receiver: "mx.example.net"}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				ip := netip.MustParseAddr(fmt.Sprintf("198.51.100.%d", 1+g*10+i))
				v, err := c.Check(ctx, ip, "h.example.org", "alice@example.org")
				if err != nil || v.Result != Pass {
					errs <- fmt.Errorf("%s: %s %v", ip, v.Result, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestTemporaryFailureConvention: a SERVFAIL, a REFUSED and a dropped query
// give TempError with an error that matches ErrTemporary (and its old name
// ErrDNS) and holds a *net.DNSError with IsTemporary set, Go's REFUSED
// included; the Verdict's Err is the same error; the text starts with the
// package prefix once.
func TestTemporaryFailureConvention(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN example.org.
@      IN TXT "v=spf1 a:host.example.org -all"
host   IN A   192.0.2.1
`)
	srv.Timeout = 100 * time.Millisecond
	c := &Checker{Resolver: srv.Resolver()}
	ip := netip.MustParseAddr("192.0.2.9")
	for _, fault := range []dnstest.Fault{dnstest.ServFail, dnstest.Refused, dnstest.Drop} {
		for _, q := range []struct {
			name  string
			qtype uint16
		}{{"example.org.", dnstest.TypeTXT}, {"host.example.org.", dnstest.TypeA}} {
			t.Run(fault.String()+" "+q.name, func(t *testing.T) {
				srv.ClearFaults()
				srv.Fault(q.name, q.qtype, fault)
				v, err := c.Check(ctx, ip, "h.example.org", "u@example.org")
				assert.Equal(t, TempError, v.Result)
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrTemporary)
				assert.ErrorIs(t, err, ErrDNS)
				var de *net.DNSError
				require.ErrorAs(t, err, &de)
				assert.True(t, de.IsTemporary, "%#v", de)
				assert.Equal(t, err, v.Err)
				assert.True(t, strings.HasPrefix(err.Error(), "spf: "), err.Error())
				assert.Equal(t, 1, strings.Count(err.Error(), "spf: "), err.Error())

				_, _, lerr := c.Lookup(ctx, "example.org")
				if q.qtype == dnstest.TypeTXT {
					assert.ErrorIs(t, lerr, ErrTemporary)
					require.ErrorAs(t, lerr, &de)
					assert.True(t, de.IsTemporary)
				} else {
					assert.NoError(t, lerr)
				}
			})
		}
	}
}
