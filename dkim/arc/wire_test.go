package arc

import (
	"context"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Over the wire: keys served by a DNS server on loopback, read by Go's
// resolver; a SERVFAIL is a temporary failure, a missing record a fail.
func TestOverTheWire(t *testing.T) {
	testKeys(t)
	rec, err := dkim.NewKeyRecord(rsaKey.Public())
	require.NoError(t, err)
	srv := dnstest.New(t, rec.ZoneText("arc", "lists.example.org"))
	s := &Sealer{Domain: "lists.example.org", Selector: "arc", Key: rsaKey, AuthServID: "lists.example.org", Resolver: srv.Resolver()}
	set, err := s.Seal(context.Background(), strings.NewReader(baseMessage))
	require.NoError(t, err)
	v := &Verifier{Resolver: srv.Resolver()}
	res, err := v.Verify(context.Background(), strings.NewReader(set+baseMessage))
	require.NoError(t, err)
	assert.Equal(t, Pass, res.Status, "%v", res.Err)

	srv.Fault("arc._domainkey.lists.example.org.", dnstest.TypeTXT, dnstest.ServFail)
	res, err = v.Verify(context.Background(), strings.NewReader(set+baseMessage))
	require.NoError(t, err)
	assert.Equal(t, Fail, res.Status)
	assert.True(t, res.Temporary(), "%v", res.Err)
	assert.ErrorIs(t, res.Err, ErrTemporary)

	s.Selector = "nokey"
	set, err = s.Seal(context.Background(), strings.NewReader(baseMessage))
	require.NoError(t, err)
	res, err = v.Verify(context.Background(), strings.NewReader(set+baseMessage))
	require.NoError(t, err)
	assert.Equal(t, Fail, res.Status)
	assert.False(t, res.Temporary())
	assert.ErrorIs(t, res.Err, dkim.ErrKeyNotFound)
}
