package ptr_test

// Black-box tests: the package seen only through its exported API, with
// resolvers written the way an outside user would write them.

import (
	"context"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testpeer"
	"github.com/mailsmith/mailsmith/ptr"
)

var (
	errTemp    = &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}
	errTimeout = &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}
)

// outsiderZone is the resolver of the black-box tests: answers that a
// hand-written resolver may give (mixed case, a name without the trailing
// dot, addresses as PTR names, an empty list without error), which zone
// text cannot hold.
func outsiderZone() *dnstest.Answers {
	return &dnstest.Answers{
		PTR: map[string][]string{
			"192.0.2.1":     {"Mail.Example.ORG."},
			"192.0.2.2":     {"other.example."},
			"192.0.2.3":     {"broken.example.", "good.example."},
			"192.0.2.4":     {"broken.example."},
			"192.0.2.5":     {"a.example.", "b.example."},
			"192.0.2.6":     {"v6only.example."},
			"2001:db8::1":   {"six.example."},
			"2001:db8::2":   {"v4only.example."},
			"192.0.2.7":     {"nodot.example"},
			"192.0.2.8":     {"192.0.2.8.", "[192.0.2.8]"},
			"203.0.113.255": {},
		},
		IP: map[string][]netip.Addr{
			"ip4 mail.example.org.": dnstest.Addrs("192.0.2.99", "192.0.2.1"),
			"ip4 other.example.":    dnstest.Addrs("192.0.2.200"),
			"ip4 good.example.":     dnstest.Addrs("192.0.2.3"),
			"ip4 a.example.":        dnstest.Addrs("192.0.2.5"),
			"ip4 b.example.":        dnstest.Addrs("192.0.2.5"),
			"ip4 v4only.example.":   dnstest.Addrs("2001:db8::2"), // a v6 address under A never counts
			"ip4 nodot.example.":    dnstest.Addrs("192.0.2.7"),
			"ip6 six.example.":      dnstest.Addrs("2001:db8::1"),
			"ip6 v6only.example.":   dnstest.Addrs("::ffff:192.0.2.6"),
		},
		PTRErr: map[string]error{
			"192.0.2.50": errTemp,
			"192.0.2.51": errTimeout,
		},
		IPErr: map[string]error{
			"ip4 broken.example.": errTemp,
		},
	}
}

func TestVerifierVerifyResults(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		ip     string
		result ptr.Result
		names  []string
		errIs  error
	}{
		{"192.0.2.1", ptr.Pass, []string{"mail.example.org"}, nil},
		{"::ffff:192.0.2.1", ptr.Pass, []string{"mail.example.org"}, nil},
		{"192.0.2.2", ptr.Fail, nil, nil},
		{"192.0.2.3", ptr.Pass, []string{"good.example"}, nil},
		{"192.0.2.4", ptr.TempError, nil, ptr.ErrTemporary},
		{"192.0.2.5", ptr.Pass, []string{"a.example", "b.example"}, nil},
		{"192.0.2.6", ptr.Fail, nil, nil}, // only AAAA: the client's family is v4
		{"2001:db8::1", ptr.Pass, []string{"six.example"}, nil},
		{"2001:db8::2", ptr.Fail, nil, nil},
		{"192.0.2.7", ptr.Pass, []string{"nodot.example"}, nil},
		{"192.0.2.8", ptr.Fail, nil, nil}, // address literals are no names
		{"192.0.2.9", ptr.PermError, nil, ptr.ErrNoPTR},
		{"203.0.113.255", ptr.PermError, nil, ptr.ErrNoPTR}, // empty list, no error
		{"2001:db8::ff", ptr.PermError, nil, ptr.ErrNoPTR},
		{"192.0.2.50", ptr.TempError, nil, ptr.ErrTemporary},
		{"192.0.2.51", ptr.TempError, nil, ptr.ErrTemporary},
	} {
		t.Run(tc.ip, func(t *testing.T) {
			res := outsiderZone()
			vd, err := (&ptr.Verifier{Resolver: res}).Verify(ctx, netip.MustParseAddr(tc.ip))
			assert.Equal(t, tc.result, vd.Result)
			assert.Equal(t, tc.names, vd.Names)
			if tc.errIs != nil {
				require.ErrorIs(t, err, tc.errIs)
				assert.True(t, strings.HasPrefix(err.Error(), "ptr: "), err.Error())
			}
			switch tc.result {
			case ptr.TempError:
				var de *net.DNSError
				require.ErrorAs(t, err, &de)
				assert.True(t, de.IsTemporary)
			case ptr.PermError:
				require.Error(t, err)
			default:
				assert.NoError(t, err, "error only for temperror and permerror")
			}
			// Reverse lookups get the unmapped address text; forward
			// lookups are absolute and only in the client's family.
			for _, q := range res.Calls() {
				if strings.HasPrefix(q, "PTR ") {
					assert.Equal(t, "PTR "+netip.MustParseAddr(tc.ip).Unmap().String(), q)
					continue
				}
				assert.True(t, strings.HasSuffix(q, "."), q)
				if netip.MustParseAddr(tc.ip).Unmap().Is4() {
					assert.True(t, strings.HasPrefix(q, "ip4 "), q)
				} else {
					assert.True(t, strings.HasPrefix(q, "ip6 "), q)
				}
			}
		})
	}
}

