package dmarc

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertTemporary checks DESIGN's failure convention on err: it wraps
// ErrTemporary (and its old name) and a *net.DNSError with IsTemporary
// set, and its text has the package prefix once.
func assertTemporary(t *testing.T, err error, msg string) {
	t.Helper()
	require.Error(t, err, msg)
	assert.ErrorIs(t, err, ErrTemporary, msg)
	assert.ErrorIs(t, err, ErrTempError, msg)
	var de *net.DNSError
	if assert.ErrorAs(t, err, &de, msg) {
		assert.True(t, de.IsTemporary, "%s: *net.DNSError without IsTemporary: %#v", msg, de)
	}
	assertPrefixOnce(t, err, msg)
}

func assertPrefixOnce(t *testing.T, err error, msg string) {
	t.Helper()
	assert.True(t, strings.HasPrefix(err.Error(), "dmarc: "), "%s: %v", msg, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "dmarc:"), "%s: %v", msg, err)
}

// TestTemporaryFailures: SERVFAIL, REFUSED (which Go's resolver does not
// mark temporary) and a dropped query, over the wire and in memory, in
// each lookup the package makes: the policy record, the np existence
// test, and an external destination. Check's error is Verdict.Err.
func TestTemporaryFailures(t *testing.T) {
	data := zone(
		dmarcTXT("example.com", "v=DMARC1; p=reject; np=quarantine"),
		txt("example.com._report._dmarc.rua.example.net", "v=DMARC1"),
	)
	srv := dnstest.New(t, data)
	srv.Timeout = 200 * time.Millisecond // a drop costs two attempts
	mem := dnstest.NewMemory(t, data)
	type faulter interface {
		Resolver
		Fault(name string, qtype uint16, f dnstest.Fault)
		ClearFaults()
	}
	resolvers := map[string]faulter{"wire": wireFaulter{srv.Resolver(), srv}, "memory": mem}

	lookups := []struct {
		name  string
		owner string
		qtype uint16
		run   func(c *Checker) (Verdict, error)
	}{
		{"policy record", "_dmarc.example.com.", dnstest.TypeTXT, func(c *Checker) (Verdict, error) {
			return c.Check(context.Background(), Input{FromDomain: "example.com"})
		}},
		{"np existence (A)", "nx.example.com.", dnstest.TypeA, func(c *Checker) (Verdict, error) {
			return c.Check(context.Background(), Input{FromDomain: "nx.example.com"})
		}},
		{"external destination", "example.com._report._dmarc.rua.example.net.", dnstest.TypeTXT, func(c *Checker) (Verdict, error) {
			ok, err := c.VerifyExternalDestination(context.Background(), "example.com", "rua.example.net")
			assert.False(t, ok)
			return Verdict{Result: TempError, Disposition: PolicyNone, Err: err}, err
		}},
	}
	for rname, res := range resolvers {
		c := &Checker{Resolver: res}
		for _, f := range []dnstest.Fault{dnstest.ServFail, dnstest.Refused, dnstest.Drop} {
			for _, lk := range lookups {
				msg := rname + " " + f.String() + " " + lk.name
				res.ClearFaults()
				res.Fault(lk.owner, lk.qtype, f)
				v, err := lk.run(c)
				assertTemporary(t, err, msg)
				assert.Equal(t, TempError, v.Result, msg)
				assert.Equal(t, PolicyNone, v.Disposition, msg)
				assert.Same(t, err, v.Err, msg)
			}
		}
		res.ClearFaults()
	}
}

// wireFaulter is Go's resolver talking to a dnstest.Server, with the
// server's fault switches.
type wireFaulter struct {
	*net.Resolver
	*dnstest.Server
}

// A resolver that returns a plain error (no *net.DNSError) or the
// context's error still gives an error errors.As can read.
func TestTemporaryPlainErrors(t *testing.T) {
	for _, e := range []error{errors.New("connection refused"), context.DeadlineExceeded} {
		c := &Checker{Resolver: failingResolver{e}}
		v, err := c.Check(context.Background(), Input{FromDomain: "example.com"})
		assertTemporary(t, err, e.Error())
		assert.ErrorIs(t, err, e)
		assert.Equal(t, TempError, v.Result)
		var de *net.DNSError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, errors.Is(e, context.DeadlineExceeded), de.IsTimeout)
	}
}

