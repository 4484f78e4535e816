package srs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testpeer"
)

// Live interop with Perl's Mail::SRS (Debian libmail-srs-perl), driven by
// testdata/mailsrs-driver.pl with its clock pinned to each request's time.

type perlRequest struct {
	Op     string `json:"op"`
	Input  string `json:"input"`
	Alias  string `json:"alias,omitempty"`
	Time   int64  `json:"time"`
	Params any    `json:"params"` // map[string]any or diffParams
}

type perlResult struct {
	OK     bool   `json:"ok"`
	Output string `json:"output"`
	Error  string `json:"error"`
}

// runMailSRS sends all requests to one Perl process and returns its answers.
func runMailSRS[R any](t *testing.T, perl string, reqs []R) []perlResult {
	t.Helper()
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, r := range reqs {
		require.NoError(t, enc.Encode(r))
	}
	cmd := exec.Command(perl, "testdata/mailsrs-driver.pl")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "mailsrs-driver.pl: %s", stderr.String())
	var res []perlResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r perlResult
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "line %q", sc.Text())
		res = append(res, r)
	}
	require.Len(t, res, len(reqs))
	return res
}

func needMailSRS(t *testing.T) string {
	t.Helper()
	perl := testpeer.Program(t, "perl", "Debian perl")
	testpeer.Runs(t, "Perl module Mail::SRS (Debian libmail-srs-perl)", perl, "-MMail::SRS", "-MJSON::PP", "-e", "1")
	return perl
}

// forwardCase is one Forward call made on both sides.
type forwardCase struct {
	cfg    peerConfig
	unix   int64
	sender string
}

func (c forwardCase) perl() perlRequest {
	return perlRequest{Op: "forward", Input: c.sender, Alias: c.cfg.Domain, Time: c.unix, Params: c.cfg.perlParams()}
}

// reverseCase is one Reverse call made on both sides.
type reverseCase struct {
	cfg     peerConfig
	unix    int64
	address string
	resplit bool // a field boundary was moved: Reverse may refuse what Forward cannot make
	from    string
}

func (c reverseCase) perl() perlRequest {
	return perlRequest{Op: "reverse", Input: c.address, Time: c.unix, Params: c.cfg.perlParams()}
}

