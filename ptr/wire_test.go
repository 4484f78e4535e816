package ptr

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

const wireZone = `
$ORIGIN example.org.
@      300 IN SOA ns1 hostmaster 1 3600 600 86400 300
mail       IN A    192.0.2.1
mail       IN AAAA 2001:db8::25
other      IN A    192.0.2.99
multi      IN A    192.0.2.3
broken     IN A    192.0.2.3
mail6      IN A    192.0.2.6
v4only     IN A    192.0.2.1
$ORIGIN 2.0.192.in-addr.arpa.
@      300 IN SOA ns1.example.org. hostmaster.example.org. 1 3600 600 86400 300
1          IN PTR mail.example.org.
2          IN PTR other.example.org.
3          IN PTR broken.example.org.
3          IN PTR multi.example.org.
4          IN PTR gone.example.org.
5          IN PTR bad!name.example.org.
6          IN PTR bad!name.example.org.
6          IN PTR mail6.example.org.
8          IN TXT "no PTR here"
`

func wireServer(t *testing.T) *dnstest.Server {
	srv := dnstest.New(t, wireZone)
	require.NoError(t, srv.Add(
		ReverseName(netip.MustParseAddr("2001:db8::25"))+" IN PTR mail.example.org.",
		ReverseName(netip.MustParseAddr("2001:db8::26"))+" IN PTR v4only.example.org.",
	))
	return srv
}

func wireCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWireVerify(t *testing.T) {
	srv := wireServer(t)
	tests := []struct {
		ip     string
		result Result
		names  []string
		errIs  error
	}{
		{ip: "192.0.2.1", result: Pass, names: []string{"mail.example.org"}},
		{ip: "::ffff:192.0.2.1", result: Pass, names: []string{"mail.example.org"}},
		{ip: "2001:db8::25", result: Pass, names: []string{"mail.example.org"}},
		{ip: "192.0.2.2", result: Fail},
		{ip: "192.0.2.3", result: Pass, names: []string{"broken.example.org", "multi.example.org"}},
		{ip: "192.0.2.4", result: Fail},                                       // forward NXDOMAIN
		{ip: "192.0.2.5", result: Fail},                                       // the only PTR name is invalid
		{ip: "192.0.2.6", result: Pass, names: []string{"mail6.example.org"}}, // one valid, one invalid
		{ip: "192.0.2.7", result: PermError, errIs: ErrNoPTR},                 // NXDOMAIN
		{ip: "192.0.2.8", result: PermError, errIs: ErrNoPTR},                 // NODATA
		{ip: "2001:db8::26", result: Fail},                                    // the name has A only: NODATA for AAAA
	}
	for _, tc := range tests {
		t.Run(tc.ip, func(t *testing.T) {
			vd, err := (&Verifier{Resolver: srv.Resolver()}).Verify(wireCtx(t), netip.MustParseAddr(tc.ip))
			assert.Equal(t, tc.result, vd.Result)
			assert.Equal(t, tc.names, vd.Names)
			if tc.errIs != nil {
				require.ErrorIs(t, err, tc.errIs)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestWireFamilies(t *testing.T) {
	srv := wireServer(t)
	_, err := (&Verifier{Resolver: srv.Resolver()}).Verify(wireCtx(t), netip.MustParseAddr("::ffff:192.0.2.1"))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.CountQueries("1.2.0.192.in-addr.arpa.", dnstest.TypePTR), "mapped address looked up under in-addr.arpa")
	assert.Equal(t, 1, srv.CountQueries("mail.example.org.", dnstest.TypeA))
	assert.Equal(t, 0, srv.CountQueries("mail.example.org.", dnstest.TypeAAAA), "only the client's family")

	srv.ResetLog()
	_, err = (&Verifier{Resolver: srv.Resolver()}).Verify(wireCtx(t), netip.MustParseAddr("2001:db8::25"))
	require.NoError(t, err)
	assert.Equal(t, 0, srv.CountQueries("mail.example.org.", dnstest.TypeA))
	assert.Equal(t, 1, srv.CountQueries("mail.example.org.", dnstest.TypeAAAA))
}

func TestWirePartialPTR(t *testing.T) {
	srv := wireServer(t)
	vd, err := (&Verifier{Resolver: srv.Resolver()}).Verify(wireCtx(t), netip.MustParseAddr("192.0.2.6"))
	require.NoError(t, err)
	var de *net.DNSError
	require.ErrorAs(t, vd.ResolverErr, &de, "Go reports the PTR name it dropped")
	assert.Equal(t, goMalformedRecords, de.Err, "Go's wording changed: update goMalformedRecords")
}

func TestWireFaults(t *testing.T) {
	rev1 := "1.2.0.192.in-addr.arpa."
	qtypeName := map[uint16]string{dnstest.TypePTR: "PTR", dnstest.TypeA: "A", dnstest.TypeAAAA: "AAAA"}
	tests := []struct {
		name      string
		qtype     uint16
		fault     dnstest.Fault
		ip        string
		result    Result
		errIs     error
		temporary bool // a *net.DNSError with IsTemporary (DESIGN's failure convention)
	}{
		{name: rev1, qtype: dnstest.TypePTR, fault: dnstest.ServFail, ip: "192.0.2.1", result: TempError, errIs: ErrTemporary, temporary: true},
		{name: rev1, qtype: dnstest.TypePTR, fault: dnstest.Refused, ip: "192.0.2.1", result: TempError, errIs: ErrTemporary, temporary: true},
		{name: rev1, qtype: dnstest.TypePTR, fault: dnstest.Drop, ip: "192.0.2.1", result: TempError, errIs: ErrTemporary, temporary: true},
		{name: rev1, qtype: dnstest.TypePTR, fault: dnstest.NXDomain, ip: "192.0.2.1", result: PermError, errIs: ErrNoPTR},
		{name: rev1, qtype: dnstest.TypePTR, fault: dnstest.Truncate, ip: "192.0.2.1", result: Pass},
		{name: "mail.example.org.", qtype: dnstest.TypeA, fault: dnstest.ServFail, ip: "192.0.2.1", result: TempError, errIs: ErrTemporary, temporary: true},
		{name: "mail.example.org.", qtype: dnstest.TypeA, fault: dnstest.Refused, ip: "192.0.2.1", result: TempError, errIs: ErrTemporary, temporary: true},
		{name: "mail.example.org.", qtype: dnstest.TypeA, fault: dnstest.Drop, ip: "192.0.2.1", result: TempError, errIs: ErrTemporary, temporary: true},
		{name: "mail.example.org.", qtype: dnstest.TypeA, fault: dnstest.NXDomain, ip: "192.0.2.1", result: Fail},
		{name: "mail.example.org.", qtype: dnstest.TypeA, fault: dnstest.Truncate, ip: "192.0.2.1", result: Pass},
		{name: "mail.example.org.", qtype: dnstest.TypeAAAA, fault: dnstest.ServFail, ip: "2001:db8::25", result: TempError, errIs: ErrTemporary, temporary: true},
		// A temporary failure on one name does not hide another's pass.
		{name: "broken.example.org.", qtype: dnstest.TypeA, fault: dnstest.ServFail, ip: "192.0.2.3", result: Pass},
		{name: "broken.example.org.", qtype: dnstest.TypeA, fault: dnstest.Drop, ip: "192.0.2.3", result: Pass},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tc.fault, tc.name, qtypeName[tc.qtype]), func(t *testing.T) {
			srv := wireServer(t)
			srv.Fault(tc.name, tc.qtype, tc.fault)
			vd, err := (&Verifier{Resolver: srv.Resolver()}).Verify(wireCtx(t), netip.MustParseAddr(tc.ip))
			assert.Equal(t, tc.result, vd.Result)
			if tc.errIs != nil {
				require.ErrorIs(t, err, tc.errIs)
				assert.True(t, strings.HasPrefix(err.Error(), "ptr: ") && strings.Count(err.Error(), "ptr: ") == 1, err.Error())
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, err, vd.Err, "Verdict.Err is the returned error")
			if tc.temporary {
				var de *net.DNSError
				require.ErrorAs(t, err, &de)
				assert.True(t, de.IsTemporary, "%+v", de)
			}
			if tc.fault == dnstest.Truncate {
				tcp := 0
				for _, q := range srv.Queries() {
					if q.Net == "tcp" {
						tcp++
					}
				}
				assert.Equal(t, 1, tcp, "retried over TCP: %v", srv.Queries())
			}
		})
	}
}

func TestWireMethodString(t *testing.T) {
	srv := wireServer(t)
	for ip, want := range map[string]string{
		"192.0.2.1":    "iprev=pass policy.iprev=192.0.2.1",
		"192.0.2.2":    "iprev=fail policy.iprev=192.0.2.2",
		"192.0.2.7":    "iprev=permerror policy.iprev=192.0.2.7",
		"2001:db8::25": `iprev=pass policy.iprev="2001:db8::25"`,
	} {
		vd, _ := (&Verifier{Resolver: srv.Resolver()}).Verify(wireCtx(t), netip.MustParseAddr(ip))
		assert.Equal(t, want, vd.AuthResult())
	}
}

func TestWireVerifyNames(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN 2.0.192.in-addr.arpa.
1   IN PTR mail.wire.example.
2   IN PTR nomatch.wire.example.
3   IN PTR slow.wire.example.
3   IN PTR mail3.wire.example.
4   IN TXT "no ptr here"
`, `
$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR mail.wire.example.
`, `
$ORIGIN wire.example.
mail    IN A    192.0.2.1
mail    IN AAAA 2001:db8::1
nomatch IN A    192.0.2.200
mail3   IN A    192.0.2.3
slow    IN A    192.0.2.3
`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v := &Verifier{Resolver: srv.Resolver()}
	check := func(ip string, want Result, names ...string) error {
		t.Helper()
		vd, err := v.Verify(ctx, netip.MustParseAddr(ip))
		assert.Equal(t, want, vd.Result, ip)
		if names != nil {
			assert.Equal(t, names, vd.Names, ip)
		}
		return err
	}
	assert.NoError(t, check("192.0.2.1", Pass, "mail.wire.example"))
	assert.NoError(t, check("2001:db8::1", Pass, "mail.wire.example"))
	assert.NoError(t, check("192.0.2.2", Fail))
	assert.ErrorIs(t, check("192.0.2.4", PermError), ErrNoPTR) // NODATA
	assert.ErrorIs(t, check("192.0.2.5", PermError), ErrNoPTR) // NXDOMAIN

	for _, f := range []dnstest.Fault{dnstest.ServFail, dnstest.Refused, dnstest.Drop} {
		srv.Fault("1.2.0.192.in-addr.arpa.", dnstest.TypePTR, f)
		err := check("192.0.2.1", TempError)
		var de *net.DNSError
		require.ErrorAs(t, err, &de, "%v", f)
		assert.True(t, de.IsTemporary, "%v: %+v", f, de)
		srv.Fault("1.2.0.192.in-addr.arpa.", dnstest.TypePTR, dnstest.NoFault)

		// One name's forward lookup fails, another confirms: pass.
		srv.Fault("slow.wire.example.", dnstest.TypeA, f)
		assert.NoError(t, check("192.0.2.3", Pass, "mail3.wire.example"))
		srv.Fault("slow.wire.example.", dnstest.TypeA, dnstest.NoFault)

		// The only name's forward lookup fails: temperror.
		srv.Fault("mail.wire.example.", dnstest.TypeA, f)
		assert.ErrorIs(t, check("192.0.2.1", TempError), ErrTemporary)
		srv.Fault("mail.wire.example.", dnstest.TypeA, dnstest.NoFault)
	}
}

// RFC 2317 classless reverse delegation: the PTR sits behind a CNAME.
func TestWireClasslessDelegation(t *testing.T) {
	srv := dnstest.New(t, `
$ORIGIN 2.0.192.in-addr.arpa.
1      IN CNAME 1.0-25.2.0.192.in-addr.arpa.
1.0-25 IN PTR   Mail.C.example.
2      IN CNAME 2.0-25.2.0.192.in-addr.arpa.
`, `
$ORIGIN c.example.
mail IN A 192.0.2.1
`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v := &Verifier{Resolver: srv.Resolver()}
	vd, err := v.Verify(ctx, netip.MustParseAddr("192.0.2.1"))
	require.NoError(t, err)
	assert.Equal(t, Pass, vd.Result)
	assert.Equal(t, []string{"mail.c.example"}, vd.Names)
	// A CNAME to nothing: no PTR data.
	vd, err = v.Verify(ctx, netip.MustParseAddr("192.0.2.2"))
	assert.Equal(t, PermError, vd.Result)
	assert.ErrorIs(t, err, ErrNoPTR)
}
