package dmarc

// Regression tests for issue 12 point 2 (RFC 9989 and RFC 9990 to the
// letter), over internal/dnstest's in-memory resolver.

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// When the tree walk finds no DMARC record, the Organizational Domain is
// the Author Domain itself (RFC 9989 §4.10.2), also when the records at
// a parent were discarded because there were several.
func TestOrgDomainWithoutRecord(t *testing.T) {
	tests := []struct {
		name, from string
		txt        map[string][]string
	}{
		{"nothing published", "a.b.example.com", nil},
		{"several records at the parent", "a.b.example.com", map[string][]string{
			"_dmarc.example.com.": {"v=DMARC1; p=reject", "v=DMARC1; p=none"}}},
		{"several records at two parents", "mail.example.com", map[string][]string{
			"_dmarc.example.com.": {"v=DMARC1; p=reject", "v=DMARC1; p=none"},
			"_dmarc.com.":         {"v=DMARC1; p=none; psd=y", "v=DMARC1; p=reject; psd=y"}}},
		{"only non-DMARC text", "www.example.org", map[string][]string{
			"_dmarc.example.org.": {"v=spf1 -all", " v=DMARC1; p=reject"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, disc := range []Discovery{TreeWalk} {
				c := &Checker{Resolver: txtZone(tt.txt).resolver(t), Discovery: disc}
				v, err := c.Check(ctx(t), Input{FromDomain: tt.from, SPFDomain: tt.from, SPFPass: true})
				require.NoError(t, err)
				assert.Equal(t, None, v.Result)
				assert.Equal(t, tt.from, v.OrgDomain, "Verdict.OrgDomain")
				org, err := c.OrganizationalDomain(ctx(t), tt.from)
				require.NoError(t, err)
				assert.Equal(t, tt.from, org, "Checker.OrganizationalDomain")
			}
		})
	}
}

// A TXT string with white space before v=DMARC1 is not a DMARC record
// (RFC 9989 §4.8 ABNF): it is not counted, so it neither applies nor
// makes a second record that discards the real one.
func TestLeadingWhiteSpaceNotDMARC(t *testing.T) {
	for _, disc := range []Discovery{TreeWalk, PSL} {
		_, c := memory(t, dmarcTXT("example.com", " v=DMARC1; p=reject"),
			dmarcTXT("example.net", "\tv=DMARC1; p=none"), dmarcTXT("example.net", "v=DMARC1; p=reject"))
		c.Discovery = disc
		rec, _, err := c.Lookup(ctx(t), "example.com")
		require.NoError(t, err, disc)
		assert.Nil(t, rec, "%v: white space before v=DMARC1", disc)
		rec, dom, err := c.Lookup(ctx(t), "example.net")
		require.NoError(t, err, disc)
		require.NotNil(t, rec, disc)
		assert.Equal(t, "example.net", dom)
		assert.Equal(t, PolicyReject, rec.Policy, disc)
	}
}

// Tag names are case-insensitive in both modes (RFC 5234 §2.3): a record
// written in capitals is a reject policy, not "no policy".
func TestUpperCaseTagNamesBothModes(t *testing.T) {
	for _, disc := range []Discovery{TreeWalk, PSL} {
		_, c := memory(t, dmarcTXT("example.com", "V=DMARC1; P=reject; SP=quarantine; ADKIM=s"))
		c.Discovery = disc
		v, err := c.Check(ctx(t), Input{FromDomain: "example.com", DKIMDomains: []string{"mail.example.com"}})
		require.NoError(t, err, disc)
		assert.Equal(t, Fail, v.Result, disc)
		assert.Equal(t, PolicyReject, v.Disposition, disc)
		assert.Equal(t, "dmarc=fail (p=reject dis=reject) header.from=example.com", v.AuthResult(), disc)
		v, err = c.Check(ctx(t), Input{FromDomain: "www.example.com", SPFDomain: "example.net", SPFPass: true})
		require.NoError(t, err, disc)
		assert.Equal(t, PolicyQuarantine, v.Disposition, "%v: SP", disc)
	}
}

// RFC 9990 §3 step 9: a report receiver's record whose rua names another
// host authorizes neither that host nor the original destination.
func TestExternalDestinationForeignOverride(t *testing.T) {
	res := txtZone(map[string][]string{
		"example.com._report._dmarc.rep.example.net.":    {"v=DMARC1; rua=mailto:agg@elsewhere.example"},
		"example.org._report._dmarc.rep.example.net.":    {"v=DMARC1; rua=mailto:agg@elsewhere.example,mailto:r@REP.example.net"},
		"example.edu._report._dmarc.rep.example.net.":    {"v=DMARC1; ruf=mailto:f@elsewhere.example"},
		"example.info._report._dmarc.rep.example.net.":   {"v=DMARC1; rua=mailto:a@elsewhere.example", "v=DMARC1"},
		"example.test._report._dmarc.elsewhere.example.": {"v=DMARC1"},
	}).resolver(t)
	c := &Checker{Resolver: res}
	orig := ReportURI{URI: "mailto:dmarc@rep.example.net"}
	tests := []struct {
		policy string
		ok     bool
		uris   []ReportURI
	}{
		{"example.com", false, nil},
		{"example.org", true, []ReportURI{{URI: "mailto:r@REP.example.net"}}},
		{"example.edu", true, []ReportURI{orig}}, // a ruf override does not touch rua
		{"example.info", false, nil},
	}
	for _, tt := range tests {
		ok, err := c.VerifyExternalDestination(ctx(t), tt.policy, "rep.example.net")
		require.NoError(t, err, tt.policy)
		assert.Equal(t, tt.ok, ok, "VerifyExternalDestination %s", tt.policy)
		ok, uris, err := c.ExternalDestination(ctx(t), tt.policy, orig, false)
		require.NoError(t, err, tt.policy)
		assert.Equal(t, tt.ok, ok, "ExternalDestination %s", tt.policy)
		assert.Equal(t, tt.uris, uris, tt.policy)
	}
	// The foreign host named by the override was not asked and is not
	// authorized for example.com either.
	ok, err := c.VerifyExternalDestination(ctx(t), "example.com", "elsewhere.example")
	require.NoError(t, err)
	assert.False(t, ok)
}

// contractResolver records every call, to hold the Resolver documentation
// to what the Checker does.
type contractResolver struct {
	*dnstest.Memory
	names    []string
	networks []string
}

func (c *contractResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	c.names = append(c.names, name)
	return c.Memory.LookupTXT(ctx, name)
}

func (c *contractResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	c.names = append(c.names, host)
	c.networks = append(c.networks, network)
	return c.Memory.LookupNetIP(ctx, network, host)
}

func (c *contractResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	c.names = append(c.names, name)
	return c.Memory.LookupMX(ctx, name)
}

// TestResolverContract: names arrive absolute (trailing dot), in A-labels
// and lower case; LookupNetIP gets "ip4" or "ip6" (issue 12 point 6).
func TestResolverContract(t *testing.T) {
	r := &contractResolver{Memory: dnstest.NewMemory(t, zone(dmarcTXT("xn--bcher-kva.example", "v=DMARC1; p=quarantine; np=reject")))}
	c := &Checker{Resolver: r}
	v, err := c.Check(ctx(t), Input{FromDomain: "Nosuch.BÜCHER.example", SPFDomain: "Mail.Bücher.Example.", DKIMDomains: []string{"Other.EXAMPLE."}})
	require.NoError(t, err)
	assert.True(t, v.NonExistent, "the np test ran")
	_, err = c.VerifyExternalDestination(ctx(t), "Bücher.example", "RUA.example.NET")
	require.NoError(t, err)
	assert.Contains(t, r.names, "xn--bcher-kva.example._report._dmarc.rua.example.net.")
	for _, n := range r.names {
		assert.True(t, strings.HasSuffix(n, "."), "%q is not absolute", n)
		assert.Equal(t, strings.ToLower(n), n)
		for i := 0; i < len(n); i++ {
			assert.Less(t, n[i], byte(0x80), "%q is not in A-labels", n)
		}
	}
	assert.ElementsMatch(t, []string{"ip4", "ip6"}, r.networks)
}
