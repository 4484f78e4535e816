package dane_test

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/mx/dane"
)

// pki is a root, an intermediate and leaves for the Verify tests.
type pki struct {
	root, inter, leaf, other, expired, wild *certKey
	otherRoot, self                         *certKey
}

func newPKI(t testing.TB) *pki {
	p := &pki{}
	p.root = makeCert(t, certSpec{cn: "Root", ca: true, maxPath: -1}, nil)
	p.inter = makeCert(t, certSpec{cn: "Inter", ca: true, maxPath: 0}, p.root)
	p.leaf = makeCert(t, certSpec{cn: "mx.example.org", dnsNames: []string{"mx.example.org"}}, p.inter)
	p.other = makeCert(t, certSpec{cn: "other.example", dnsNames: []string{"other.example"}}, p.inter)
	p.expired = makeCert(t, certSpec{cn: "mx.example.org", dnsNames: []string{"mx.example.org"},
		notBefore: time.Now().Add(-3 * time.Hour), notAfter: time.Now().Add(-time.Hour)}, p.inter)
	p.wild = makeCert(t, certSpec{cn: "x", dnsNames: []string{"*.example.org"}}, p.inter)
	p.otherRoot = makeCert(t, certSpec{cn: "Other Root", ca: true, maxPath: -1}, nil)
	p.self = makeCert(t, certSpec{cn: "mx.example.org", dnsNames: []string{"mx.example.org"}}, nil)
	return p
}

