package arc

import (
	"context"
	"net"
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
	assertFail(t, res, true, ErrTemporary)

	s.Selector = "nokey"
	set, err = s.Seal(context.Background(), strings.NewReader(baseMessage))
	require.NoError(t, err)
	res, err = v.Verify(context.Background(), strings.NewReader(set+baseMessage))
	require.NoError(t, err)
	assertFail(t, res, false, dkim.ErrKeyNotFound)
}

func TestTemporaryFailure(t *testing.T) {
	w := newWorld(t)
	msg := w.seal(t, "lists.example.org", baseMessage)
	w.dns.Fault("arc._domainkey.lists.example.org.", dnstest.TypeTXT, dnstest.ServFail)
	res := w.verify(t, msg)
	assertFail(t, res, true, ErrTemporary)
	var de *net.DNSError
	require.ErrorAs(t, res.Err, &de)
	assert.True(t, de.IsTemporary)
	assert.True(t, strings.HasPrefix(res.AuthResult(), "arc=temperror"))

	// REFUSED is not temporary for Go; the error still carries a
	// temporary *net.DNSError in front.
	w.dns.Fault("arc._domainkey.lists.example.org.", dnstest.TypeTXT, dnstest.Refused)
	res = w.verify(t, msg)
	assert.ErrorIs(t, res.Err, ErrTemporary)
	assert.ErrorIs(t, res.Err, dkim.ErrTemporary)
	require.ErrorAs(t, res.Err, &de)
	assert.True(t, de.IsTemporary)
	assert.Equal(t, 1, strings.Count(res.Err.Error(), "temporary DNS failure"), res.Err.Error())

	_, err := w.sealers["fwd.example.net"].Seal(context.Background(), strings.NewReader(msg))
	assert.ErrorIs(t, err, ErrTemporary)

	w.dns.ClearFaults()
	assert.Equal(t, Pass, w.verify(t, msg).Status)
}

func TestKeyNotFoundIsFail(t *testing.T) {
	w := newWorld(t)
	s := *w.sealers["lists.example.org"]
	s.Selector = "missing"
	set, err := s.Seal(context.Background(), strings.NewReader(baseMessage))
	require.NoError(t, err)
	res := w.verify(t, set+baseMessage)
	assertFail(t, res, false, dkim.ErrKeyNotFound)
}

// ctx is checked before each key lookup: a cancelled one looks up nothing.
func TestContextCancelled(t *testing.T) {
	w := newWorld(t)
	msg := w.seal(t, "lists.example.org", baseMessage)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := w.dns.CountQueries("arc._domainkey.lists.example.org.", dnstest.TypeTXT)
	res, err := (&Verifier{Resolver: w.dns}).Verify(ctx, strings.NewReader(msg))
	require.NoError(t, err)
	assertFail(t, res, true, context.Canceled)
	assert.Equal(t, before, w.dns.CountQueries("arc._domainkey.lists.example.org.", dnstest.TypeTXT))
}

// Each key is looked up once per message, however many sets it sealed.
func TestKeyLookedUpOnce(t *testing.T) {
	w := newWorld(t)
	msg := baseMessage
	for i := 0; i < 5; i++ {
		msg = w.seal(t, "fwd.example.net", msg)
	}
	name := "ed._domainkey.fwd.example.net."
	before := w.dns.CountQueries(name, dnstest.TypeTXT)
	res := w.verify(t, msg)
	require.Equal(t, Pass, res.Status, "%v", res.Err)
	assert.Equal(t, 1, res.OldestPass)
	assert.Equal(t, 1, w.dns.CountQueries(name, dnstest.TypeTXT)-before)
}