func TestInteropMailSRS(t *testing.T) {
	perl := needMailSRS(t)
	rng := rand.New(rand.NewPCG(6, 2026))

	// Phase 1: forwarding, three hops (plain -> SRS0 -> SRS1 -> SRS1),
	// both implementations on the same inputs.
	var fwd []forwardCase
	var goOut []string
	var goErr []error
	add := func(c forwardCase) (string, error) {
		out, err := c.cfg.rewriter(c.unix).Forward(c.sender)
		fwd = append(fwd, c)
		goOut = append(goOut, out)
		goErr = append(goErr, err)
		return out, err
	}
	for range 400 {
		hop1 := randConfig(rng)
		unix := randTime(rng)
		sender := randLocal(rng) + "@" + randDomain(rng)
		if rng.IntN(10) == 0 {
			sender = randLocal(rng) + "@" + hop1.Domain // the forwarder's own domain
		}
		s0, err := add(forwardCase{hop1, unix, sender})
		if err != nil || !IsSRS(s0) {
			continue
		}
		hop2 := randConfig(rng)
		s1, err := add(forwardCase{hop2, unix + rng.Int64N(3*secondsPerDay), s0})
		if err != nil || !IsSRS(s1) {
			continue
		}
		add(forwardCase{randConfig(rng), unix + rng.Int64N(5*secondsPerDay), s1})
	}
	for _, edge := range []string{
		"postmaster", `"a@b"@example.org`, "user@", "@", "SRS0+@hop1.example", "srs1=x=h.example=-y@z.example",
		"@example.org", "user@[192.0.2.1]", "a.b@EXAMPLE.org.", `"john doe"@example.org`, "SRS0=@hop1.example",
	} {
		add(forwardCase{randConfig(rng), 1700000000, edge})
	}
	reqs := make([]perlRequest, len(fwd))
	for i, c := range fwd {
		reqs[i] = c.perl()
	}
	perlFwd := runMailSRS(t, perl, reqs)
	agreeFwd := 0
	for i, c := range fwd {
		p := perlFwd[i]
		if p.OK && refusedByDesign(c.sender) {
			if assert.ErrorIs(t, goErr[i], ErrMalformed, "forward %q; Mail::SRS gave %q", c.sender, p.Output) {
				agreeFwd++ // by design: see Forward
			}
			continue
		}
		if !p.OK {
			if assert.Error(t, goErr[i], "Mail::SRS refused %q (%s) but Go gave %q; %s", c.sender, p.Error, goOut[i], describe(c.cfg, c.unix)) {
				agreeFwd++
			}
			continue
		}
		if assert.NoError(t, goErr[i], "forward %q; Mail::SRS gave %q; %s", c.sender, p.Output, describe(c.cfg, c.unix)) &&
			assert.Equal(t, p.Output, goOut[i], "forward %q; %s", c.sender, describe(c.cfg, c.unix)) {
			agreeFwd++
		}
	}
	t.Logf("forward: %d/%d cases agree with Mail::SRS (byte-identical output, both refuse, or refused here by design)", agreeFwd, len(fwd))

	// Phase 2: reversing. Perl's addresses go to Go's Reverse, Go's
	// addresses go to Perl's reverse, at several later times and with the
	// mutations a remote MTA or a forger would apply.
	var rev []reverseCase
	for i, c := range fwd {
		if goErr[i] != nil || !perlFwd[i].OK || !IsSRS(goOut[i]) {
			continue
		}
		later := []int64{0, 1 + rng.Int64N(70), -1}
		for _, d := range later {
			u := c.unix + d*secondsPerDay
			rev = append(rev, reverseCase{cfg: c.cfg, unix: u, address: perlFwd[i].Output, from: "perl"})
			rev = append(rev, reverseCase{cfg: c.cfg, unix: u, address: goOut[i], from: "go"})
		}
		for _, m := range mutations(rng, goOut[i]) {
			rev = append(rev, reverseCase{cfg: c.cfg, unix: c.unix, address: m.address, resplit: m.resplit, from: "mutated"})
		}
		other := c.cfg
		other.Secrets = []string{randSecret(rng)}
		rev = append(rev, reverseCase{cfg: other, unix: c.unix, address: goOut[i], from: "other secret"})
	}
	reqs = reqs[:0]
	for _, c := range rev {
		reqs = append(reqs, c.perl())
	}
	perlRev := runMailSRS(t, perl, reqs)
	agreeRev, accepted, stricter := 0, 0, 0
	for i, c := range rev {
		p := perlRev[i]
		got, err := c.cfg.rewriter(c.unix).Reverse(c.address)
		ctx := describe(c.cfg, c.unix) + " (" + c.from + ")"
		switch {
		case p.OK && err == nil:
			accepted++
			if assert.Equal(t, p.Output, got, "reverse %q; %s", c.address, ctx) {
				agreeRev++
			}
		case !p.OK && err != nil:
			agreeRev++
		case p.OK && c.resplit && errors.Is(err, ErrMalformed):
			stricter++ // Mail::SRS accepts a re-split Forward could not make
		default:
			t.Errorf("reverse %q: Mail::SRS ok=%v %q %q, Go %q %v; %s", c.address, p.OK, p.Output, p.Error, got, err, ctx)
		}
	}
	t.Logf("reverse: %d/%d cases agree with Mail::SRS (%d accepted by both); %d re-split addresses refused here only", agreeRev, len(rev), accepted, stricter)
	assert.Greater(t, accepted, 500)
}

// TestMailSRSRegeneratesVectors reruns the vector generator against the
// installed Mail::SRS: the stored expectations must be what it says today.
func TestMailSRSRegeneratesVectors(t *testing.T) {
	perl := needMailSRS(t)
	testpeer.Runs(t, "Perl modules JSON::PP, Digest::HMAC_SHA1", perl, "-MJSON::PP", "-MDigest::HMAC_SHA1", "-e", "1")
	cmd := exec.Command(perl, "gen-vectors-mailsrs.pl", "spec-public.json")
	cmd.Dir = "testdata"
	out, err := cmd.Output()
	require.NoError(t, err)
	var fresh, stored vectorFile
	require.NoError(t, json.Unmarshal(out, &fresh))
	stored = loadVectors(t)
	require.Len(t, fresh.Cases, len(stored.Cases))
	for i := range stored.Cases {
		a, b := fresh.Cases[i], stored.Cases[i]
		assert.Equal(t, b.ID, a.ID)
		assert.Equal(t, b.OK, a.OK, b.ID)
		assert.Equal(t, b.Output, a.Output, b.ID)
	}
}
