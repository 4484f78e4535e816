package dane_test

import (
	"testing"

	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/dane"
)

// BenchmarkVerify measures Verify for the common records: DANE-EE "3 1 1"
// (a hash and a compare) and DANE-TA "2 0 1" (a chain validation with a
// signature check per certificate).
func BenchmarkVerify(b *testing.B) {
	p := newPKI(b)
	chain := testcert.Chain(p.leaf, p.inter, p.root)
	cases := []struct {
		name    string
		records []dane.Record
	}{
		{"DANE-EE 3 1 1", []dane.Record{rec(p.leaf.Cert, 3, 1, 1)}},
		{"DANE-TA 2 0 1", []dane.Record{rec(p.inter.Cert, 2, 0, 1)}},
		{"DANE-TA 2 1 0 bare key", []dane.Record{rec(p.root.Cert, 2, 1, 0)}},
		{"no match, 8 records", func() []dane.Record {
			var rs []dane.Record
			for i := range 8 {
				r := rec(p.leaf.Cert, 3, uint8(i%2), 1)
				r.Data = append([]byte(nil), r.Data...)
				r.Data[0] ^= byte(i + 1)
				rs = append(rs, r)
			}
			return rs
		}()},
	}
	opts := dane.VerifyOptions{Names: []string{"mx.example.org"}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = dane.Verify(c.records, chain, opts)
			}
		})
	}
}
