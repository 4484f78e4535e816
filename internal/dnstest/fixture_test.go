package dnstest

import (
	"errors"
	"net"
	"slices"
	"testing"
)

// TestServeFixture checks a fixture's records and failures over the
// wire: TXT answers, a CNAME followed, a failing name and a CNAME chain
// into it answering SERVFAIL (temporary), a name the fixture lacks
// NXDOMAIN.
func TestServeFixture(t *testing.T) {
	srv := ServeFixture(t, Fixture{
		TXT: map[string][]string{
			"_mta-sts.example.com.": {"v=STSv1; id=1"},
			"target.example.net.":   {"v=STSv1; id=2", "other"},
		},
		CNAME: map[string]string{
			"_mta-sts.alias.example.":  "target.example.net.",
			"_mta-sts.broken.example.": "_mta-sts.hop.example.",
			"_mta-sts.hop.example.":    "_mta-sts.fail.example.",
		},
		Fail: []string{"txt _mta-sts.fail.example."},
	})
	r := srv.Resolver()
	cases := []struct {
		name      string
		want      []string
		temporary bool // else: NXDOMAIN where want is nil
	}{
		{"_mta-sts.example.com.", []string{"v=STSv1; id=1"}, false},
		{"_mta-sts.alias.example.", []string{"v=STSv1; id=2", "other"}, false},
		{"_mta-sts.fail.example.", nil, true},
		{"_mta-sts.hop.example.", nil, true},
		{"_mta-sts.broken.example.", nil, true},
		{"_mta-sts.none.example.", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := r.LookupTXT(lookupCtx(t), c.name)
			if c.want != nil {
				slices.Sort(got)
				want := slices.Sorted(slices.Values(c.want))
				if err != nil || !slices.Equal(got, want) {
					t.Fatalf("LookupTXT = %q, %v; want %q", got, err, want)
				}
				return
			}
			var de *net.DNSError
			if !errors.As(err, &de) {
				t.Fatalf("LookupTXT = %q, %v; want a *net.DNSError", got, err)
			}
			if c.temporary != de.IsTemporary || de.IsNotFound == c.temporary {
				t.Fatalf("LookupTXT error %v: IsTemporary %v IsNotFound %v, want temporary %v", err, de.IsTemporary, de.IsNotFound, c.temporary)
			}
		})
	}
}
