package arc

import (
	"context"
	"crypto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/require"
)

// Test keys, made once per test binary.
var (
	keysOnce      sync.Once
	rsaKey, edKey crypto.Signer
	rsaKey2       crypto.Signer
	keysErr       error
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = dkim.GenerateKey(dkim.KeyTypeRSA, 2048); err != nil {
			keysErr = err
			return
		}
		if rsaKey2, err = dkim.GenerateKey(dkim.KeyTypeRSA, 1024); err != nil {
			keysErr = err
			return
		}
		edKey, keysErr = dkim.GenerateKey(dkim.KeyTypeEd25519, 0)
	})
	require.NoError(t, keysErr)
}

// world is a set of sealers and the DNS that publishes their keys.
type world struct {
	dns     *dnstest.Memory
	sealers map[string]*Sealer
}

// newWorld publishes an RSA key for lists.example.org, an Ed25519 key for
// fwd.example.net and a 1024-bit RSA key for relay.example.com.
func newWorld(t testing.TB) *world {
	t.Helper()
	testKeys(t)
	w := &world{sealers: map[string]*Sealer{}}
	records := map[string]string{}
	add := func(domain, sel string, key crypto.Signer) {
		rec, err := dkim.NewKeyRecord(key.Public())
		require.NoError(t, err)
		records[sel+"._domainkey."+domain] = rec.String()
		w.sealers[domain] = &Sealer{Domain: domain, Selector: sel, Key: key, AuthServID: domain,
			Now: func() time.Time { return time.Unix(1700000000, 0) }}
	}
	add("lists.example.org", "arc", rsaKey)
	add("fwd.example.net", "ed", edKey)
	add("relay.example.com", "r1024", rsaKey2)
	w.dns = memResolver(t, records)
	for _, s := range w.sealers {
		s.Resolver = w.dns
	}
	return w
}

// seal is a hop: the sealer receives msg, validates its chain and writes
// its Authentication-Results (with the arc= result), changes the message
// (change may be nil), then seals it.
func (w *world) seal(t testing.TB, domain, msg string, change ...func(string) string) string {
	t.Helper()
	s := w.sealers[domain]
	res := w.verify(t, msg)
	ar := "Authentication-Results: " + domain + "; " + res.AuthResult() + ";\r\n spf=pass smtp.mailfrom=example.com\r\n"
	msg = ar + msg
	for _, c := range change {
		msg = c(msg)
	}
	set, err := s.Seal(context.Background(), strings.NewReader(msg))
	require.NoError(t, err)
	return set + msg
}

func (w *world) verify(t testing.TB, msg string) Result {
	t.Helper()
	v := &Verifier{Resolver: w.dns}
	res, err := v.Verify(context.Background(), strings.NewReader(msg))
	require.NoError(t, err)
	return res
}

const baseMessage = "From: Alice <alice@example.com>\r\n" +
	"To: list@lists.example.org\r\n" +
	"Subject: hello\r\n" +
	"Date: Mon, 7 Dec 2026 08:00:00 +0000\r\n" +
	"Message-ID: <1@example.com>\r\n" +
	"\r\n" +
	"Hello,\r\nthis is the body.\r\n"

// addFooter appends a mailing-list footer to the body.
func addFooter(msg string) string { return msg + "--\r\nlist footer\r\n" }

// tagSubject puts a list tag in front of the subject.
func tagSubject(msg string) string {
	return strings.Replace(msg, "\nSubject: ", "\nSubject: [list] ", 1)
}
