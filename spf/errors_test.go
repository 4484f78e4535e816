package spf

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

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
		}{{"example.org.", dns.TypeTXT}, {"host.example.org.", dns.TypeA}} {
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
				if q.qtype == dns.TypeTXT {
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

// TestDeadlineIsTemporary: running out of time is a temporary failure too.
func TestDeadlineIsTemporary(t *testing.T) {
	c := &Checker{Resolver: blockingResolver{mkZone(t)}, Timeout: 20 * time.Millisecond}
	_, err := c.Check(ctx, netip.MustParseAddr("192.0.2.1"), "h.example", "u@example.org")
	assert.ErrorIs(t, err, ErrDeadline)
	assert.ErrorIs(t, err, ErrTemporary)
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary)
	assert.True(t, de.IsTimeout)
	assert.True(t, errors.Is(err, ErrDNS))
}
