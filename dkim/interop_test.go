package dkim

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testpeer"
)

// Interop with dkimpy, OpenDKIM and Node mailauth, both directions, every
// algorithm and canonicalization pair, on the awkward messages of
// interopMessages. Keys are served without DNS: dkimpy's dnsfunc,
// OpenDKIM's TestDNSData file, mailauth's resolver option.

const dkimpyScript = `
import sys, json, base64, dkim
jobs = json.load(sys.stdin)
out = []
for j in jobs:
    msg = base64.b64decode(j['msg'])
    try:
        if j['op'] == 'sign':
            sig = dkim.sign(msg, j['selector'].encode(), j['domain'].encode(), j['key'].encode(),
                            canonicalize=(j['hc'].encode(), j['bc'].encode()),
                            signature_algorithm=j['alg'].encode())
            if not sig or not sig.startswith(b'DKIM-Signature'):
                raise Exception('no signature produced')
            out.append({'ok': True, 'sig': base64.b64encode(sig).decode()})
        else:
            dns = {k.lower(): v for k, v in j['dns'].items()}
            def f(name, timeout=5):
                v = dns.get(name.decode().lower().rstrip('.'))
                return v.encode() if v is not None else None
            d = dkim.DKIM(msg, minkey=1024)
            ok = d.verify(idx=0, dnsfunc=f)
            out.append({'ok': True, 'result': 'pass' if ok else 'fail'})
    except Exception as e:
        out.append({'ok': False, 'result': 'error', 'error': repr(e)[:300]})
json.dump(out, sys.stdout)
`

const mailauthScript = `
const { dkimSign } = require('mailauth/lib/dkim/sign');
const { dkimVerify } = require('mailauth/lib/dkim/verify');
const fs = require('fs');
(async () => {
  const jobs = JSON.parse(fs.readFileSync(0));
  const out = [];
  for (const j of jobs) {
    const msg = Buffer.from(j.msg, 'base64');
    try {
      if (j.op === 'sign') {
        const r = await dkimSign(msg, { canonicalization: j.hc + '/' + j.bc,
          signatureData: [{ signingDomain: j.domain, selector: j.selector, privateKey: j.key, algorithm: j.alg }] });
        if (r.errors && r.errors.length) throw new Error(JSON.stringify(r.errors));
        out.push({ ok: true, sig: Buffer.from(r.signatures).toString('base64') });
      } else {
        const r = await dkimVerify(msg, { resolver: async (name, rrtype) => {
          const k = name.toLowerCase().replace(/\.$/, '');
          if (!(k in j.dns)) { const e = new Error('not found'); e.code = 'ENOTFOUND'; throw e; }
          return [[j.dns[k]]];
        } });
        const res = r.results.length ? r.results[0].status : { result: 'none' };
        out.push({ ok: true, result: res.result, error: res.comment || '' });
      }
    } catch (e) {
      out.push({ ok: false, result: 'error', error: String(e).slice(0, 300) });
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
`

type peerJob struct {
	Op       string            `json:"op"`
	Msg      []byte            `json:"msg"`
	Key      string            `json:"key,omitempty"`
	Selector string            `json:"selector,omitempty"`
	Domain   string            `json:"domain,omitempty"`
	Alg      string            `json:"alg,omitempty"`
	HC       string            `json:"hc,omitempty"`
	BC       string            `json:"bc,omitempty"`
	DNS      map[string]string `json:"dns,omitempty"`
}

type peerOut struct {
	OK     bool   `json:"ok"`
	Sig    []byte `json:"sig"`
	Result string `json:"result"`
	Error  string `json:"error"`
}

// interopKey is one of the two interop keys with the encodings each peer
// wants.
type interopKey struct {
	alg, selector string
	key           crypto.Signer
	record        string
	dkimpyKey     string // PKCS#1 PEM (RSA) or base64 seed (Ed25519)
	pkcs8         string
}

func loadInteropKeys(t *testing.T) []*interopKey {
	var out []*interopKey
	for _, k := range []struct{ alg, sel, file string }{
		{AlgorithmRSASHA256, "rsa2048", "interop-rsa2048.pem"},
		{AlgorithmEd25519SHA256, "ed25519", "interop-ed25519.pem"},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "keys", k.file))
		require.NoError(t, err)
		key, err := ParsePrivateKey(data)
		require.NoError(t, err)
		rec, err := NewKeyRecord(key.Public())
		require.NoError(t, err)
		py, err := testpeer.DkimpyKey(key)
		require.NoError(t, err)
		ik := &interopKey{alg: k.alg, selector: k.sel, key: key, record: rec.String(), dkimpyKey: py, pkcs8: string(data)}
		out = append(out, ik)
	}
	return out
}

