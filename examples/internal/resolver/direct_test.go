package resolver

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx"
)

func TestDirectLookupAddr(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN 0.0.127.in-addr.arpa.
1   IN PTR mx.example.com.
$ORIGIN 2.0.192.in-addr.arpa.
5   IN PTR a.example.org.
5   IN PTR b.example.org.
6   IN TXT "no PTR here"
`)
	r, err := New(srv.Addr())
	require.NoError(t, err)
	ctx := context.Background()

	names, err := r.LookupAddr(ctx, "127.0.0.1")
	require.NoError(t, err)
	require.Equal(t, []string{"mx.example.com."}, names, "the zone, not /etc/hosts")

	names, err = r.LookupAddr(ctx, "192.0.2.5")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"a.example.org.", "b.example.org."}, names)

	for _, tt := range []struct {
		ip                  string
		fault               dnstest.Fault // on the PTR query of 192.0.2.5
		notFound, temporary bool
	}{
		{ip: "192.0.2.6", notFound: true},  // NODATA
		{ip: "192.0.2.99", notFound: true}, // NXDOMAIN
		{ip: "192.0.2.5", fault: dnstest.ServFail, temporary: true},
		{ip: "192.0.2.5", fault: dnstest.Truncate}, // retried over TCP
	} {
		srv.Fault("5.2.0.192.in-addr.arpa.", dnstest.TypePTR, tt.fault)
		_, err := r.LookupAddr(ctx, tt.ip)
		srv.ClearFaults()
		if !tt.notFound && !tt.temporary {
			require.NoError(t, err, tt.ip)
			continue
		}
		var de *net.DNSError
		require.True(t, errors.As(err, &de), "%v", err)
		require.Equal(t, tt.notFound, de.IsNotFound, tt.ip)
		require.Equal(t, tt.temporary, de.IsTemporary, tt.ip)
	}
	_, err = r.LookupAddr(ctx, "not an address")
	require.Error(t, err)
}

func TestNewDefault(t *testing.T) {
	r, err := New("")
	require.NoError(t, err)
	require.Equal(t, System(), r)
	_, err = New("127.0.0.1")
	require.NoError(t, err, "port 53 is added")
	_, err = New("127.0.0.1:dns")
	require.Error(t, err)
}

// TestDomainExists: the resolvers of New (Direct) and System tell a name
// that exists without records of the asked type (NODATA) from one that
// does not exist (NXDOMAIN), through mx.NetResolver, so package mx can
// tell an implicit MX from ErrNoSuchDomain.
func TestDomainExists(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN example.org.
txtonly  IN TXT "v=spf1 -all"
@        IN MX  10 mx
mx       IN A   192.0.2.1
`)
	r, err := New(srv.Addr())
	require.NoError(t, err)
	ex, ok := r.(mx.ExistsResolver)
	require.True(t, ok, "New's resolver implements mx.ExistsResolver")
	_, ok = System().(mx.ExistsResolver)
	require.True(t, ok, "System's resolver implements mx.ExistsResolver")

	for name, want := range map[string]bool{"txtonly.example.org.": true, "example.org.": true, "nothing.example.org.": false} {
		got, err := ex.DomainExists(context.Background(), name)
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
	}
	hosts, err := (&mx.Router{Resolver: r}).Lookup(context.Background(), "txtonly.example.org")
	require.NoError(t, err)
	require.Len(t, hosts, 1)
	require.True(t, hosts[0].Implicit, "an existing domain without MX is its own implicit MX")
	_, err = (&mx.Router{Resolver: r}).Lookup(context.Background(), "nothing.example.org")
	require.ErrorIs(t, err, mx.ErrNoSuchDomain)
}

// TestDirectNamesTheServerAsked: Go's resolver names the first server of
// /etc/resolv.conf in its errors even when its Dial went elsewhere; the
// Direct resolver's failures name the server every query went to.
func TestDirectNamesTheServerAsked(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN example.org.
@    IN TXT "v=spf1 -all"
`)
	r, err := New(srv.Addr())
	require.NoError(t, err)
	ctx := context.Background()
	checks := map[string]func() error{
		"TXT": func() error { _, err := r.LookupTXT(ctx, "nothere.example.org."); return err },
		"MX":  func() error { _, err := r.LookupMX(ctx, "nothere.example.org."); return err },
		"A":   func() error { _, err := r.LookupNetIP(ctx, "ip4", "nothere.example.org."); return err },
		"PTR": func() error { _, err := r.LookupAddr(ctx, "192.0.2.99"); return err },
	}
	for name, lookup := range checks {
		err := lookup()
		var de *net.DNSError
		require.True(t, errors.As(err, &de), "%s: %v", name, err)
		require.True(t, de.IsNotFound, "%s: %v", name, err)
		require.Equal(t, srv.Addr(), de.Server, "%s: %v", name, err)
	}
	txt, err := r.LookupTXT(ctx, "example.org.")
	require.NoError(t, err)
	require.Equal(t, []string{"v=spf1 -all"}, txt)

	// Go's resolver merges identical lookups in flight and hands each
	// caller the same error value: relabelling must not write to it (the
	// race detector caught that under package mx's parallel address
	// lookups).
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() { _, errs[i] = r.LookupNetIP(ctx, "ip4", "merged.example.org.") })
	}
	wg.Wait()
	for _, err := range errs {
		var de *net.DNSError
		require.True(t, errors.As(err, &de), "%v", err)
		require.Equal(t, srv.Addr(), de.Server)
		require.True(t, de.IsNotFound)
	}
}
