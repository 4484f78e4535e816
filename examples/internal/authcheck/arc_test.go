package authcheck

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dkim/arc"
	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/spf"
)

// chain returns a passing ARC result whose sets were sealed by the given
// domains (i=1 first), each with the ARC-Authentication-Results payload aar.
func chain(oldestPass int, aar string, sealers ...string) arc.Result {
	r := arc.Result{Status: arc.Pass, Sets: len(sealers), OldestPass: oldestPass}
	for i, d := range sealers {
		r.Instances = append(r.Instances, arc.SetResult{Instance: i + 1, Seal: &arc.Seal{Instance: i + 1, Domain: d},
			AuthResults: aar, SealVerified: true})
	}
	return r
}

// TestARCOverride: a DMARC failure is overridden only for a named sealer,
// only when the chain passes, only when that sealer's set still covers the
// message, and only when its results vouch for the From domain.
func TestARCOverride(t *testing.T) {
	const (
		dmarcPass = "mx.example.net; spf=pass smtp.mailfrom=example.org; dmarc=pass (p=reject dis=none) header.from=example.org"
		dkimPass  = "mx.example.net; dkim=pass header.d=example.org header.s=ed2026; dmarc=none"
		both      = "mx.example.net; dkim=pass header.d=example.org; dmarc=pass header.from=example.org"
		dkimOther = "mx.example.net; dkim=pass header.d=other.example; dmarc=fail header.from=example.org"
		dmarcFail = "mx.example.net; dmarc=fail (p=reject) header.from=example.org"
		otherFrom = "mx.example.net; dmarc=pass header.from=phish.example"
	)
	failed := dmarc.Verdict{Result: dmarc.Fail, Disposition: dmarc.PolicyReject, FromDomain: "example.org"}
	broken := chain(1, dmarcPass, "example.net")
	broken.Status, broken.Err, broken.OldestPass = arc.Fail, arc.ErrSeal, 0
	temp := chain(1, dmarcPass, "example.net")
	temp.Status, temp.Err, temp.OldestPass = arc.Fail, arc.ErrTemporary, 0
	tests := []struct {
		name       string
		trusted    []string
		dmarc      dmarc.Verdict
		arc        arc.Result
		fromErr    error
		wantSealer string // "" for no override
		wantInst   int
		wantResult string // the AAR result the override rests on
	}{
		{"trusted sealer, dmarc=pass in its AAR", []string{"example.net"}, failed, chain(1, dmarcPass, "example.net"), nil, "example.net", 1, "dmarc=pass (p=reject dis=none) header.from=example.org"},
		{"dmarc=pass is preferred to dkim=pass", []string{"example.net"}, failed, chain(1, both, "example.net"), nil, "example.net", 1, "dmarc=pass header.from=example.org"},
		{"sealer named with other case and a final dot", []string{"lists.example", "Example.NET."}, failed, chain(1, dmarcPass, "example.net"), nil, "example.net", 1, "dmarc=pass (p=reject dis=none) header.from=example.org"},
		{"dkim=pass for the From domain", []string{"example.net"}, failed, chain(1, dkimPass, "example.net"), nil, "example.net", 1, "dkim=pass header.d=example.org header.s=ed2026"},
		{"dkim=pass for another domain", []string{"example.net"}, failed, chain(1, dkimOther, "example.net"), nil, "", 0, ""},
		{"the sealer saw dmarc=fail too", []string{"example.net"}, failed, chain(1, dmarcFail, "example.net"), nil, "", 0, ""},
		{"dmarc=pass for another From domain", []string{"example.net"}, failed, chain(1, otherFrom, "example.net"), nil, "", 0, ""},
		{"sealer not named", []string{"lists.example"}, failed, chain(1, dmarcPass, "example.net"), nil, "", 0, ""},
		{"nobody trusted", nil, failed, chain(1, dmarcPass, "example.net"), nil, "", 0, ""},
		{"chain fails", []string{"example.net"}, failed, broken, nil, "", 0, ""},
		{"chain temperror", []string{"example.net"}, failed, temp, nil, "", 0, ""},
		{"no chain", []string{"example.net"}, failed, arc.Result{Status: arc.None}, nil, "", 0, ""},
		{"DMARC passed: nothing to override", []string{"example.net"}, dmarc.Verdict{Result: dmarc.Pass, FromDomain: "example.org"}, chain(1, dmarcPass, "example.net"), nil, "", 0, ""},
		{"DMARC temperror: nothing to override", []string{"example.net"}, dmarc.Verdict{Result: dmarc.TempError}, chain(1, dmarcPass, "example.net"), nil, "", 0, ""},
		{"no single From", []string{"example.net"}, failed, chain(1, dmarcPass, "example.net"), mailmsg.ErrFrom, "", 0, ""},
		{"trusted older set, message unchanged since", []string{"example.net"}, failed, chain(1, dmarcPass, "example.net", "relay.example"), nil, "example.net", 1, "dmarc=pass (p=reject dis=none) header.from=example.org"},
		{"trusted older set, changed after it", []string{"example.net"}, failed, chain(2, dmarcPass, "example.net", "relay.example"), nil, "", 0, ""},
		{"newest trusted set wins", []string{"example.net", "relay.example"}, failed, chain(2, dmarcPass, "example.net", "relay.example"), nil, "relay.example", 2, "dmarc=pass (p=reject dis=none) header.from=example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Result{FromDomain: "example.org", FromErr: tt.fromErr, DMARC: tt.dmarc, ARC: tt.arc}
			r.Override = arcOverride(tt.trusted, r)
			if tt.wantSealer == "" {
				require.Nil(t, r.Override)
				if tt.dmarc.Result == dmarc.Fail {
					require.Equal(t, Reject, r.Action())
				}
				return
			}
			require.NotNil(t, r.Override)
			require.Equal(t, tt.wantSealer, r.Override.Sealer)
			require.Equal(t, tt.wantInst, r.Override.Instance)
			require.Equal(t, tt.wantResult, r.Override.Result)
			require.Equal(t, Accept, r.Action())
			require.Contains(t, r.Summary(), "override=arc:"+tt.wantSealer+" action=accept")
			m := r.Methods()
			require.Equal(t, "dmarc=fail", strings.Fields(m[len(m)-1])[0])
			require.Contains(t, m[len(m)-1], "(policy override: arc from "+tt.wantSealer)
		})
	}
}