// runBatch runs a peer script over a batch of jobs in one process, the
// jobs on its standard input and the answers on its standard output.
func runBatch(t *testing.T, env []string, prog, scriptExt, script string, jobs []peerJob) []peerOut {
	t.Helper()
	sp := filepath.Join(t.TempDir(), "peer"+scriptExt)
	require.NoError(t, os.WriteFile(sp, []byte(script), 0o600))
	var out []peerOut
	testpeer.RunJSON(t, jobs, &out, env, prog, sp)
	require.Len(t, out, len(jobs))
	return out
}

// opendkimSign signs with `opendkim -t` (Mode s). ok is false when it
// produced no signature.
func opendkimSign(t *testing.T, dir string, k *interopKey, hc, bc Canonicalization, msg []byte) ([]byte, bool) {
	keyFile := filepath.Join(dir, k.selector+".pem")
	if _, err := os.Stat(keyFile); err != nil {
		require.NoError(t, os.WriteFile(keyFile, []byte(k.pkcs8), 0o600))
	}
	f, err := os.CreateTemp(dir, "sign-*")
	require.NoError(t, err)
	f.Close()
	conf := fmt.Sprintf("Mode s\nDomain example.org\nSelector %s\nKeyFile %s\nSignatureAlgorithm %s\n"+
		"Canonicalization %s/%s\nSyslog no\nRequireSafeKeys no\n", k.selector, keyFile, k.alg, hc, bc)
	require.NoError(t, os.WriteFile(f.Name()+".conf", []byte(conf), 0o600))
	require.NoError(t, os.WriteFile(f.Name()+".eml", msg, 0o600))
	out, _ := exec.Command(opendkimPath(), "-x", f.Name()+".conf", "-t", f.Name()+".eml").Output()
	_, sig, _ := bytes.Cut(out, []byte("\n"))
	if !bytes.HasPrefix(sig, []byte("DKIM-Signature:")) {
		return nil, false
	}
	sig = bytes.TrimRight(sig, "\r\n")
	sig = bytes.ReplaceAll(sig, []byte("\r\n"), []byte("\n"))
	sig = bytes.ReplaceAll(sig, []byte("\n"), []byte("\r\n"))
	return append(sig, '\r', '\n'), true
}

// opendkimPath finds opendkim, which Debian installs in /usr/sbin (often
// not on a user's PATH).
func opendkimPath() string {
	if p, err := exec.LookPath("opendkim"); err == nil {
		return p
	}
	return "/usr/sbin/opendkim"
}

var opendkimResult = regexp.MustCompile(`dkim=(\w+)`)

// opendkimVerify verifies with `opendkim -t` (Mode v, TestDNSData).
func opendkimVerify(t *testing.T, dir, zone string, signed []byte) string {
	f, err := os.CreateTemp(dir, "verify-*")
	require.NoError(t, err)
	f.Close()
	conf := fmt.Sprintf("Mode v\nTestDNSData file:%s\nMinimumKeyBits 1024\nSyslog no\n", zone)
	require.NoError(t, os.WriteFile(f.Name()+".conf", []byte(conf), 0o600))
	require.NoError(t, os.WriteFile(f.Name()+".eml", signed, 0o600))
	out, _ := exec.Command(opendkimPath(), "-x", f.Name()+".conf", "-vv", "-t", f.Name()+".eml").CombinedOutput()
	if m := opendkimResult.FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "none"
}

type interopCase struct {
	msg    interopMessage
	key    *interopKey
	hc, bc Canonicalization
}

func (c interopCase) String() string {
	return fmt.Sprintf("%s %s/%s %s", c.key.alg, c.hc, c.bc, c.msg.name)
}

func interopCases(keys []*interopKey) []interopCase {
	var cases []interopCase
	for _, k := range keys {
		for _, hc := range []Canonicalization{Simple, Relaxed} {
			for _, bc := range []Canonicalization{Simple, Relaxed} {
				for _, m := range interopMessages() {
					cases = append(cases, interopCase{m, k, hc, bc})
				}
			}
		}
	}
	return cases
}

// row is one direction of one peer in the matrix.
type row struct {
	name  string
	cells []outcome // per case
}

// outcome of one interop cell.
type outcome struct {
	result string // pass, fail, error, refused, ...
	known  string // documented peer defect that explains a non-pass
	detail string
}