type failingResolver struct{ err error }

func (f failingResolver) LookupTXT(context.Context, string) ([]string, error) { return nil, f.err }
func (f failingResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return nil, f.err
}
func (f failingResolver) LookupMX(context.Context, string) ([]*net.MX, error) { return nil, f.err }

// TestVerdictErr: Err says why a result is not Pass, and is the error
// Check returns for TempError and PermError.
func TestVerdictErr(t *testing.T) {
	_, c := memory(t,
		dmarcTXT("example.com", "v=DMARC1; p=reject; adkim=s"),
		dmarcTXT("bad.example", "v=DMARC1; p=reject; p=none"),
	)
	tests := []struct {
		in     Input
		result Result
		want   error // nil: no Err
		text   string
	}{
		{Input{FromDomain: "example.com", DKIMDomains: []string{"example.com"}}, Pass, nil, ""},
		{Input{FromDomain: "none.example"}, None, nil, ""},
		{Input{FromDomain: "example.com", SPFDomain: "example.net", SPFPass: true, DKIMDomains: []string{"mail.example.com"}}, Fail, ErrNotAligned,
			`dmarc: no aligned identifier: SPF domain "example.net" not aligned (relaxed), DKIM d="mail.example.com" not aligned (strict)`},
		{Input{FromDomain: "example.com"}, Fail, ErrNotAligned, "dmarc: no aligned identifier: no SPF pass, no valid DKIM signature"},
		{Input{FromDomain: "bad.example"}, PermError, ErrMalformedRecord,
			`dmarc: malformed DMARC record: _dmarc.bad.example.: duplicate tag: "p" appears more than once (tag names are case-insensitive)`},
		{Input{FromDomain: "bad..example"}, PermError, ErrInvalidDomain, `dmarc: RFC5322.From domain: invalid domain name: "bad..example": empty or overlong label`},
	}
	for _, tt := range tests {
		v, err := c.Check(context.Background(), tt.in)
		assert.Equal(t, tt.result, v.Result, tt.in.FromDomain)
		if tt.want == nil {
			assert.NoError(t, v.Err, tt.in.FromDomain)
			assert.NoError(t, err, tt.in.FromDomain)
			continue
		}
		assert.ErrorIs(t, v.Err, tt.want, tt.in.FromDomain)
		assert.EqualError(t, v.Err, tt.text)
		assertPrefixOnce(t, v.Err, tt.in.FromDomain)
		if tt.result == Fail {
			assert.NoError(t, err, "Check's error is nil for Fail")
		} else {
			assert.Same(t, err, v.Err)
		}
	}
}

// Errors from the other entry points carry the prefix once too.
func TestErrorPrefix(t *testing.T) {
	_, err := Parse("v=DMARC1; p=reject; sp=none; sp=reject")
	assert.ErrorIs(t, err, ErrDuplicateTag)
	assertPrefixOnce(t, err, "Parse")
	_, err = Parse("p=reject")
	assert.ErrorIs(t, err, ErrNotDMARC)
	assertPrefixOnce(t, err, "Parse")
	c := &Checker{Resolver: dnstest.NewMemory(t)}
	_, err = c.VerifyExternalDestination(context.Background(), "a..b", "rua.example")
	assert.ErrorIs(t, err, ErrInvalidDomain)
	assertPrefixOnce(t, err, "VerifyExternalDestination")
	_, _, err = c.ExternalDestination(context.Background(), "example.com", ReportURI{URI: "mailto:"}, false)
	assert.ErrorIs(t, err, ErrInvalidDomain)
	assertPrefixOnce(t, err, "ExternalDestination")
	_, _, err = c.Lookup(context.Background(), "")
	assertPrefixOnce(t, err, "Lookup")
}
