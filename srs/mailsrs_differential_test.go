package srs

// Differential tests: the Rewriter, used only through its exported API,
// compared with the real Mail::SRS (Debian libmail-srs-perl), with secrets,
// addresses and settings the package's own tests do not use, in the way
// held-out vectors would be run: Params -> Rewriter, Time -> Now.

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type diffParams struct {
	Secret        []string `json:"Secret"`
	HashLength    int      `json:"HashLength,omitempty"`
	HashMin       int      `json:"HashMin,omitempty"`
	MaxAge        int      `json:"MaxAge,omitempty"`
	Separator     string   `json:"Separator,omitempty"`
	AlwaysRewrite int      `json:"AlwaysRewrite,omitempty"`
}

// rewriter builds the Rewriter an outsider would build from Mail::SRS
// parameters.
func (p diffParams) rewriter(domain string, unix int64) *Rewriter {
	r := &Rewriter{
		Domain:        domain,
		HashLength:    p.HashLength,
		HashMin:       p.HashMin,
		MaxAge:        time.Duration(p.MaxAge) * 24 * time.Hour,
		Now:           func() time.Time { return time.Unix(unix, 0) },
		AlwaysRewrite: p.AlwaysRewrite != 0,
	}
	if p.Separator != "" {
		r.Separator = p.Separator[0]
	}
	for _, s := range p.Secret {
		r.Secrets = append(r.Secrets, []byte(s))
	}
	return r
}

type diffReq struct {
	Op     string     `json:"op"`
	Input  string     `json:"input"`
	Alias  string     `json:"alias,omitempty"`
	Time   int64      `json:"time"`
	Params diffParams `json:"params"`
}

func perlErrIs(msg string) error {
	switch {
	case strings.Contains(msg, "Invalid timestamp"):
		return ErrExpired
	case strings.Contains(msg, "Invalid hash"):
		return ErrBadHash
	case strings.Contains(msg, "does not match"):
		return ErrNotSRS
	}
	return nil
}

var (
	diffLocals = []string{
		"zoë", "Jean-Luc.Picard", "x", "o'brien", "a+b+c", "a=b==c", "-lead", "trail-", "=", "+", "==x",
		`"quoted string"`, `"with=equals"`, `"a\"b"`, "UPPER", "MiXeD", "user_name", "a.b.c.d",
		"1234567890", "!#$%&'*/=?^_`{|}~", "SRS0", "SRS", "srs0x", "SRS1", "SRS2=x", "ñoño", "ü",
		"a%b", "postmaster", "", "dots..dots", "SRS0_x", "srs", strings.Repeat("l", 64),
	}
	diffDomains = []string{
		"mail.example.net", "EXAMPLE.COM", "Sub.Domain.Example.Org", "xn--mnchen-3ya.example",
		"münchen.example", "under_score.example", "a.b", "x-y.example", "[192.0.2.33]",
		"[IPv6:2001:db8::33]", "ex.example.", "1.2.3.4.example", strings.Repeat("d", 63) + ".example",
		"exa!mple.org", "a%b.example", "x+y.example", "host:25", "example.org>", "a/b.example", "a~b.example",
	}
	diffSecrets = []string{
		"correct horse battery staple", "s", strings.Repeat("long-secret-", 9), "sécret-ünïcode",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", // exactly 64 bytes
		"tab\tand space",
	}
	diffForwarders = []string{"relay.example.com", "Fwd.Example.NET", "lists.xn--mnchen-3ya.example", "bounces@fw.example"}
)

func pick[T any](rng *rand.Rand, s []T) T { return s[rng.IntN(len(s))] }

