package dnstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outcome is what a lookup gave, in a form both resolvers can be compared
// on: the answers sorted, or the error's class.
func outcome(answers []string, err error) string {
	if err != nil {
		var de *net.DNSError
		if !errors.As(err, &de) {
			return "error " + err.Error()
		}
		return fmt.Sprintf("error notfound=%v temporary=%v timeout=%v", de.IsNotFound, de.IsTemporary, de.IsTimeout)
	}
	slices.Sort(answers)
	return fmt.Sprint(answers)
}

// TestMemoryMatchesServer: the in-memory resolver answers every lookup as
// Go's resolver talking to the Server over the wire, from the same zone
// text, faults included.
func TestMemoryMatchesServer(t *testing.T) {
	srv := New(t, zoneOrg, zoneNet, `escaped.example.com. IN TXT "a\"b\\c \010 é ; %{i}" "second part"`)
	srv.Timeout = 100 * time.Millisecond
	wire := srv.Resolver()
	mem := srv.Memory()
	ctx := lookupCtx(t)

	type probe struct {
		name  string
		fault Fault
		qtype uint16
	}
	probes := []probe{
		{"example.org.", NoFault, dns.TypeTXT},
		{"escaped.example.com.", NoFault, dns.TypeTXT},
		{"example.org.", NoFault, dns.TypeMX},
		{"mx1.example.org.", NoFault, dns.TypeA},
		{"mx1.example.org.", NoFault, dns.TypeAAAA},
		{"mx2.example.org.", NoFault, dns.TypeAAAA}, // NODATA
		{"nope.example.org.", NoFault, dns.TypeA},   // NXDOMAIN
		{"deep.example.org.", NoFault, dns.TypeTXT}, // empty non-terminal
		{"alias.example.org.", NoFault, dns.TypeA},  // CNAME
		{"x.wild.example.org.", NoFault, dns.TypeTXT},
		{"x.wild.example.org.", NoFault, dns.TypeA},
		{"192.0.2.1", NoFault, dns.TypePTR},
		{"192.0.2.99", NoFault, dns.TypePTR},
		{"example.org.", ServFail, dns.TypeTXT},
		{"example.org.", Refused, dns.TypeMX},
		{"mx1.example.org.", Drop, dns.TypeA},
		{"mx1.example.org.", NXDomain, dns.TypeA},
		{"example.org.", Truncate, dns.TypeTXT},
	}
	for _, p := range probes {
		t.Run(p.name+" "+dns.TypeToString[p.qtype]+" "+p.fault.String(), func(t *testing.T) {
			srv.ClearFaults()
			if p.fault != NoFault {
				name := p.name
				if p.qtype == dns.TypePTR {
					name, _ = dns.ReverseAddr(name)
				}
				srv.Fault(name, p.qtype, p.fault)
			}
			var got [2]string
			for i, r := range []interface {
				LookupTXT(context.Context, string) ([]string, error)
				LookupMX(context.Context, string) ([]*net.MX, error)
				LookupAddr(context.Context, string) ([]string, error)
			}{wire, mem} {
				var answers []string
				var err error
				switch p.qtype {
				case dns.TypeTXT:
					answers, err = r.LookupTXT(ctx, p.name)
				case dns.TypeMX:
					var mxs []*net.MX
					mxs, err = r.LookupMX(ctx, p.name)
					for _, mx := range mxs {
						answers = append(answers, fmt.Sprint(mx.Pref, " ", mx.Host))
					}
				case dns.TypePTR:
					answers, err = r.LookupAddr(ctx, p.name)
				case dns.TypeA, dns.TypeAAAA:
					network := "ip4"
					if p.qtype == dns.TypeAAAA {
						network = "ip6"
					}
					addrs, e := r.(interface {
						LookupNetIP(context.Context, string, string) ([]netip.Addr, error)
					}).LookupNetIP(ctx, network, p.name)
					err = e
					for _, a := range addrs {
						answers = append(answers, a.String())
					}
				}
				got[i] = outcome(answers, err)
			}
			assert.Equal(t, got[0], got[1], "wire, then memory")
		})
	}
}

// TestMemoryRelativeName: a name without the trailing dot is an error that
// says so, not "not found".
func TestMemoryRelativeName(t *testing.T) {
	mem := NewMemory(t, zoneOrg)
	_, err := mem.LookupTXT(context.Background(), "example.org")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.False(t, de.IsNotFound)
	assert.Contains(t, de.Err, "not absolute")
	txts, err := mem.LookupTXT(context.Background(), "EXAMPLE.org.")
	require.NoError(t, err)
	assert.Equal(t, []string{"v=spf1 -all"}, txts)
	assert.Equal(t, 1, mem.CountQueries("example.org.", dns.TypeTXT))
}

// TestMemoryDomainExists tells NXDOMAIN from NODATA.
func TestMemoryDomainExists(t *testing.T) {
	mem := NewMemory(t, zoneOrg)
	ctx := context.Background()
	for name, want := range map[string]bool{
		"example.org.": true, "mx2.example.org.": true, "deep.example.org.": true,
		"x.wild.example.org.": true, "nope.example.org.": false,
	} {
		got, err := mem.DomainExists(ctx, name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	mem.Fault("example.org.", dns.TypeMX, ServFail)
	_, err := mem.DomainExists(ctx, "example.org.")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary)
	mem.Fault("example.org.", dns.TypeMX, NXDomain)
	got, err := mem.DomainExists(ctx, "example.org.")
	assert.NoError(t, err)
	assert.False(t, got)
}

// TestMemoryContext: an ended context is an error, as with Go's resolver.
func TestMemoryContext(t *testing.T) {
	mem := NewMemory(t, zoneOrg)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := mem.LookupMX(ctx, "example.org.")
	assert.ErrorIs(t, err, context.Canceled)
}