// TestInterop runs the interop matrix and logs it as a table. Non-pass
// cells are accepted only when they match a defect PEERS.md documents for
// OpenDKIM 2.11 and a third implementation agrees with us.
func TestInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	keys := loadInteropKeys(t)
	dns := map[string]string{}
	for _, k := range keys {
		dns[k.selector+"._domainkey.example.org"] = k.record
	}
	res := txtZone{}
	for n, v := range dns {
		res[n] = []string{v}
	}
	mem := res.mem(t)
	cases := interopCases(keys)

	// What we sign, once for all peers.
	ours := make([][]byte, len(cases))
	for i, c := range cases {
		s := &Signer{Domain: "example.org", Selector: c.key.selector, Key: c.key.key,
			HeaderCanonicalization: c.hc, BodyCanonicalization: c.bc}
		sig, err := s.Sign(bytes.NewReader(c.msg.msg))
		require.NoError(t, err, c)
		ours[i] = append([]byte(sig), c.msg.msg...)
	}
	verifyOurs := func(signed []byte) (string, error) {
		vs, err := (&Verifier{Resolver: mem}).Verify(context.Background(), bytes.NewReader(signed))
		if err != nil {
			return "error", err
		}
		if len(vs) == 0 {
			return "none", nil
		}
		return string(vs[0].Result), vs[0].Err
	}
	// Self check: everything we sign verifies here.
	for i, c := range cases {
		r, err := verifyOurs(ours[i])
		require.Equal(t, "pass", r, "%s: %v", c, err)
	}

	var rows []row
	verifiedByPeer := map[string][]outcome{} // peer -> ours verified there

	pyPath := "/usr/bin/python3"
	pyOK := exec.Command(pyPath, "-c", "import dkim, nacl").Run() == nil
	_, odkErr := os.Stat(opendkimPath())
	odkOK := odkErr == nil

	batchPeer := func(name, prog, ext, script string, env []string, keyFor func(*interopKey) string) {
		var verifyJobs, signJobs []peerJob
		for i, c := range cases {
			verifyJobs = append(verifyJobs, peerJob{Op: "verify", Msg: ours[i], DNS: dns})
			signJobs = append(signJobs, peerJob{Op: "sign", Msg: c.msg.msg, Key: keyFor(c.key), Selector: c.key.selector,
				Domain: "example.org", Alg: c.key.alg, HC: string(c.hc), BC: string(c.bc)})
		}
		vOut := runBatch(t, env, prog, ext, script, verifyJobs)
		sOut := runBatch(t, env, prog, ext, script, signJobs)
		var theirs, mine []outcome
		for i := range cases {
			theirs = append(theirs, outcome{result: vOut[i].Result, detail: vOut[i].Error})
			if !sOut[i].OK {
				mine = append(mine, outcome{result: "sign-error", detail: sOut[i].Error})
				continue
			}
			r, err := verifyOurs(append(sOut[i].Sig, cases[i].msg.msg...))
			mine = append(mine, outcome{result: r, detail: fmt.Sprint(err)})
		}
		verifiedByPeer[name] = theirs
		rows = append(rows, row{name + " verifies ours", theirs}, row{"we verify " + name, mine})
	}

	t.Run("dkimpy", func(t *testing.T) {
		py := testpeer.Python(t, "Debian python3-dkim, python3-nacl", "dkim", "nacl")
		batchPeer("dkimpy", py, ".py", dkimpyScript, nil, func(k *interopKey) string { return k.dkimpyKey })
	})
	t.Run("mailauth", func(t *testing.T) {
		node, modules := testpeer.Node(t, "npm mailauth", "mailauth/lib/dkim/sign.js", "mailauth/lib/dkim/verify.js")
		batchPeer("mailauth", node, ".js", mailauthScript, []string{"NODE_PATH=" + modules}, func(k *interopKey) string { return k.pkcs8 })
	})
	t.Run("opendkim", func(t *testing.T) {
		testpeer.Require(t, "opendkim", odkOK, "opendkim (Debian opendkim) on PATH or in /usr/sbin")
		dir := t.TempDir()
		zone := filepath.Join(dir, "zone.txt")
		var zb strings.Builder
		for n, v := range dns {
			zb.WriteString(n + " " + v + "\n")
		}
		require.NoError(t, os.WriteFile(zone, []byte(zb.String()), 0o600))
		theirs := make([]outcome, len(cases))
		mine := make([]outcome, len(cases))
		var wg sync.WaitGroup
		sem := make(chan struct{}, 3)
		for i, c := range cases {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				theirs[i] = outcome{result: opendkimVerify(t, dir, zone, ours[i])}
				sig, ok := opendkimSign(t, dir, c.key, c.hc, c.bc, c.msg.msg)
				if !ok {
					mine[i] = outcome{result: "refused"}
					return
				}
				signed := append(sig, c.msg.msg...)
				r, err := verifyOurs(signed)
				mine[i] = outcome{result: r, detail: fmt.Sprint(err)}
				if r != "pass" {
					// Ask the other verifiers about OpenDKIM's signature.
					mine[i].detail += " | cross-check " + crossCheck(t, pyOK, pyPath, signed, dns)
				}
			}()
		}
		wg.Wait()
		for i, c := range cases {
			theirs[i].known = opendkimVerifyDefect(c)
			mine[i].known = opendkimSignDefect(c)
		}
		verifiedByPeer["opendkim"] = theirs
		rows = append(rows, row{"opendkim verifies ours", theirs}, row{"we verify opendkim", mine})
	})

	// Judge every cell.
	for _, r := range rows {
		for i, o := range r.cells {
			if o.result == "pass" {
				continue
			}
			c := cases[i]
			ok := false
			switch {
			case o.known == "":
			case strings.HasPrefix(r.name, "we verify"):
				// OpenDKIM's own output: refused, or rejected by dkimpy too.
				ok = o.result == "refused" || strings.Contains(o.detail, "cross-check dkimpy=fail") ||
					strings.Contains(o.detail, "cross-check dkimpy=error")
			default:
				// OpenDKIM rejecting ours: the others must accept it.
				ok = true
				for peer, outs := range verifiedByPeer {
					if peer != "opendkim" && outs[i].result != "pass" {
						ok = false
					}
				}
			}
			if !ok {
				t.Errorf("%s: %s: %s (%s) %s", r.name, c, o.result, o.known, o.detail)
			}
		}
	}
	t.Log("\n" + interopTable(rows, cases))
}