func randParams(rng *rand.Rand) diffParams {
	var p diffParams
	n := 1 + rng.IntN(3)
	for i := 0; i < n; i++ {
		p.Secret = append(p.Secret, pick(rng, diffSecrets))
	}
	p.HashLength = pick(rng, []int{0, 0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 27, 30})
	if rng.IntN(3) == 0 {
		hl := p.HashLength
		if hl == 0 {
			hl = 4
		}
		p.HashMin = 1 + rng.IntN(hl)
	}
	p.MaxAge = pick(rng, []int{0, 0, 1, 2, 7, 21, 30, 49, 365})
	p.Separator = pick(rng, []string{"", "=", "+", "-"})
	if rng.IntN(8) == 0 {
		p.AlwaysRewrite = 1
	}
	return p
}

func maxAgeDays(p diffParams) int64 {
	if p.MaxAge == 0 {
		return 21
	}
	return int64(p.MaxAge)
}

// caseVariants gives the address with its local part in lower and upper
// case, as mail systems that smash case would deliver it.
func caseVariants(addr string) []string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return nil
	}
	return []string{strings.ToLower(addr[:at]) + addr[at:], strings.ToUpper(addr[:at]) + addr[at:]}
}

func TestMailSRSDifferential(t *testing.T) {
	perl := needMailSRS(t)
	rng := rand.New(rand.NewPCG(20261201, 5))

	type fwd struct {
		p      diffParams
		alias  string
		unix   int64
		sender string
	}
	var fwds []fwd
	for i := 0; i < 600; i++ {
		p := randParams(rng)
		alias := pick(rng, diffForwarders)
		sender := pick(rng, diffLocals) + "@" + pick(rng, diffDomains)
		switch rng.IntN(10) {
		case 0: // the forwarder's own domain, in another case
			d := alias[strings.LastIndexByte(alias, '@')+1:]
			sender = pick(rng, diffLocals) + "@" + strings.ToUpper(d)
		case 1: // an SRS0 address from another forwarder (opaque to us)
			sender = pick(rng, []string{"SRS0=", "srs0+", "SRS0-", "Srs0="}) + pick(rng, []string{"Ab/+=ZZ=orig.example=joe", "opaque+string", "=x=y", ""}) + "@other-fwd.example"
		case 2: // an SRS1 address from other forwarders
			sender = pick(rng, []string{"SRS1=", "srs1+", "SRS1-"}) + pick(rng, []string{"XyZ1=first.example==HhHh=G3=orig.example=joe", "q=first.example=+abcd=AB=o.example=x=y", "h=first.example==opaque", "h=first.example=opaque", "h=first.example=", "h=first.example=a@b"}) + "@second.example"
		}
		unix := 1_600_000_000 + rng.Int64N(400_000_000)
		fwds = append(fwds, fwd{p, alias, unix, sender})
	}
	reqs := make([]diffReq, len(fwds))
	for i, f := range fwds {
		reqs[i] = diffReq{Op: "forward", Input: f.sender, Alias: f.alias, Time: f.unix, Params: f.p}
	}
	perlFwd := runMailSRS(t, perl, reqs)

	type rev struct {
		p      diffParams
		unix   int64
		addr   string
		goOnly bool   // a variant only this package must accept (base64url)
		orig   string // for goOnly: the address it stands for
	}
	var revs []rev
	mismatches := 0
	for i, f := range fwds {
		got, err := f.p.rewriter(f.alias, f.unix).Forward(f.sender)
		pr := perlFwd[i]
		desc := fmt.Sprintf("forward %q alias %q params %+v time %d", f.sender, f.alias, f.p, f.unix)
		if pr.OK && RefusedByDesign(f.sender) {
			// Stricter than Mail::SRS on purpose (see Forward).
			assert.ErrorIs(t, err, ErrMalformed, desc)
			continue
		}
		if pr.OK != (err == nil) || (pr.OK && pr.Output != got) {
			mismatches++
			t.Errorf("%s:\n  perl: ok=%v %q %s\n  go:   %q %v", desc, pr.OK, pr.Output, pr.Error, got, err)
			continue
		}
		if !pr.OK || !IsSRS(pr.Output) {
			continue
		}
		days := maxAgeDays(f.p)
		for _, d := range []int64{0, 1, days - 1, days, days + 1, -1, -2, 1024, 1024 + days + 1, 1023} {
			unix := f.unix + d*86400
			revs = append(revs, rev{p: f.p, unix: unix, addr: pr.Output})
		}
		for _, v := range caseVariants(pr.Output) {
			revs = append(revs, rev{p: f.p, unix: f.unix, addr: v})
		}
		// Rotation: a new secret first, the signing one still listed.
		rotated := f.p
		rotated.Secret = append([]string{"brand-new-secret"}, f.p.Secret...)
		revs = append(revs, rev{p: rotated, unix: f.unix, addr: pr.Output})
		dropped := f.p
		dropped.Secret = []string{"brand-new-secret"}
		revs = append(revs, rev{p: dropped, unix: f.unix, addr: pr.Output})
		if u := hashAlphabet(pr.Output, toBase64URL); u != pr.Output {
			revs = append(revs, rev{p: f.p, unix: f.unix, addr: u, goOnly: true, orig: pr.Output})
		}
		// Forward again at a second forwarder with its own secret: SRS1.
		hop := diffParams{Secret: []string{"hop-two-" + fmt.Sprint(i)}, Separator: pick(rng, []string{"", "+", "-"})}
		revs = append(revs, rev{p: hop, unix: f.unix, addr: "fwd:" + pr.Output})
	}
	require.Zero(t, mismatches, "Forward differs from Mail::SRS")

	// Second-hop forwards go through Perl too; then reverse everything.
	var hopReqs []diffReq
	var hopIdx []int
	for i, r := range revs {
		if strings.HasPrefix(r.addr, "fwd:") {
			hopReqs = append(hopReqs, diffReq{Op: "forward", Input: r.addr[4:], Alias: "hop2.example", Time: r.unix, Params: r.p})
			hopIdx = append(hopIdx, i)
		}
	}
	hopRes := runMailSRS(t, perl, hopReqs)
	for k, i := range hopIdx {
		r := revs[i]
		got, err := r.p.rewriter("hop2.example", r.unix).Forward(r.addr[4:])
		require.NoError(t, err, r.addr)
		require.True(t, hopRes[k].OK, hopRes[k].Error)
		require.Equal(t, hopRes[k].Output, got, "second hop of %q", r.addr[4:])
		revs[i].addr = got
		// And a third hop: SRS1 of SRS1.
		third := diffParams{Secret: []string{"third hop secret"}, HashLength: 6}
		got3, err := third.rewriter("hop3.example", r.unix).Forward(got)
		require.NoError(t, err)
		revs = append(revs, rev{p: third, unix: r.unix + 400*86400, addr: got3})
		for _, v := range caseVariants(got) {
			revs = append(revs, rev{p: r.p, unix: r.unix, addr: v})
		}
	}

	// Malformed SRS addresses: Mail::SRS calls them all "Invalid hash".
	for _, bad := range []string{
		"SRS0=abcd=G3@x.example", "SRS0=@x.example", "SRS0=h=TT=host@x.example", "SRS0=abcd=T!=host.example=user@x.example",
		"SRS0=abcd=TTT=host.example=user@x.example", "SRS1=abcd=host.example@x.example", "SRS1=abcd@x.example", "SRS1=@x.example",
		"SRS0=abcd=G3=ho!st=user@x.example", "SRS0=abcd=G3=host.example=a@b@x.example", "SRS1=abcd==rest@x.example",
		"SRS0=abcd=G3=host.example=SRS0=x@x.example", "srs0-abcd=AB=h.example=u@x.example",
	} {
		revs = append(revs, rev{p: diffParams{Secret: []string{"k"}}, unix: 1_700_000_000, addr: bad})
	}

	var rreqs []diffReq
	for _, r := range revs {
		rreqs = append(rreqs, diffReq{Op: "reverse", Input: r.addr, Time: r.unix, Params: r.p})
	}
	perlRev := runMailSRS(t, perl, rreqs)
	checked := 0
	for i, r := range revs {
		got, err := r.p.rewriter("ignored.example", r.unix).Reverse(r.addr)
		desc := fmt.Sprintf("reverse %q params %+v time %d", r.addr, r.p, r.unix)
		if r.goOnly {
			// base64url hashes reverse exactly like the standard ones.
			want, wantErr := r.p.rewriter("ignored.example", r.unix).Reverse(r.orig)
			if !assert.Equal(t, wantErr == nil, err == nil, "%s: %v / %v", desc, wantErr, err) || !assert.Equal(t, want, got, desc) {
				mismatches++
			}
			continue
		}
		pr := perlRev[i]
		checked++
		if pr.OK != (err == nil) || (pr.OK && pr.Output != got) {
			mismatches++
			t.Errorf("%s:\n  perl: ok=%v %q %s\n  go:   %q %v", desc, pr.OK, pr.Output, pr.Error, got, err)
			continue
		}
		if !pr.OK {
			if want := perlErrIs(pr.Error); want != nil && !errors.Is(err, want) {
				mismatches++
				t.Errorf("%s: perl says %q, go error %v is not %v", desc, pr.Error, err, want)
			}
		}
		if mismatches > 20 {
			t.Fatal("too many mismatches")
		}
	}
	t.Logf("%d forwards, %d reverses compared with Mail::SRS", len(fwds)+len(hopReqs), checked)
}