func TestVerify(t *testing.T) {
	p := newPKI(t)
	names := []string{"mx.example.org"}
	full := chainOf(p.leaf, p.inter, p.root)
	short := chainOf(p.leaf, p.inter)
	zero32 := dane.Record{Usage: 3, Selector: 1, MatchingType: 1, Data: make([]byte, 32)}
	past := time.Now().Add(-48 * time.Hour)
	oldRoot := makeCert(t, certSpec{cn: "Old Root", ca: true, maxPath: -1, notBefore: past, notAfter: past.Add(time.Hour)}, nil)
	oldInter := makeCert(t, certSpec{cn: "Old Inter", ca: true, maxPath: -1, notBefore: past, notAfter: past.Add(time.Hour)}, p.root)
	underOldRoot := makeCert(t, certSpec{cn: "mx.example.org", dnsNames: names}, oldRoot)
	underOldInter := makeCert(t, certSpec{cn: "mx.example.org", dnsNames: names}, oldInter)
	noTLSUsage := makeCert(t, certSpec{cn: "mx.example.org", dnsNames: names, ku: x509.KeyUsageCRLSign}, p.inter)
	clientOnly := makeCert(t, certSpec{cn: "mx.example.org", dnsNames: names, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, p.inter)
	cnOnly := makeCert(t, certSpec{cn: "mx.example.org"}, p.inter)
	tests := []struct {
		name    string
		records []dane.Record
		chain   []*x509.Certificate
		names   []string
		want    int // index into records of the expected match, -1 for an error
		depth   int
		err     error
	}{
		{"EE SPKI SHA-256", []dane.Record{rec(p.leaf.cert, 3, 1, 1)}, full, names, 0, 0, nil},
		{"EE cert SHA-512", []dane.Record{rec(p.leaf.cert, 3, 0, 2)}, full, names, 0, 0, nil},
		{"EE cert full", []dane.Record{rec(p.leaf.cert, 3, 0, 0)}, full, names, 0, 0, nil},
		{"EE SPKI full", []dane.Record{rec(p.leaf.cert, 3, 1, 0)}, full, names, 0, 0, nil},
		{"EE ignores names", []dane.Record{rec(p.other.cert, 3, 1, 1)}, chainOf(p.other, p.inter), names, 0, 0, nil},
		{"EE ignores expiry", []dane.Record{rec(p.expired.cert, 3, 1, 1)}, chainOf(p.expired, p.inter), names, 0, 0, nil},
		{"EE mismatch", []dane.Record{zero32}, full, names, -1, 0, dane.ErrNoMatch},
		{"EE on an intermediate does not match", []dane.Record{rec(p.inter.cert, 3, 1, 1)}, full, names, -1, 0, dane.ErrNoMatch},
		{"TA intermediate", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, full, names, 0, 1, nil},
		{"TA root in chain", []dane.Record{rec(p.root.cert, 2, 1, 1)}, full, names, 0, 2, nil},
		{"TA root in full, not sent", []dane.Record{rec(p.root.cert, 2, 0, 0)}, short, names, 0, 2, nil},
		{"TA root key in full, not sent", []dane.Record{rec(p.root.cert, 2, 1, 0)}, short, names, 0, 1, nil},
		{"TA digest of an unsent root", []dane.Record{rec(p.root.cert, 2, 0, 1)}, short, names, -1, 0, dane.ErrNoMatch},
		{"TA on the leaf does not match", []dane.Record{rec(p.leaf.cert, 2, 0, 1)}, full, names, -1, 0, dane.ErrNoMatch},
		{"TA in full is the self-signed leaf itself", []dane.Record{rec(p.self.cert, 2, 0, 0)}, chainOf(p.self), names, -1, 0, dane.ErrNoMatch},
		{"EE on a self-signed leaf", []dane.Record{rec(p.self.cert, 3, 0, 0)}, chainOf(p.self), names, 0, 0, nil},
		{"TA wrong name", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(p.other, p.inter), names, -1, 0, dane.ErrNameMismatch},
		{"TA no names given", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(p.other, p.inter), nil, 0, 1, nil},
		{"TA wildcard", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(p.wild, p.inter), names, 0, 1, nil},
		{"TA wildcard is one label", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(p.wild, p.inter), []string{"a.mx.example.org", "example.org"}, -1, 0, dane.ErrNameMismatch},
		{"TA second name", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, full, []string{"example.org", "MX.Example.ORG."}, 0, 1, nil},
		{"TA expired leaf", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(p.expired, p.inter), names, -1, 0, dane.ErrNoMatch},
		{"TA other root", []dane.Record{rec(p.otherRoot.cert, 2, 0, 0)}, short, names, -1, 0, dane.ErrNoMatch},
		// As OpenSSL (and so Postfix): a self-signed anchor must be
		// valid; an anchor that is not self-signed is a name and a key.
		{"TA expired self-signed root", []dane.Record{rec(oldRoot.cert, 2, 0, 1)}, chainOf(underOldRoot, oldRoot), names, -1, 0, dane.ErrNoMatch},
		{"TA expired intermediate", []dane.Record{rec(oldInter.cert, 2, 0, 1)}, chainOf(underOldInter, oldInter, p.root), names, 0, 1, nil},
		{"TA leaf key usage without TLS", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(noTLSUsage, p.inter), names, -1, 0, dane.ErrNoMatch},
		{"TA leaf for clients only", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(clientOnly, p.inter), names, -1, 0, dane.ErrNoMatch},
		{"EE ignores key usage", []dane.Record{rec(noTLSUsage.cert, 3, 1, 1)}, chainOf(noTLSUsage, p.inter), names, 0, 0, nil},
		{"TA common name when no DNS names", []dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(cnOnly, p.inter), names, 0, 1, nil},
		{"PKIX-EE unusable", []dane.Record{rec(p.leaf.cert, 1, 1, 1)}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"PKIX-TA unusable", []dane.Record{rec(p.root.cert, 0, 0, 1)}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"short digest unusable", []dane.Record{{Usage: 3, Selector: 1, MatchingType: 1, Data: rec(p.leaf.cert, 3, 1, 1).Data[:16]}}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"long digest unusable", []dane.Record{{Usage: 3, Selector: 1, MatchingType: 2, Data: rec(p.leaf.cert, 3, 1, 1).Data}}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"unknown selector", []dane.Record{{Usage: 3, Selector: 2, MatchingType: 1, Data: make([]byte, 32)}}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"unknown matching type", []dane.Record{{Usage: 3, Selector: 1, MatchingType: 3, Data: make([]byte, 32)}}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"malformed full cert", []dane.Record{{Usage: 2, Selector: 0, MatchingType: 0, Data: p.root.cert.Raw[1:]}}, short, names, -1, 0, dane.ErrNoUsableRecords},
		{"no records", nil, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"unusable then usable", []dane.Record{rec(p.leaf.cert, 1, 1, 1), rec(p.leaf.cert, 3, 1, 1)}, full, names, 1, 0, nil},
		{"mismatch then match", []dane.Record{zero32, rec(p.inter.cert, 2, 1, 2)}, full, names, 1, 1, nil},
		// RFC 7671 §9: a SHA2-512 record hides the SHA2-256 ones of the
		// same usage and selector.
		{"digest agility", []dane.Record{rec(p.leaf.cert, 3, 1, 1), {Usage: 3, Selector: 1, MatchingType: 2, Data: make([]byte, 64)}}, full, names, -1, 0, dane.ErrNoMatch},
		{"digest agility per selector", []dane.Record{rec(p.leaf.cert, 3, 1, 1), {Usage: 3, Selector: 0, MatchingType: 2, Data: make([]byte, 64)}}, full, names, 0, 0, nil},
		{"no chain", []dane.Record{rec(p.leaf.cert, 3, 1, 1)}, nil, names, -1, 0, dane.ErrNoMatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := dane.VerifyMatch(tc.records, tc.chain, dane.VerifyOptions{Names: tc.names})
			if tc.want < 0 {
				require.ErrorIs(t, err, tc.err)
				for _, other := range []error{dane.ErrNoMatch, dane.ErrNoUsableRecords, dane.ErrNameMismatch} {
					if other != tc.err {
						require.NotErrorIs(t, err, other)
					}
				}
				return
			}
			require.NoError(t, err)
			require.True(t, m.Record.Equal(tc.records[tc.want]), "matched %s", m.Record)
			require.Equal(t, tc.depth, m.Depth)
		})
	}
}