// crossCheck asks dkimpy to verify a message (one process; used only for
// the few OpenDKIM cells that fail here).
func crossCheck(t *testing.T, pyOK bool, py string, signed []byte, dns map[string]string) string {
	if !pyOK {
		return "unavailable"
	}
	out := runBatch(t, nil, py, ".py", dkimpyScript, []peerJob{{Op: "verify", Msg: signed, DNS: dns}})
	return "dkimpy=" + out[0].Result
}

// opendkimSignDefect names the documented OpenDKIM 2.11 signing defect
// that applies to a case, if any (PEERS.md).
func opendkimSignDefect(c interopCase) string {
	switch {
	case c.bc == Relaxed && !bytes.HasSuffix(c.msg.msg, []byte("\r\n")):
		return "refuses relaxed body without final CRLF"
	case c.key.alg == AlgorithmEd25519SHA256 && c.hc == Simple:
		return "invalid ed25519 c=simple/* signatures"
	case c.hc == Simple && oddColonSpacing(c.msg.msg):
		return "simple header canon rewrites spacing after colon"
	}
	return ""
}

// opendkimVerifyDefect: the same OpenDKIM 2.11 defects show when it
// verifies (it gives no result where it refuses to sign).
func opendkimVerifyDefect(c interopCase) string {
	switch {
	case c.bc == Relaxed && !bytes.HasSuffix(c.msg.msg, []byte("\r\n")):
		return "no result for relaxed body without final CRLF"
	case c.hc == Simple && oddColonSpacing(c.msg.msg):
		return "simple header canon rewrites spacing after colon"
	}
	return ""
}

// interopTable formats the matrix: one line per peer direction and
// algorithm, one column per canonicalization pair, cells "passed/total"
// with the number of known-defect cells in brackets.
func interopTable(rows []row, cases []interopCase) string {
	var b strings.Builder
	pairs := []string{"simple/simple", "simple/relaxed", "relaxed/simple", "relaxed/relaxed"}
	fmt.Fprintf(&b, "%-26s %-15s", "direction", "algorithm")
	for _, p := range pairs {
		fmt.Fprintf(&b, " %-16s", p)
	}
	b.WriteString("\n")
	for _, r := range rows {
		for _, alg := range []string{AlgorithmRSASHA256, AlgorithmEd25519SHA256} {
			fmt.Fprintf(&b, "%-26s %-15s", r.name, alg)
			for _, p := range pairs {
				pass, total, known := 0, 0, 0
				for i, c := range cases {
					if c.key.alg != alg || string(c.hc)+"/"+string(c.bc) != p {
						continue
					}
					total++
					switch {
					case r.cells[i].result == "pass":
						pass++
					case r.cells[i].known != "":
						known++
					}
				}
				cell := fmt.Sprintf("%d/%d", pass, total)
				if known > 0 {
					cell += fmt.Sprintf(" (%d known)", known)
				}
				fmt.Fprintf(&b, " %-16s", cell)
			}
			b.WriteString("\n")
		}
	}
	for _, r := range rows {
		for i, o := range r.cells {
			if o.result != "pass" {
				fmt.Fprintf(&b, "not pass: %s: %s -> %s (known defect: %s)\n", r.name, cases[i], o.result, o.known)
			}
		}
	}
	b.WriteString("messages: ")
	for i, m := range interopMessages() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.name)
	}
	return b.String()
}
