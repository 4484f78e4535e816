package dnstest

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnswersResolver(t *testing.T) {
	boom := errors.New("boom")
	a := &Answers{
		MX:     map[string][]*net.MX{"example.org.": {{Host: "192.0.2.1", Pref: 1}, nil}},
		MXErr:  map[string]error{"partial.example.": boom},
		TXT:    map[string][]string{"example.org.": {"v=spf1 -all"}},
		IP:     map[string][]netip.Addr{"ip4 mx.example.org.": {netip.MustParseAddr("192.0.2.1")}},
		PTR:    map[string][]string{"192.0.2.1": {"mx.example.org."}},
		PTRErr: map[string]error{"192.0.2.2": boom},
	}
	ctx := context.Background()
	mxs, err := a.LookupMX(ctx, "EXAMPLE.org.")
	require.NoError(t, err)
	assert.Len(t, mxs, 2, "answers as given, nil record included")
	_, err = a.LookupMX(ctx, "partial.example.")
	assert.Equal(t, boom, err)
	txt, err := a.LookupTXT(ctx, "example.org.")
	assert.NoError(t, err)
	assert.Equal(t, []string{"v=spf1 -all"}, txt)
	ips, err := a.LookupNetIP(ctx, "ip4", "mx.example.org.")
	assert.NoError(t, err)
	assert.Len(t, ips, 1)
	_, err = a.LookupNetIP(ctx, "ip6", "mx.example.org.")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsNotFound)
	names, err := a.LookupAddr(ctx, "192.0.2.1")
	assert.NoError(t, err)
	assert.Equal(t, []string{"mx.example.org."}, names)
	_, err = a.LookupAddr(ctx, "192.0.2.2")
	assert.Equal(t, boom, err)
	assert.Equal(t, []string{"MX example.org.", "MX partial.example.", "TXT example.org.",
		"ip4 mx.example.org.", "ip6 mx.example.org.", "PTR 192.0.2.1", "PTR 192.0.2.2"}, a.Calls())
	a.ResetCalls()
	a.Quiet = true
	_, _ = a.LookupTXT(ctx, "example.org.")
	assert.Empty(t, a.Calls())

	a.EmptyNotFound = true
	names, err = a.LookupAddr(ctx, "192.0.2.9")
	assert.NoError(t, err)
	assert.Empty(t, names)
	_, err = a.LookupAddr(ctx, "192.0.2.2")
	assert.Equal(t, boom, err, "errors stay errors")
}
