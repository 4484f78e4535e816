package ptr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

func TestVerifyWithFake(t *testing.T) {
	malformed := &net.DNSError{Err: goMalformedRecords, Name: "192.0.2.1"}
	tests := []struct {
		name    string
		ip      string
		fake    dnstest.Answers
		result  Result
		names   []string
		checked []string
		errIs   error
	}{
		{
			name:   "pass",
			ip:     "192.0.2.1",
			fake:   dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"Mail.Example.org."}}, IP: map[string][]netip.Addr{"ip4 mail.example.org.": dnstest.Addrs("192.0.2.9", "192.0.2.1")}},
			result: Pass, names: []string{"mail.example.org"}, checked: []string{"mail.example.org"},
		},
		{
			name:   "fail: forward addresses differ",
			ip:     "192.0.2.1",
			fake:   dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"mail.example.org."}}, IP: map[string][]netip.Addr{"ip4 mail.example.org.": dnstest.Addrs("192.0.2.9")}},
			result: Fail, checked: []string{"mail.example.org"},
		},
		{
			name:   "fail: forward name missing",
			ip:     "192.0.2.1",
			fake:   dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"gone.example.org."}}},
			result: Fail, checked: []string{"gone.example.org"},
		},
		{
			name:   "permerror: no PTR",
			ip:     "192.0.2.1",
			fake:   dnstest.Answers{},
			result: PermError, errIs: ErrNoPTR,
		},
		{
			name:   "temperror: PTR lookup fails",
			ip:     "192.0.2.1",
			fake:   dnstest.Answers{PTRErr: map[string]error{"192.0.2.1": dnstest.ServFailError("1.2.0.192.in-addr.arpa.")}},
			result: TempError, errIs: ErrTemporary,
		},
		{
			name: "pass wins over a temporary failure on another name",
			ip:   "192.0.2.1",
			fake: dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"broken.example.org.", "mail.example.org."}},
				IP:    map[string][]netip.Addr{"ip4 mail.example.org.": dnstest.Addrs("192.0.2.1")},
				IPErr: map[string]error{"ip4 broken.example.org.": dnstest.ServFailError("broken.example.org.")}},
			result: Pass, names: []string{"mail.example.org"}, checked: []string{"broken.example.org", "mail.example.org"},
		},
		{
			name: "temperror when nothing confirms and a lookup failed",
			ip:   "192.0.2.1",
			fake: dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"broken.example.org.", "other.example.org."}},
				IP:    map[string][]netip.Addr{"ip4 other.example.org.": dnstest.Addrs("192.0.2.2")},
				IPErr: map[string]error{"ip4 broken.example.org.": dnstest.ServFailError("broken.example.org.")}},
			result: TempError, errIs: ErrTemporary, checked: []string{"broken.example.org", "other.example.org"},
		},
		{
			name: "several confirmed names, in PTR order, duplicates once",
			ip:   "192.0.2.1",
			fake: dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"b.example.", "a.example.", "B.example."}},
				IP: map[string][]netip.Addr{"ip4 a.example.": dnstest.Addrs("192.0.2.1"), "ip4 b.example.": dnstest.Addrs("192.0.2.1")}},
			result: Pass, names: []string{"b.example", "a.example"}, checked: []string{"b.example", "a.example"},
		},
		{
			name: "IPv6 checks AAAA only",
			ip:   "2001:db8::25",
			fake: dnstest.Answers{PTR: map[string][]string{"2001:db8::25": {"mail.example."}},
				IP: map[string][]netip.Addr{"ip6 mail.example.": dnstest.Addrs("2001:db8::25"), "ip4 mail.example.": dnstest.Addrs("192.0.2.1")}},
			result: Pass, names: []string{"mail.example"}, checked: []string{"mail.example"},
		},
		{
			name: "IPv4-mapped IPv6 is checked as IPv4",
			ip:   "::ffff:192.0.2.1",
			fake: dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"mail.example."}},
				IP: map[string][]netip.Addr{"ip4 mail.example.": dnstest.Addrs("192.0.2.1")}},
			result: Pass, names: []string{"mail.example"}, checked: []string{"mail.example"},
		},
		{
			name: "IPv4 client, name with only the address as AAAA mapped does not cross families",
			ip:   "192.0.2.1",
			fake: dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"mail.example."}},
				IP: map[string][]netip.Addr{"ip6 mail.example.": dnstest.Addrs("::ffff:192.0.2.1")}},
			result: Fail, checked: []string{"mail.example"},
		},
		{
			name: "PTR to an address literal is not a name",
			ip:   "192.0.2.1",
			fake: dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"192.0.2.1", "192.0.2.1."}},
				IP: map[string][]netip.Addr{"ip4 192.0.2.1.": dnstest.Addrs("192.0.2.1")}},
			result: Fail,
		},
		{
			name: "partial PTR answer plus error: names used",
			ip:   "192.0.2.1",
			fake: dnstest.Answers{PTR: map[string][]string{"192.0.2.1": {"mail.example."}},
				PTRErr: map[string]error{"192.0.2.1": malformed},
				IP:     map[string][]netip.Addr{"ip4 mail.example.": dnstest.Addrs("192.0.2.1")}},
			result: Pass, names: []string{"mail.example"}, checked: []string{"mail.example"},
		},
		{
			name:   "every PTR name malformed: fail",
			ip:     "192.0.2.1",
			fake:   dnstest.Answers{PTRErr: map[string]error{"192.0.2.1": malformed}},
			result: Fail,
		},
	}
	for i := range tests {
		tc := &tests[i]
		t.Run(tc.name, func(t *testing.T) {
			v := Verifier{Resolver: &tc.fake}
			vd, err := v.Verify(context.Background(), netip.MustParseAddr(tc.ip))
			assert.Equal(t, tc.result, vd.Result)
			assert.Equal(t, tc.names, vd.Names)
			assert.Equal(t, tc.checked, vd.Checked)
			assert.Equal(t, netip.MustParseAddr(tc.ip).Unmap(), vd.IP)
			if tc.errIs != nil {
				require.ErrorIs(t, err, tc.errIs)
			} else {
				require.NoError(t, err, "no error unless temperror or permerror")
			}
			if tc.result == TempError {
				var de *net.DNSError
				require.ErrorAs(t, err, &de)
				assert.True(t, de.IsTemporary)
			}
		})
	}
}

