package dmarc

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckDiscoveryModesDiffer shows where the tree walk and the Public
// Suffix List disagree on relaxed alignment.
func TestCheckDiscoveryModesDiffer(t *testing.T) {
	zone := []string{
		dmarcTXT("example.com", "v=DMARC1; p=reject"),
		dmarcTXT("com", "v=DMARC1; p=none"), // a TLD record without psd=y
	}
	in := Input{FromDomain: "example.com", DKIMDomains: []string{"other.com"}}
	_, c := serve(t, zone...)
	v, err := c.Check(ctx(t), in)
	require.NoError(t, err)
	// Tree walk: the record with the fewest labels is "com", so both
	// domains have the Organizational Domain "com" and align (§4.10.2
	// rule 3) - which is why PSOs must publish psd=y (§5.2).
	assert.Equal(t, Pass, v.Result)
	assert.Equal(t, "com", v.OrgDomain)

	c.Discovery = PSL
	v, err = c.Check(ctx(t), in)
	require.NoError(t, err)
	assert.Equal(t, Fail, v.Result)
	assert.Equal(t, "example.com", v.OrgDomain)
}

func TestCheckPercentBounds(t *testing.T) {
	for _, tt := range []struct {
		pct  string
		want Policy
	}{{"100", PolicyReject}, {"0", PolicyQuarantine}} {
		_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; pct="+tt.pct))
		c.Discovery = PSL
		for range 50 {
			v, err := c.Check(ctx(t), Input{FromDomain: "example.com"})
			require.NoError(t, err)
			assert.Equal(t, tt.want, v.Disposition, "pct=%s", tt.pct)
		}
	}
	// t=y and pct=0 lower one step only.
	_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; pct=0; t=y"))
	c.Discovery = PSL
	v, err := c.Check(ctx(t), Input{FromDomain: "example.com"})
	require.NoError(t, err)
	assert.Equal(t, PolicyQuarantine, v.Disposition)
	assert.True(t, v.Testing)
	assert.False(t, v.SampledOut)
}

func TestCheckDKIMDomainLimit(t *testing.T) {
	m, c := memory(t, dmarcTXT("example.com", "v=DMARC1; p=reject"))
	var doms []string
	for i := range 100 {
		doms = append(doms, fmt.Sprintf("s%d.example.com", i))
	}
	v, err := c.Check(ctx(t), Input{FromDomain: "example.com", DKIMDomains: doms})
	require.NoError(t, err)
	assert.Equal(t, Pass, v.Result) // the first one aligns
	doms = append(doms[:0:0], "evil.example.net")
	for i := range 100 {
		doms = append(doms, fmt.Sprintf("x%d.example.org", i))
	}
	m.Data().ResetLog()
	v, err = c.Check(ctx(t), Input{FromDomain: "example.com", DKIMDomains: doms})
	require.NoError(t, err)
	assert.Equal(t, Fail, v.Result)
	assert.LessOrEqual(t, len(m.Data().Queries()), MaxTreeWalkQueries*(MaxDKIMDomains+1))
}

// FuzzCheck feeds arbitrary names to Check over a fixed in-memory zone:
// it must not panic, and the error must be set exactly for TempError and
// PermError.
func FuzzCheck(f *testing.F) {
	f.Add("example.com", "bounce.example.com", "example.com", true)
	f.Add("a.b.c.d.e.f.g.h.i.j.example.com", "x.bank.example", "bank.example", false)
	f.Add("BÜCHER.example.", "", "xn--bcher-kva.example", true)
	f.Add("", "..", "a..b", true)
	f.Add("fail.example.com", "fail.example.com", "z", true)
	res := txtZone(map[string][]string{
		"_dmarc.example.com.":           {"v=DMARC1; p=reject; sp=quarantine; np=reject"},
		"_dmarc.bank.example.":          {"v=DMARC1; p=reject; psd=y"},
		"_dmarc.xn--bcher-kva.example.": {"v=DMARC1; p=none; adkim=s", "v=spf1 -all"},
		"_dmarc.dup.example.":           {"v=DMARC1; p=none", "v=DMARC1; p=reject"},
		"_dmarc.bad.example.":           {"v=DMARC1; p=none; p=none"},
	}).failing("_dmarc.fail.example.com").resolver(f)
	f.Fuzz(func(t *testing.T, from, spf, dkim string, spfPass bool) {
		res.Data().ResetLog() // the log and counts stay small however long the run
		for _, d := range []Discovery{TreeWalk, PSL} {
			c := &Checker{Resolver: res, Discovery: d, Rand: rand.New(rand.NewPCG(1, 1))}
			v, err := c.Check(t.Context(), Input{FromDomain: from, SPFDomain: spf, SPFPass: spfPass, DKIMDomains: []string{dkim}})
			if (err != nil) != (v.Result == TempError || v.Result == PermError) {
				t.Fatalf("result %s with error %v", v.Result, err)
			}
			if v.Result != Fail && v.Disposition != PolicyNone {
				t.Fatalf("result %s with disposition %s", v.Result, v.Disposition)
			}
			_ = v.AuthResult()
		}
	})
}

// TestCheckConcurrent: one Checker (nil Rand) shared by goroutines; run
// with -race.
func TestCheckConcurrent(t *testing.T) {
	_, c := serve(t, dmarcTXT("example.com", "v=DMARC1; p=reject; pct=50; np=quarantine"))
	c.Discovery = PSL
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			for j := range 10 {
				in := Input{FromDomain: fmt.Sprintf("h%d-%d.example.com", i, j), DKIMDomains: []string{"example.com"}}
				if j%2 == 0 {
					in.DKIMDomains = nil
				}
				v, err := c.Check(t.Context(), in)
				if err != nil {
					errs <- err
					return
				}
				if (j%2 == 0) != (v.Result == Fail) {
					errs <- fmt.Errorf("%s: %s", in.FromDomain, v.Result)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		require.NoError(t, <-errs)
	}
}