// A Rewriter with only Domain and Secrets behaves as Mail::SRS->new with
// only Secret: HashLength 4, HashMin 4, MaxAge 21 days, separator '='.
func TestMailSRSZeroRewriterIsMailSRSDefault(t *testing.T) {
	perl := needMailSRS(t)
	const unix = 1_812_345_678
	p := diffParams{Secret: []string{"zero-value-secret"}}
	senders := []string{"someone@elsewhere.example", "SRS0=abcd=AB=x.example=y@hop.example", "SRS1=efgh=hop.example==abcd=AB=x.example=y@hop2.example"}
	var reqs []diffReq
	for _, s := range senders {
		reqs = append(reqs, diffReq{Op: "forward", Input: s, Alias: "zero.example", Time: unix, Params: p})
	}
	res := runMailSRS(t, perl, reqs)
	var rreqs []diffReq
	for i, s := range senders {
		r := &Rewriter{Domain: "zero.example", Secrets: [][]byte{[]byte("zero-value-secret")}, Now: func() time.Time { return time.Unix(unix, 0) }}
		got, err := r.Forward(s)
		require.NoError(t, err)
		require.True(t, res[i].OK)
		assert.Equal(t, res[i].Output, got)
		for _, d := range []int64{21, 22, -1} {
			rreqs = append(rreqs, diffReq{Op: "reverse", Input: got, Time: unix + d*86400, Params: p})
		}
	}
	rres := runMailSRS(t, perl, rreqs)
	for _, q := range rreqs {
		_ = q
	}
	for i, q := range rreqs {
		r := &Rewriter{Secrets: [][]byte{[]byte("zero-value-secret")}, Now: func() time.Time { return time.Unix(q.Time, 0) }}
		got, err := r.Reverse(q.Input)
		assert.Equal(t, rres[i].OK, err == nil, "%s at %d: perl %q, go %v", q.Input, q.Time, rres[i].Error, err)
		if rres[i].OK {
			assert.Equal(t, rres[i].Output, got)
		}
	}
}