func TestVerifyInvalidIP(t *testing.T) {
	vd, err := (&Verifier{Resolver: &dnstest.Answers{}}).Verify(context.Background(), netip.Addr{})
	require.ErrorIs(t, err, ErrInvalidIP)
	assert.Equal(t, PermError, vd.Result)
	assert.Equal(t, "iprev=permerror", vd.AuthResult())
}

func TestVerifyZoneStripped(t *testing.T) {
	fake := &dnstest.Answers{PTR: map[string][]string{"fe80::1": {"host.example."}},
		IP: map[string][]netip.Addr{"ip6 host.example.": dnstest.Addrs("fe80::1")}}
	vd, err := (&Verifier{Resolver: fake}).Verify(context.Background(), netip.MustParseAddr("fe80::1%eth0"))
	require.NoError(t, err)
	assert.Equal(t, Pass, vd.Result)
	assert.Equal(t, "PTR fe80::1", fake.Calls()[0])
}

func TestMaxNames(t *testing.T) {
	var names []string
	fake := &dnstest.Answers{PTR: map[string][]string{}, IP: map[string][]netip.Addr{}}
	for i := 0; i < 30; i++ {
		n := fmt.Sprintf("n%02d.example.", i)
		names = append(names, n)
	}
	fake.PTR["192.0.2.1"] = names
	fake.IP["ip4 n20.example."] = dnstest.Addrs("192.0.2.1") // beyond the limit

	vd, err := (&Verifier{Resolver: fake}).Verify(context.Background(), netip.MustParseAddr("192.0.2.1"))
	require.NoError(t, err)
	assert.Equal(t, Fail, vd.Result, "names beyond MaxNames are not checked")
	assert.Len(t, vd.Checked, DefaultMaxNames)
	assert.Len(t, fake.Calls(), 1+DefaultMaxNames)

	fake.ResetCalls()
	vd, err = (&Verifier{Resolver: fake, MaxNames: 25}).Verify(context.Background(), netip.MustParseAddr("192.0.2.1"))
	require.NoError(t, err)
	assert.Equal(t, Pass, vd.Result)
	assert.Equal(t, []string{"n20.example"}, vd.Names)
	assert.Len(t, fake.Calls(), 1+25)
}

func TestMethodString(t *testing.T) {
	tests := []struct {
		vd   Verdict
		want string
	}{
		{Verdict{Result: Pass, IP: netip.MustParseAddr("192.0.2.1")}, "iprev=pass policy.iprev=192.0.2.1"},
		{Verdict{Result: Fail, IP: netip.MustParseAddr("198.51.100.7")}, "iprev=fail policy.iprev=198.51.100.7"},
		{Verdict{Result: TempError, IP: netip.MustParseAddr("2001:db8::1")}, `iprev=temperror policy.iprev="2001:db8::1"`},
		{Verdict{Result: PermError}, "iprev=permerror"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.vd.AuthResult())
		assert.Equal(t, tc.want, tc.vd.String())
	}
}

func TestContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	vd, err := (&Verifier{Resolver: ctxResolver{}}).Verify(ctx, netip.MustParseAddr("192.0.2.1"))
	assert.Equal(t, TempError, vd.Result)
	assert.True(t, errors.Is(err, context.Canceled))
}

type ctxResolver struct{}

func (ctxResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	return nil, &net.DNSError{Err: ctx.Err().Error(), Name: addr, UnwrapErr: ctx.Err()}
}

func (ctxResolver) LookupNetIP(ctx context.Context, _, host string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: ctx.Err().Error(), Name: host, UnwrapErr: ctx.Err()}
}

// TestResolverReceivesWhatItsDocSays: every lookup Verify makes gets what
// the Resolver doc promises (dnstest.Strict fails the test otherwise): an
// address in text form for LookupAddr, absolute lower-case names and
// network "ip4" or "ip6" for LookupNetIP.
func TestResolverReceivesWhatItsDocSays(t *testing.T) {
	fake := &dnstest.Answers{
		PTR: map[string][]string{
			"192.0.2.1":   {"Mail.Example.ORG.", "other.example.org"},
			"2001:db8::1": {"mail.example.org."},
		},
		IP: map[string][]netip.Addr{"ip4 mail.example.org.": dnstest.Addrs("192.0.2.1"), "ip6 mail.example.org.": dnstest.Addrs("2001:db8::1")},
	}
	v := Verifier{Resolver: dnstest.Strict{T: t, R: fake}}
	for _, ip := range []string{"192.0.2.1", "::ffff:192.0.2.1", "2001:db8::1", "fe80::1%eth0"} {
		v.Verify(context.Background(), netip.MustParseAddr(ip)) //nolint:errcheck // only the calls matter
	}
	assert.NotEmpty(t, fake.Calls())
}

// The Resolver doc tells people who write their own resolver what the
// methods receive; the in-memory resolver shows in godoc next to the main
// example; the examples use only what a user can import.
func TestDocsForResolverWriters(t *testing.T) {
	dnstest.CheckResolverDocs(t, "ptr.go", `"ip4"`, `"ip6"`, "trailing dot", "absolute", "text form")
}
