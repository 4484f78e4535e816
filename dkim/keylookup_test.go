package dkim

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// DESIGN's failure convention over the wire: SERVFAIL, REFUSED (which Go's
// resolver does not call temporary) and a dropped query each make the
// signature temperror with an Err that wraps ErrTemporary and a
// *net.DNSError with IsTemporary set; NXDOMAIN does neither.
func TestTemporaryFailureConvention(t *testing.T) {
	keys := testKeys(t)
	rec, err := NewKeyRecord(keys[AlgorithmEd25519SHA256].Public())
	require.NoError(t, err)
	srv := dnstest.New(t, rec.ZoneText("s", "example.org"))
	srv.Timeout = 300 * time.Millisecond
	sig, err := (&Signer{Domain: "example.org", Selector: "s", Key: keys[AlgorithmEd25519SHA256]}).Sign(strings.NewReader(testMsg))
	require.NoError(t, err)
	v := &Verifier{Resolver: srv.Resolver()}
	require.Equal(t, Pass, verifyOne(t, v, sig+testMsg).Result)

	const name = "s._domainkey.example.org."
	for _, f := range []dnstest.Fault{dnstest.ServFail, dnstest.Refused, dnstest.Drop} {
		t.Run(f.String(), func(t *testing.T) {
			srv.ClearFaults()
			srv.Fault(name, dnstest.TypeTXT, f)
			got := verifyOne(t, v, sig+testMsg)
			assert.Equal(t, TempError, got.Result)
			assert.ErrorIs(t, got.Err, ErrTemporary)
			assert.ErrorIs(t, got.Err, ErrKeyUnavailable, "deprecated alias")
			var de *net.DNSError
			require.ErrorAs(t, got.Err, &de)
			assert.True(t, de.IsTemporary, "%#v", de)
			assert.Equal(t, name, de.Name)
			assert.Equal(t, 1, strings.Count(got.Err.Error(), "dkim: "), got.Err.Error())
			assert.True(t, strings.HasPrefix(got.Err.Error(), "dkim: temporary DNS failure: "+name+": "), got.Err.Error())
			assert.Equal(t, "dkim=temperror", got.AuthResult()[:len("dkim=temperror")])

			_, err := LookupKey(context.Background(), srv.Resolver(), "s", "example.org")
			assert.ErrorIs(t, err, ErrTemporary)
			de = nil
			require.ErrorAs(t, err, &de)
			assert.True(t, de.IsTemporary)
			assert.Equal(t, name, de.Name)
		})
	}

	srv.ClearFaults()
	_, err = LookupKey(context.Background(), srv.Resolver(), "nokey", "example.org")
	assert.ErrorIs(t, err, ErrKeyNotFound)
	assert.False(t, errors.Is(err, ErrTemporary))
}

func TestVerifyOverDNS(t *testing.T) {
	keys := testKeys(t)
	var zone strings.Builder
	for alg, k := range keys {
		rec, err := NewKeyRecord(k.Public())
		require.NoError(t, err)
		zone.WriteString(rec.ZoneText("s-"+alg, "example.org") + "\n")
	}
	srv := dnstest.New(t, zone.String())
	srv.Timeout = time.Second
	for alg, k := range keys {
		sig, err := (&Signer{Domain: "example.org", Selector: "s-" + alg, Key: k}).Sign(strings.NewReader(testMsg))
		require.NoError(t, err)
		got := verifyOne(t, &Verifier{Resolver: srv.Resolver()}, sig+testMsg)
		assert.Equal(t, Pass, got.Result, "%s: %v", alg, got.Err)
		// one lookup (a retransmission on a loaded machine may add one)
		assert.GreaterOrEqual(t, srv.CountQueries("s-"+alg+"._domainkey.example.org.", dnstest.TypeTXT), 1)
	}
	// A cancelled context is a temporary failure.
	sig, err := (&Signer{Domain: "example.org", Selector: "s-" + AlgorithmRSASHA256, Key: keys[AlgorithmRSASHA256]}).Sign(strings.NewReader(testMsg))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := (&Verifier{Resolver: srv.Resolver()}).Verify(ctx, strings.NewReader(sig+testMsg))
	require.NoError(t, err)
	assert.Equal(t, TempError, got[0].Result)
}

// TestResolverNamesAbsolute: the names handed to the Resolver end in a
// dot, as its doc says.
func TestResolverNamesAbsolute(t *testing.T) {
	msg, zone := signedTwice(t)
	res := &recordingResolver{Resolver: zone}
	_, err := (&Verifier{Resolver: res}).Verify(context.Background(), strings.NewReader(msg))
	require.NoError(t, err)
	names := res.lookups()
	require.Len(t, names, 2)
	for _, n := range names {
		assert.True(t, strings.HasSuffix(n, "._domainkey.example.org."), n)
	}
}
