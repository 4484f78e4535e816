package dane_test

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/dane"
)

// pki is a root, an intermediate and leaves for the Verify tests.
type pki struct {
	root, inter, leaf, other, expired, wild *testcert.Cert
	otherRoot, self                         *testcert.Cert
}

func newPKI(t testing.TB) *pki {
	p := &pki{}
	p.root = testcert.Make(t, testcert.Spec{CN: "Root", CA: true, MaxPath: -1}, nil)
	p.inter = testcert.Make(t, testcert.Spec{CN: "Inter", CA: true, MaxPath: 0}, p.root)
	p.leaf = testcert.Make(t, testcert.Spec{CN: "mx.example.org", DNSNames: []string{"mx.example.org"}}, p.inter)
	p.other = testcert.Make(t, testcert.Spec{CN: "other.example", DNSNames: []string{"other.example"}}, p.inter)
	p.expired = testcert.Make(t, testcert.Spec{CN: "mx.example.org", DNSNames: []string{"mx.example.org"},
		NotBefore: time.Now().Add(-3 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}, p.inter)
	p.wild = testcert.Make(t, testcert.Spec{CN: "x", DNSNames: []string{"*.example.org"}}, p.inter)
	p.otherRoot = testcert.Make(t, testcert.Spec{CN: "Other Root", CA: true, MaxPath: -1}, nil)
	p.self = testcert.Make(t, testcert.Spec{CN: "mx.example.org", DNSNames: []string{"mx.example.org"}}, nil)
	return p
}

func TestVerify(t *testing.T) {
	p := newPKI(t)
	names := []string{"mx.example.org"}
	full := testcert.Chain(p.leaf, p.inter, p.root)
	short := testcert.Chain(p.leaf, p.inter)
	zero32 := dane.Record{Usage: 3, Selector: 1, MatchingType: 1, Data: make([]byte, 32)}
	past := time.Now().Add(-48 * time.Hour)
	oldRoot := testcert.Make(t, testcert.Spec{CN: "Old Root", CA: true, MaxPath: -1, NotBefore: past, NotAfter: past.Add(time.Hour)}, nil)
	oldInter := testcert.Make(t, testcert.Spec{CN: "Old Inter", CA: true, MaxPath: -1, NotBefore: past, NotAfter: past.Add(time.Hour)}, p.root)
	underOldRoot := testcert.Make(t, testcert.Spec{CN: "mx.example.org", DNSNames: names}, oldRoot)
	underOldInter := testcert.Make(t, testcert.Spec{CN: "mx.example.org", DNSNames: names}, oldInter)
	noTLSUsage := testcert.Make(t, testcert.Spec{CN: "mx.example.org", DNSNames: names, KeyUsage: x509.KeyUsageCRLSign}, p.inter)
	clientOnly := testcert.Make(t, testcert.Spec{CN: "mx.example.org", DNSNames: names, ExtKey: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, p.inter)
	cnOnly := testcert.Make(t, testcert.Spec{CN: "mx.example.org"}, p.inter)
	tests := []struct {
		name    string
		records []dane.Record
		chain   []*x509.Certificate
		names   []string
		want    int // index into records of the expected match, -1 for an error
		depth   int
		err     error
	}{
		{"EE SPKI SHA-256", []dane.Record{rec(p.leaf.Cert, 3, 1, 1)}, full, names, 0, 0, nil},
		{"EE cert SHA-512", []dane.Record{rec(p.leaf.Cert, 3, 0, 2)}, full, names, 0, 0, nil},
		{"EE cert full", []dane.Record{rec(p.leaf.Cert, 3, 0, 0)}, full, names, 0, 0, nil},
		{"EE SPKI full", []dane.Record{rec(p.leaf.Cert, 3, 1, 0)}, full, names, 0, 0, nil},
		{"EE ignores names", []dane.Record{rec(p.other.Cert, 3, 1, 1)}, testcert.Chain(p.other, p.inter), names, 0, 0, nil},
		{"EE ignores expiry", []dane.Record{rec(p.expired.Cert, 3, 1, 1)}, testcert.Chain(p.expired, p.inter), names, 0, 0, nil},
		{"EE mismatch", []dane.Record{zero32}, full, names, -1, 0, dane.ErrNoMatch},
		{"EE on an intermediate does not match", []dane.Record{rec(p.inter.Cert, 3, 1, 1)}, full, names, -1, 0, dane.ErrNoMatch},
		{"TA intermediate", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, full, names, 0, 1, nil},
		{"TA root in chain", []dane.Record{rec(p.root.Cert, 2, 1, 1)}, full, names, 0, 2, nil},
		{"TA root in full, not sent", []dane.Record{rec(p.root.Cert, 2, 0, 0)}, short, names, 0, 2, nil},
		{"TA root key in full, not sent", []dane.Record{rec(p.root.Cert, 2, 1, 0)}, short, names, 0, 1, nil},
		{"TA digest of an unsent root", []dane.Record{rec(p.root.Cert, 2, 0, 1)}, short, names, -1, 0, dane.ErrNoMatch},
		{"TA on the leaf does not match", []dane.Record{rec(p.leaf.Cert, 2, 0, 1)}, full, names, -1, 0, dane.ErrNoMatch},
		{"TA in full is the self-signed leaf itself", []dane.Record{rec(p.self.Cert, 2, 0, 0)}, testcert.Chain(p.self), names, -1, 0, dane.ErrNoMatch},
		{"EE on a self-signed leaf", []dane.Record{rec(p.self.Cert, 3, 0, 0)}, testcert.Chain(p.self), names, 0, 0, nil},
		{"TA wrong name", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(p.other, p.inter), names, -1, 0, dane.ErrNameMismatch},
		{"TA no names given", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(p.other, p.inter), nil, 0, 1, nil},
		{"TA wildcard", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(p.wild, p.inter), names, 0, 1, nil},
		{"TA wildcard is one label", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(p.wild, p.inter), []string{"a.mx.example.org", "example.org"}, -1, 0, dane.ErrNameMismatch},
		{"TA second name", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, full, []string{"example.org", "MX.Example.ORG."}, 0, 1, nil},
		{"TA expired leaf", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(p.expired, p.inter), names, -1, 0, dane.ErrNoMatch},
		{"TA other root", []dane.Record{rec(p.otherRoot.Cert, 2, 0, 0)}, short, names, -1, 0, dane.ErrNoMatch},
		// As OpenSSL (and so Postfix): a self-signed anchor must be
		// valid; an anchor that is not self-signed is a name and a key.
		{"TA expired self-signed root", []dane.Record{rec(oldRoot.Cert, 2, 0, 1)}, testcert.Chain(underOldRoot, oldRoot), names, -1, 0, dane.ErrNoMatch},
		{"TA expired intermediate", []dane.Record{rec(oldInter.Cert, 2, 0, 1)}, testcert.Chain(underOldInter, oldInter, p.root), names, 0, 1, nil},
		{"TA leaf key usage without TLS", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(noTLSUsage, p.inter), names, -1, 0, dane.ErrNoMatch},
		{"TA leaf for clients only", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(clientOnly, p.inter), names, -1, 0, dane.ErrNoMatch},
		{"EE ignores key usage", []dane.Record{rec(noTLSUsage.Cert, 3, 1, 1)}, testcert.Chain(noTLSUsage, p.inter), names, 0, 0, nil},
		{"TA common name when no DNS names", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(cnOnly, p.inter), names, 0, 1, nil},
		{"PKIX-EE unusable", []dane.Record{rec(p.leaf.Cert, 1, 1, 1)}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"PKIX-TA unusable", []dane.Record{rec(p.root.Cert, 0, 0, 1)}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"short digest unusable", []dane.Record{{Usage: 3, Selector: 1, MatchingType: 1, Data: rec(p.leaf.Cert, 3, 1, 1).Data[:16]}}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"long digest unusable", []dane.Record{{Usage: 3, Selector: 1, MatchingType: 2, Data: rec(p.leaf.Cert, 3, 1, 1).Data}}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"unknown selector", []dane.Record{{Usage: 3, Selector: 2, MatchingType: 1, Data: make([]byte, 32)}}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"unknown matching type", []dane.Record{{Usage: 3, Selector: 1, MatchingType: 3, Data: make([]byte, 32)}}, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"malformed full cert", []dane.Record{{Usage: 2, Selector: 0, MatchingType: 0, Data: p.root.Cert.Raw[1:]}}, short, names, -1, 0, dane.ErrNoUsableRecords},
		{"no records", nil, full, names, -1, 0, dane.ErrNoUsableRecords},
		{"unusable then usable", []dane.Record{rec(p.leaf.Cert, 1, 1, 1), rec(p.leaf.Cert, 3, 1, 1)}, full, names, 1, 0, nil},
		{"mismatch then match", []dane.Record{zero32, rec(p.inter.Cert, 2, 1, 2)}, full, names, 1, 1, nil},
		// RFC 7671 §9: a SHA2-512 record hides the SHA2-256 ones of the
		// same usage and selector.
		{"digest agility", []dane.Record{rec(p.leaf.Cert, 3, 1, 1), {Usage: 3, Selector: 1, MatchingType: 2, Data: make([]byte, 64)}}, full, names, -1, 0, dane.ErrNoMatch},
		{"digest agility per selector", []dane.Record{rec(p.leaf.Cert, 3, 1, 1), {Usage: 3, Selector: 0, MatchingType: 2, Data: make([]byte, 64)}}, full, names, 0, 0, nil},
		{"no chain", []dane.Record{rec(p.leaf.Cert, 3, 1, 1)}, nil, names, -1, 0, dane.ErrNoMatch},
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
	_, err := dane.Verify([]dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(p.expired, p.inter), dane.VerifyOptions{})
	var inv x509.CertificateInvalidError
	require.ErrorIs(t, err, dane.ErrNoMatch)
	require.True(t, errors.As(err, &inv), "%v", err)
	require.Equal(t, x509.Expired, inv.Reason)
	// At a time when the leaf was valid, it passes.
	_, err = dane.Verify([]dane.Record{rec(p.inter.Cert, 2, 0, 1)}, testcert.Chain(p.expired, p.inter),
		dane.VerifyOptions{Now: time.Now().Add(-2 * time.Hour)})
	require.NoError(t, err)
}

func TestVerifyPKIX(t *testing.T) {
	p := newPKI(t)
	roots := x509.NewCertPool()
	full := testcert.Chain(p.leaf, p.inter, p.root)
	ee := rec(p.leaf.Cert, 1, 1, 1)
	ta := rec(p.root.Cert, 0, 0, 1)
	var ua x509.UnknownAuthorityError
	_, err := dane.Verify([]dane.Record{ee}, full, dane.VerifyOptions{PKIXRoots: roots})
	require.ErrorIs(t, err, dane.ErrNoMatch)
	require.ErrorAs(t, err, &ua)
	roots.AddCert(p.root.Cert)
	for _, r := range []dane.Record{ee, ta} {
		got, err := dane.Verify([]dane.Record{r}, full, dane.VerifyOptions{PKIXRoots: roots, Names: []string{"mx.example.org"}})
		require.NoError(t, err)
		require.True(t, got.Equal(r))
		_, err = dane.Verify([]dane.Record{r}, full, dane.VerifyOptions{PKIXRoots: roots, Names: []string{"other.example"}})
		require.ErrorIs(t, err, dane.ErrNameMismatch)
	}
}
