package dane_test

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/dane"
)

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"2 0 0 3082", "3 1 2 " + "00", "0 0 0 01", "255 255 255 ff", "3 1 1", "3 1 1 zz",
		"  3\t1 1 ab cd ", "1e3 1 1 00", "+3 1 1 00", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := dane.ParseRecord(s)
		if err != nil {
			if !errors.Is(err, dane.ErrSyntax) {
				t.Fatalf("error does not wrap ErrSyntax: %v", err)
			}
			return
		}
		again, err := dane.ParseRecord(r.String())
		if err != nil || !again.Equal(r) {
			t.Fatalf("round trip of %q: %v", r.String(), err)
		}
		_ = r.Usable()
	})
}

// FuzzVerify verifies a fixed chain against records made of fuzz input:
// no input may panic, and a match must name one of the records given.
func FuzzVerify(f *testing.F) {
	p := newPKI(f)
	chain := testcert.Chain(p.leaf, p.inter, p.root)
	for _, r := range []dane.Record{
		rec(p.leaf.Cert, 3, 1, 1), rec(p.inter.Cert, 2, 0, 1), rec(p.root.Cert, 2, 0, 0),
		rec(p.root.Cert, 2, 1, 0), rec(p.leaf.Cert, 3, 0, 0), rec(p.leaf.Cert, 1, 1, 2),
	} {
		f.Add(r.Usage, r.Selector, r.MatchingType, r.Data, uint8(3), false)
	}
	f.Add(uint8(2), uint8(0), uint8(0), p.root.Cert.Raw[:40], uint8(1), true)
	f.Fuzz(func(t *testing.T, usage, selector, mtype uint8, data []byte, chainLen uint8, withNames bool) {
		records := []dane.Record{{Usage: usage, Selector: selector, MatchingType: mtype, Data: data}}
		// A second record from the same bytes, with the other usage.
		records = append(records, dane.Record{Usage: usage ^ 1, Selector: selector, MatchingType: mtype, Data: data})
		n := int(chainLen%4) + 0
		var opts dane.VerifyOptions
		if withNames {
			opts.Names = []string{"mx.example.org"}
		}
		opts.Now = time.Now()
		opts.PKIXRoots = nil
		m, err := dane.VerifyMatch(records, chain[:min(n, len(chain))], opts)
		if err == nil {
			if !m.Record.Equal(records[0]) && !m.Record.Equal(records[1]) {
				t.Fatalf("matched a record not given: %s", m.Record)
			}
			return
		}
		if !errors.Is(err, dane.ErrNoMatch) && !errors.Is(err, dane.ErrNoUsableRecords) && !errors.Is(err, dane.ErrNameMismatch) {
			t.Fatalf("error wraps none of the sentinels: %v", err)
		}
		// With PKIX usages enabled too, nothing panics either.
		_, _ = dane.Verify(records, chain, dane.VerifyOptions{PKIXRoots: x509.NewCertPool()})
	})
}