// TestARCMethod: arc= is reported for every message, before dmarc.
func TestARCMethod(t *testing.T) {
	tests := []struct {
		arc  arc.Result
		want string
	}{
		{arc.Result{}, "arc=none"},
		{arc.Result{Status: arc.None}, "arc=none"},
		{chain(1, "x; none", "example.net"), "arc=pass"},
		{arc.Result{Status: arc.Fail, Sets: 1, Err: arc.ErrSeal}, "arc=fail"},
		{arc.Result{Status: arc.Fail, Sets: 1, Err: errors.Join(arc.ErrTemporary)}, "arc=temperror"},
	}
	for _, tt := range tests {
		r := &Result{ARC: tt.arc, FromDomain: "example.org", SPF: spf.Verdict{Result: spf.None, Identity: spf.IdentityMailFrom, Sender: "alice@example.org"},
			DMARC: dmarc.Verdict{Result: dmarc.None, FromDomain: "example.org"}}
		m := r.Methods()
		require.Equal(t, tt.want, strings.Fields(m[len(m)-2])[0], m)
		h, err := r.Header("mx.example.com")
		require.NoError(t, err)
		require.Contains(t, h.Field(), tt.want)
		require.Contains(t, r.Summary(), " "+tt.want+" ")
	}
}

func TestNormalizeSealers(t *testing.T) {
	require.Equal(t, []string{"example.net", "lists.example.org"}, NormalizeSealers(" Example.NET., ,lists.example.org"))
	require.Nil(t, NormalizeSealers(""))
}