// Hand-picked cases with fixed expectations (no Perl needed).
func TestMailSRSReverseSemantics(t *testing.T) {
	now := time.Date(2027, 3, 4, 12, 0, 0, 0, time.UTC)
	at := func(d int) func() time.Time { return func() time.Time { return now.AddDate(0, 0, d) } }
	signer := &Rewriter{Domain: "fwd.example", Secrets: [][]byte{[]byte("k1")}, Now: at(0)}
	addr, err := signer.Forward(`"odd local"+x=y@Example.ORG`)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(addr, "SRS0="), addr)

	for _, tc := range []struct {
		name string
		r    *Rewriter
		in   string
		want string
		is   error
	}{
		{"same day", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(0)}, addr, `"odd local"+x=y@Example.ORG`, nil},
		{"21 days", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(21)}, addr, `"odd local"+x=y@Example.ORG`, nil},
		{"22 days", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(22)}, addr, "", ErrExpired},
		{"yesterday's clock: future stamp", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(-1)}, addr, "", ErrExpired},
		{"MaxAge 2 days, 3 days later", &Rewriter{Secrets: [][]byte{[]byte("k1")}, MaxAge: 48 * time.Hour, Now: at(3)}, addr, "", ErrExpired},
		{"1024 days later wraps", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(1024)}, addr, `"odd local"+x=y@Example.ORG`, nil},
		{"rotated: old secret second", &Rewriter{Secrets: [][]byte{[]byte("k2"), []byte("k1")}, Now: at(0)}, addr, `"odd local"+x=y@Example.ORG`, nil},
		{"other secret", &Rewriter{Secrets: [][]byte{[]byte("k2")}, Now: at(0)}, addr, "", ErrBadHash},
		{"lower-cased", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(0)}, strings.ToLower(addr), `"odd local"+x=y@example.org`, nil},
		{"not SRS", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(0)}, "user@example.org", "", ErrNotSRS},
		{"SRS2 is not SRS", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(0)}, "SRS2=a=b=c=d@x", "", ErrNotSRS},
		{"missing fields: cannot verify", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(0)}, "SRS0=abcd=G3@fwd.example", "", ErrBadHash},
		{"empty hash", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(0)}, "SRS0=@fwd.example", "", ErrBadHash},
		{"truncated hash", &Rewriter{Secrets: [][]byte{[]byte("k1")}, Now: at(0)}, addr[:8] + addr[9:], "", ErrBadHash},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.r.Reverse(tc.in)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
				assert.Empty(t, got)
				assert.True(t, strings.HasPrefix(err.Error(), "srs: "), err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestMailSRSForwardEdges(t *testing.T) {
	r := &Rewriter{Domain: "fwd.example", Secrets: [][]byte{[]byte("k")}, Now: func() time.Time { return time.Unix(1_800_000_000, 0) }}
	for _, in := range []string{"", "<>"} {
		out, err := r.Forward(in)
		require.NoError(t, err)
		assert.Equal(t, in, out, "null sender stays null")
	}
	out, err := r.Forward("me@FWD.example")
	require.NoError(t, err)
	assert.Equal(t, "me@FWD.example", out)
	r2 := *r
	r2.AlwaysRewrite = true
	out, err = r2.Forward("me@FWD.example")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out, "SRS0="), out)
	back, err := r2.Reverse(out)
	require.NoError(t, err)
	assert.Equal(t, "me@FWD.example", back)

	for _, bad := range []string{"no-at-sign", `"a@b"@example.org`, "user@", "user@exa=mple.org", "us\r\ner@example.org"} {
		_, err := r.Forward(bad)
		assert.ErrorIs(t, err, ErrMalformed, "%q", bad)
	}
	_, err = (&Rewriter{Domain: "fwd.example"}).Forward("a@b.example")
	assert.ErrorIs(t, err, ErrConfig)
	_, err = (&Rewriter{Secrets: [][]byte{[]byte("k")}}).Forward("a@b.example")
	assert.ErrorIs(t, err, ErrConfig)
	_, err = (&Rewriter{Domain: "fwd.example", Secrets: [][]byte{[]byte("k")}, Separator: '/'}).Forward("a@b.example")
	assert.ErrorIs(t, err, ErrConfig)
}
