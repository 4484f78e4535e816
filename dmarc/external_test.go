package dmarc

import (
	"context"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyExternalDestination(t *testing.T) {
	srv, c := serve(t,
		txt("example.com._report._dmarc.thirdparty.example.net", "v=DMARC1;"),
		txt("bare.example._report._dmarc.thirdparty.example.net", "v=DMARC1"),
		txt("spf.example._report._dmarc.thirdparty.example.net", "v=spf1 -all"),
		txt("multi.example._report._dmarc.thirdparty.example.net", "hello"),
		txt("multi.example._report._dmarc.thirdparty.example.net", "v=DMARC1; rua=mailto:x@thirdparty.example.net"),
		txt("lower.example._report._dmarc.thirdparty.example.net", "v=dmarc1"),
		txt("*._report._dmarc.wild.example", "v=DMARC1"),
		txt("xn--bcher-kva.example._report._dmarc.thirdparty.example.net", "v=DMARC1"),
		txt("fail.example._report._dmarc.thirdparty.example.net", "v=DMARC1"),
	)
	srv.Fault("fail.example._report._dmarc.thirdparty.example.net.", dnstest.TypeTXT, dnstest.ServFail)
	tests := []struct {
		policy, report string
		want           bool
		temp           bool
	}{
		{"example.com", "thirdparty.example.net", true, false},
		{"EXAMPLE.com.", "ThirdParty.Example.NET.", true, false},
		{"bare.example", "thirdparty.example.net", true, false},
		{"spf.example", "thirdparty.example.net", false, false},
		{"multi.example", "thirdparty.example.net", true, false},
		{"lower.example", "thirdparty.example.net", false, false},
		{"absent.example", "thirdparty.example.net", false, false},
		{"anyone.example", "wild.example", true, false},
		{"bücher.example", "thirdparty.example.net", true, false},
		{"fail.example", "thirdparty.example.net", false, true},
	}
	for _, tt := range tests {
		got, err := c.VerifyExternalDestination(ctx(t), tt.policy, tt.report)
		if tt.temp {
			assert.ErrorIs(t, err, ErrTemporary, tt.policy)
		} else {
			require.NoError(t, err, tt.policy)
		}
		assert.Equal(t, tt.want, got, "%s -> %s", tt.policy, tt.report)
	}
	for _, q := range srv.Queries() {
		assert.Contains(t, q.Name, "._report._dmarc.")
	}

	// A name over the DNS length limit is not queried (RFC 9990 §3 step 4).
	srv.ResetLog()
	long := strings.Repeat("a23456789.", 12) + "example"
	got, err := c.VerifyExternalDestination(ctx(t), long, long)
	require.NoError(t, err)
	assert.False(t, got)
	assert.Empty(t, srv.Queries())

	_, err = c.VerifyExternalDestination(ctx(t), "", "x.example")
	assert.ErrorIs(t, err, ErrInvalidDomain)
}

func TestExternalDestinationOverride(t *testing.T) {
	_, c := serve(t,
		txt("example.com._report._dmarc.rep.example.net", "v=DMARC1; rua=mailto:agg@rep.example.net; ruf=mailto:other@elsewhere.example"),
		txt("plain.example._report._dmarc.rep.example.net", "v=DMARC1"),
	)
	ok, uris, err := c.ExternalDestination(ctx(t), "example.com", ReportURI{URI: "mailto:old@rep.example.net"}, false)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, []ReportURI{{URI: "mailto:agg@rep.example.net"}}, uris)

	// The ruf override names another host: the destination is refused.
	ok, uris, err = c.ExternalDestination(ctx(t), "example.com", ReportURI{URI: "mailto:old@rep.example.net"}, true)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Nil(t, uris)

	orig := ReportURI{URI: "mailto:r@rep.example.net", Size: 10, Unit: 'm'}
	ok, uris, err = c.ExternalDestination(ctx(t), "plain.example", orig, false)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, []ReportURI{orig}, uris)

	ok, _, err = c.ExternalDestination(ctx(t), "nobody.example", orig, false)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestVerifyExternalDestinationRecords(t *testing.T) {
	d := newZone()
	d.addTXT("example.com._report._dmarc.thirdparty.example.net", "v=DMARC1;")
	d.addTXT("multi.example._report._dmarc.thirdparty.example.net", "v=spf1 -all", "some text", "v=DMARC1; rua=mailto:r@thirdparty.example.net")
	d.addTXT("nondmarc.example._report._dmarc.thirdparty.example.net", "v=spf1 -all", "hello")
	d.addTXT("two.example._report._dmarc.thirdparty.example.net", "v=DMARC1", "v=DMARC1; p=none")
	d.addTXT("lower.example._report._dmarc.thirdparty.example.net", "v=dmarc1")
	d.addTXT("notfirst.example._report._dmarc.thirdparty.example.net", "p=none; v=DMARC1")
	d.addTXT("xn--bcher-kva.example._report._dmarc.xn--mnchen-3ya.example", "v=DMARC1")
	d.failing("temp.example._report._dmarc.thirdparty.example.net")
	tests := []struct {
		policy, report string
		want, temp     bool
	}{
		{"example.com", "thirdparty.example.net", true, false},
		{"EXAMPLE.COM.", "Thirdparty.Example.Net.", true, false},
		{"multi.example", "thirdparty.example.net", true, false},
		{"nondmarc.example", "thirdparty.example.net", false, false},
		{"two.example", "thirdparty.example.net", true, false},
		{"lower.example", "thirdparty.example.net", false, false},
		{"notfirst.example", "thirdparty.example.net", false, false},
		{"absent.example", "thirdparty.example.net", false, false},
		{"bücher.example", "münchen.example", true, false},
		{"temp.example", "thirdparty.example.net", false, true},
	}
	c := &Checker{Resolver: d.resolver(t)}
	for _, tt := range tests {
		d.reset()
		got, err := c.VerifyExternalDestination(context.Background(), tt.policy, tt.report)
		if tt.temp {
			assert.ErrorIs(t, err, ErrTemporary, tt.policy)
		} else {
			assert.NoError(t, err, tt.policy)
		}
		assert.Equal(t, tt.want, got, "%s -> %s", tt.policy, tt.report)
		q := d.txtQueries()
		require.Len(t, q, 1, tt.policy)
		assert.True(t, strings.Contains(q[0], "._report._dmarc."), q[0])
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