func TestVerifyExpiredChainError(t *testing.T) {
	p := newPKI(t)
	_, err := dane.Verify([]dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(p.expired, p.inter), dane.VerifyOptions{})
	var inv x509.CertificateInvalidError
	require.ErrorIs(t, err, dane.ErrNoMatch)
	require.True(t, errors.As(err, &inv), "%v", err)
	require.Equal(t, x509.Expired, inv.Reason)
	// At a time when the leaf was valid, it passes.
	_, err = dane.Verify([]dane.Record{rec(p.inter.cert, 2, 0, 1)}, chainOf(p.expired, p.inter),
		dane.VerifyOptions{Now: time.Now().Add(-2 * time.Hour)})
	require.NoError(t, err)
}

func TestVerifyPKIX(t *testing.T) {
	p := newPKI(t)
	roots := x509.NewCertPool()
	full := chainOf(p.leaf, p.inter, p.root)
	ee := rec(p.leaf.cert, 1, 1, 1)
	ta := rec(p.root.cert, 0, 0, 1)
	var ua x509.UnknownAuthorityError
	_, err := dane.Verify([]dane.Record{ee}, full, dane.VerifyOptions{PKIXRoots: roots})
	require.ErrorIs(t, err, dane.ErrNoMatch)
	require.ErrorAs(t, err, &ua)
	roots.AddCert(p.root.cert)
	for _, r := range []dane.Record{ee, ta} {
		got, err := dane.Verify([]dane.Record{r}, full, dane.VerifyOptions{PKIXRoots: roots, Names: []string{"mx.example.org"}})
		require.NoError(t, err)
		require.True(t, got.Equal(r))
		_, err = dane.Verify([]dane.Record{r}, full, dane.VerifyOptions{PKIXRoots: roots, Names: []string{"other.example"}})
		require.ErrorIs(t, err, dane.ErrNameMismatch)
	}
}