func TestVerifierEmptyAnswers(t *testing.T) {
	res := outsiderZone()
	res.EmptyNotFound = true
	vd, err := (&ptr.Verifier{Resolver: res}).Verify(context.Background(), netip.MustParseAddr("192.0.2.77"))
	assert.Equal(t, ptr.PermError, vd.Result)
	assert.ErrorIs(t, err, ptr.ErrNoPTR)
	vd, err = (&ptr.Verifier{Resolver: res}).Verify(context.Background(), netip.MustParseAddr("192.0.2.2"))
	assert.Equal(t, ptr.Fail, vd.Result)
	assert.NoError(t, err)
}

func TestVerifierMaxNames(t *testing.T) {
	res := &dnstest.Answers{PTR: map[string][]string{}, IP: map[string][]netip.Addr{}}
	var names []string
	for i := 0; i < 15; i++ {
		n := string(rune('a'+i)) + ".many.example."
		names = append(names, n)
	}
	res.PTR["192.0.2.1"] = names
	res.IP["ip4 o.many.example."] = dnstest.Addrs("192.0.2.1") // the 15th name confirms
	vd, err := (&ptr.Verifier{Resolver: res}).Verify(context.Background(), netip.MustParseAddr("192.0.2.1"))
	assert.NoError(t, err)
	assert.Equal(t, ptr.Fail, vd.Result, "only the first 10 names are checked")
	assert.Len(t, vd.Checked, ptr.DefaultMaxNames)
	forward := 0
	for _, q := range res.Calls() {
		if strings.HasPrefix(q, "ip4 ") {
			forward++
		}
	}
	assert.Equal(t, 10, forward)

	vd, err = (&ptr.Verifier{Resolver: res, MaxNames: 15}).Verify(context.Background(), netip.MustParseAddr("192.0.2.1"))
	assert.NoError(t, err)
	assert.Equal(t, ptr.Pass, vd.Result)
	assert.Equal(t, []string{"o.many.example"}, vd.Names)

	vd, _ = (&ptr.Verifier{Resolver: res, MaxNames: 1}).Verify(context.Background(), netip.MustParseAddr("192.0.2.1"))
	assert.Equal(t, []string{"a.many.example"}, vd.Checked)
}

func TestVerifierResultStrings(t *testing.T) {
	assert.Equal(t, "pass", string(ptr.Pass))
	assert.Equal(t, "fail", string(ptr.Fail))
	assert.Equal(t, "temperror", string(ptr.TempError))
	assert.Equal(t, "permerror", string(ptr.PermError))
}

func TestVerifierMethodString(t *testing.T) {
	ctx := context.Background()
	vd, _ := (&ptr.Verifier{Resolver: outsiderZone()}).Verify(ctx, netip.MustParseAddr("::ffff:192.0.2.1"))
	assert.Equal(t, "iprev=pass policy.iprev=192.0.2.1", vd.AuthResult())
	vd, _ = (&ptr.Verifier{Resolver: outsiderZone()}).Verify(ctx, netip.MustParseAddr("2001:db8::1"))
	// ':' is a tspecial (RFC 2045 §5.1), so an IPv6 address is no token:
	// RFC 8601 §2.2 pvalue needs the quoted-string form.
	assert.Equal(t, `iprev=pass policy.iprev="2001:db8::1"`, vd.AuthResult())
	vd, _ = (&ptr.Verifier{Resolver: outsiderZone()}).Verify(ctx, netip.MustParseAddr("192.0.2.9"))
	assert.Equal(t, "iprev=permerror policy.iprev=192.0.2.9", vd.AuthResult())
}

// TestVerifierPackageVerifyHonoursContext: Verify (net.DefaultResolver)
// stops at once with a context already cancelled, and says so as a
// temporary failure. (A test that let it query would send traffic to the
// system's resolver.)
func TestVerifierPackageVerifyHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	vd, err := ptr.Verify(ctx, netip.MustParseAddr("192.0.2.1"))
	assert.Equal(t, ptr.TempError, vd.Result)
	assert.ErrorIs(t, err, context.Canceled)
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary)
}

// The method strings parse with Python's authres (the RFC 8601 parser of
// python3-authres), which refuses an unquoted IPv6 pvalue.
func TestVerifierMethodStringParsesWithAuthres(t *testing.T) {
	py := testpeer.Python(t, "Debian python3-authres", "authres")
	for _, ip := range []string{"192.0.2.1", "2001:db8::1", "::ffff:192.0.2.9", "fe80::1%eth0"} {
		vd := ptr.Verdict{Result: ptr.Pass, IP: netip.MustParseAddr(ip).Unmap().WithZone("")}
		header := "Authentication-Results: mx.example.net; " + vd.AuthResult()
		out, err := exec.Command(py, "-c", `import sys, authres
r = authres.AuthenticationResultsHeader.parse(sys.argv[1]).results[0]
print(r.method, r.result, r.policy_iprev)`, header).CombinedOutput()
		require.NoError(t, err, "%s: %s", header, out)
		assert.Equal(t, "iprev pass "+vd.IP.String(), strings.TrimSpace(string(out)), header)
	}
}
