package dmarc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/testpeer"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func nodePrefix() string {
	if p := os.Getenv("MAILSMITH_NODE_PREFIX"); p != "" {
		return p
	}
	return "/opt/mailsmith-node"
}

// peerCase is one interop vector: DNS data and a message.
type peerCase struct {
	TXT      map[string][]string `json:"txt"`      // owner (no _dmarc.) -> values, keys are full names
	Exists   []string            `json:"exists"`   // names with an A record
	ServFail []string            `json:"servfail"` // names whose queries fail
	From     string              `json:"from"`
	SPF      []string            `json:"spf"`
	DKIM     []string            `json:"dkim"`
	// Loose runs mailauth in its default mode, which folds tag names as
	// this package does; otherwise its strict mode (RFC 6376 duplicate
	// tags, case-sensitive names) is used.
	Loose bool `json:"loose"`
	name  string
}

type peerResult struct {
	Result       string `json:"result"`
	Policy       string `json:"policy"`
	PolicyDomain string `json:"policyDomain"`
	SPFAligned   bool   `json:"spfAligned"`
	DKIMAligned  bool   `json:"dkimAligned"`
	Error        string `json:"error"`
}

func runMailauth(t *testing.T, cases []peerCase) []peerResult {
	t.Helper()
	node := testpeer.Program(t, "node", "Debian nodejs")
	mods := filepath.Join(nodePrefix(), "node_modules")
	_, err := os.Stat(filepath.Join(mods, "mailauth", "lib", "dmarc", "verify.js"))
	testpeer.Require(t, "Node mailauth (npm, .ci/install-peers)", err == nil, err)
	in, err := json.Marshal(map[string]any{"cases": cases})
	require.NoError(t, err)
	cmd := exec.Command(node, filepath.Join("testdata", "mailauth_dmarc.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var res []peerResult
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res, len(cases))
	return res
}

// zone is the case's DNS data, for internal/dnstest's in-memory resolver.
func (pc peerCase) zone() *zoneSpec {
	z := txtZone(pc.TXT)
	for _, n := range pc.Exists {
		z.addA(n)
	}
	return z.failing(pc.ServFail...)
}

// interopVectors are hand-written cases covering RFC 9989 Appendix B.4 and
// the tag semantics both implementations follow.
func interopVectors() []peerCase {
	d := func(domain string) string { return "_dmarc." + domain }
	return []peerCase{
		{name: "B.4.1", TXT: map[string][]string{d("example.com"): {"v=DMARC1; p=reject"}, d("signing.example.com"): {"v=DMARC1; p=none"}},
			From: "example.com", SPF: []string{"example.com"}, DKIM: []string{"signing.example.com"}},
		{name: "B.4.2", TXT: map[string][]string{d("example.com"): {"v=DMARC1; p=reject"}, d("signing.example.com"): {"v=DMARC1; p=none"}},
			From: "a.b.c.d.e.f.g.h.i.j.k.example.com", Exists: []string{"a.b.c.d.e.f.g.h.i.j.k.example.com"}, DKIM: []string{"evil.example"}},
		{name: "B.4.3", TXT: map[string][]string{d("bank.example"): {"v=DMARC1; p=reject; psd=y"}, d("giant.bank.example"): {"v=DMARC1; p=quarantine"}},
			From: "giant.bank.example", SPF: []string{"mail.giant.bank.example"}, DKIM: []string{"mail.mega.bank.example"}},
		{name: "B.4.3 dkim only", TXT: map[string][]string{d("bank.example"): {"v=DMARC1; p=reject; psd=y"}, d("giant.bank.example"): {"v=DMARC1; p=quarantine"}},
			From: "giant.bank.example", DKIM: []string{"mail.mega.bank.example"}},
		{name: "PSD policy for non-existent org", TXT: map[string][]string{d("bank.example"): {"v=DMARC1; p=quarantine; np=reject; psd=y"}},
			From: "fake.bank.example"},
		{name: "PSD policy for existing org", TXT: map[string][]string{d("bank.example"): {"v=DMARC1; p=quarantine; np=reject; psd=y"}},
			From: "real.bank.example", Exists: []string{"real.bank.example"}},
		{name: "sp", TXT: map[string][]string{d("example.com"): {"v=DMARC1; p=reject; sp=none"}}, From: "www.example.com", Exists: []string{"www.example.com"}},
		{name: "t=y", TXT: map[string][]string{d("example.com"): {"v=DMARC1; p=reject; t=y"}}, From: "example.com", Exists: []string{"example.com"}},
		{name: "strict spf", TXT: map[string][]string{d("example.com"): {"v=DMARC1; p=reject; aspf=s"}}, From: "example.com", SPF: []string{"mail.example.com"}},
		{name: "strict dkim identical", TXT: map[string][]string{d("example.com"): {"v=DMARC1; p=reject; adkim=s"}}, From: "EXAMPLE.com", DKIM: []string{"example.COM."}},
		{name: "psd=n", TXT: map[string][]string{d("dept.example.com"): {"v=DMARC1; p=reject; psd=n"}, d("example.com"): {"v=DMARC1; p=none"}},
			From: "a.dept.example.com", Exists: []string{"a.dept.example.com"}, DKIM: []string{"example.com"}},
		{name: "duplicates discarded", TXT: map[string][]string{d("a.example.com"): {"v=DMARC1; p=none", "v=DMARC1; p=reject"}, d("example.com"): {"v=DMARC1; p=quarantine"}},
			From: "a.example.com", Exists: []string{"a.example.com"}},
		{name: "no p, rua", TXT: map[string][]string{d("example.com"): {"v=DMARC1; rua=mailto:r@example.com"}}, From: "example.com"},
		{name: "no p, no rua", TXT: map[string][]string{d("example.com"): {"v=DMARC1; adkim=s"}}, From: "example.com"},
		{name: "invalid sp", TXT: map[string][]string{d("example.com"): {"v=DMARC1; p=reject; sp=maybe"}}, From: "example.com"},
		{name: "servfail", TXT: map[string][]string{d("example.com"): {"v=DMARC1; p=reject"}}, ServFail: []string{d("example.com")}, From: "a.example.com"},
		{name: "no record", From: "example.net", SPF: []string{"example.net"}},
		{name: "IDN", TXT: map[string][]string{d("xn--bcher-kva.example"): {"v=DMARC1; p=reject"}}, From: "bücher.example", DKIM: []string{"mail.xn--bcher-kva.example"}},
		{name: "upper case values", TXT: map[string][]string{d("example.com"): {"V=DMARC1; p=REJECT; adkim=S; t=N"}}, From: "example.com", DKIM: []string{"mail.example.com"}},
		// Tag names are case-insensitive (RFC 5234 §2.3); mailauth folds
		// them in its default mode. (A repeat in another case, "p=x; P=y",
		// is a known difference: mailauth's default mode keeps the last.)
		{name: "upper case tag names", TXT: map[string][]string{d("example.com"): {"V=DMARC1; P=reject; RUA=mailto:d@example.com"}}, From: "example.com", Loose: true},
		{name: "upper case sp", TXT: map[string][]string{d("example.com"): {"v=DMARC1; P=none; SP=Reject"}}, From: "www.example.com", Exists: []string{"www.example.com"}, Loose: true},
		{name: "duplicate tag: walk goes on", TXT: map[string][]string{d("a.example.com"): {"v=DMARC1; p=none; p=reject"}, d("example.com"): {"v=DMARC1; p=quarantine"}},
			From: "a.example.com", Exists: []string{"a.example.com"}},
	}
}

// randomVectors builds DMARC records at random points of a small tree and
// random identifiers in it: a differential test of the tree walk.
func randomVectors(n int) []peerCase {
	r := rand.New(rand.NewPCG(42, 9989))
	names := []string{"example", "b.example", "c.b.example", "d.c.b.example", "e.d.c.b.example", "x.b.example", "y.x.b.example",
		"f.e.d.c.b.example", "g.f.e.d.c.b.example", "h.g.f.e.d.c.b.example", "i.h.g.f.e.d.c.b.example", "j.i.h.g.f.e.d.c.b.example", "z.c.b.example"}
	pols := []string{"none", "quarantine", "reject"}
	var out []peerCase
	for i := range n {
		pc := peerCase{TXT: map[string][]string{}, name: fmt.Sprintf("random-%d", i)}
		for _, nm := range names {
			if r.IntN(3) != 0 {
				continue
			}
			rec := "v=DMARC1; p=" + pols[r.IntN(3)]
			if r.IntN(2) == 0 {
				rec += "; sp=" + pols[r.IntN(3)]
			}
			if r.IntN(3) == 0 {
				rec += "; np=" + pols[r.IntN(3)]
			}
			switch r.IntN(6) {
			case 0:
				rec += "; psd=y"
			case 1:
				rec += "; psd=n"
			}
			if r.IntN(4) == 0 {
				rec += "; adkim=s"
			}
			if r.IntN(4) == 0 {
				rec += "; aspf=s"
			}
			if r.IntN(6) == 0 {
				rec += "; t=y"
			}
			vals := []string{rec}
			if r.IntN(10) == 0 {
				vals = append(vals, "v=DMARC1; p=none")
			}
			pc.TXT["_dmarc."+nm] = vals
			if r.IntN(2) == 0 {
				pc.Exists = append(pc.Exists, nm)
			}
		}
		pc.From = names[r.IntN(len(names))]
		if r.IntN(2) == 0 {
			pc.SPF = []string{names[r.IntN(len(names))]}
		}
		for range r.IntN(3) {
			pc.DKIM = append(pc.DKIM, names[r.IntN(len(names))])
		}
		out = append(out, pc)
	}
	return out
}

// TestInteropMailauth compares Check with Node mailauth's RFC 9989
// implementation on the same DNS data.
func TestInteropMailauth(t *testing.T) {
	cases := append(interopVectors(), randomVectors(300)...)
	theirs := runMailauth(t, cases)
	agree := 0
	for i, pc := range cases {
		c := &Checker{Resolver: pc.zone().resolver(t)}
		in := Input{FromDomain: pc.From, DKIMDomains: pc.DKIM}
		if len(pc.SPF) > 0 {
			in.SPFDomain, in.SPFPass = pc.SPF[0], true
		}
		v, _ := c.Check(ctx(t), in)
		th := theirs[i]
		ok := assert.Equal(t, th.Result, string(v.Result), "%s: result (theirs %+v, ours %+v)", pc.name, th, v)
		if th.Result == "pass" || th.Result == "fail" {
			ok = assert.Equal(t, th.PolicyDomain, v.PolicyDomain, "%s: policy domain", pc.name) && ok
			ok = assert.Equal(t, th.SPFAligned, v.SPFAligned, "%s: SPF alignment", pc.name) && ok
			ok = assert.Equal(t, th.DKIMAligned, v.DKIMAligned, "%s: DKIM alignment", pc.name) && ok
			if th.Result == "fail" {
				ok = assert.Equal(t, th.Policy, string(v.Disposition), "%s: disposition", pc.name) && ok
			}
		}
		if ok {
			agree++
		}
	}
	t.Logf("mailauth interop: %d/%d cases agree", agree, len(cases))
	assert.True(t, strings.HasPrefix(theirs[0].Result, "pass"))
}
