package dane_test

import (
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/dane"
)

// TestVerifyBoundedWork: records beyond MaxRecords and certificates beyond
// MaxChain are not looked at, so a huge record set or chain costs what the
// limits allow (measured in allocations), and the digests of a certificate
// are computed once however many records share them.
func TestVerifyBoundedWork(t *testing.T) {
	p := newPKI(t)
	mismatch := func(n int) []dane.Record {
		var rs []dane.Record
		for i := range n {
			r := rec(p.inter.Cert, 2, uint8(i%2), 1)
			r.Data = append([]byte(nil), r.Data...)
			r.Data[0] ^= byte(i%255 + 1)
			r.Data[1] ^= byte(i / 255)
			rs = append(rs, r)
		}
		return rs
	}
	chain := testcert.Chain(p.leaf, p.inter, p.root)
	at := func(records []dane.Record, chain []*x509.Certificate) float64 {
		return testing.AllocsPerRun(5, func() {
			_, err := dane.Verify(records, chain, dane.VerifyOptions{})
			require.ErrorIs(t, err, dane.ErrNoMatch)
		})
	}
	atLimit := at(mismatch(dane.MaxRecords), chain)
	far := at(mismatch(50*dane.MaxRecords), chain)
	require.Equal(t, atLimit, far, "records beyond MaxRecords cost nothing")

	long := chain
	for len(long) < 10*dane.MaxChain {
		long = append(long, p.other.Cert)
	}
	atChain := at(mismatch(dane.MaxRecords), long[:dane.MaxChain])
	farChain := at(mismatch(dane.MaxRecords), long)
	require.Equal(t, atChain, farChain, "certificates beyond MaxChain cost nothing")

	// Many records, few digests: the cost grows with the records kept,
	// not with digest computations per record.
	few := at(mismatch(2), chain)
	require.Less(t, atLimit, few+float64(dane.MaxRecords)*8, "allocations per record are bounded")
}
