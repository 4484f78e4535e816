package arc

import (
	"context"
	"crypto"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hopKey is one sealer's key in the forms each implementation reads.
type hopKey struct {
	alg, selector string
	key           crypto.Signer
	dkimpy, pkcs8 string // the key as dkimpy and as mailauth read it
}

// arcImpl is one ARC implementation: ours or a peer.
type arcImpl struct {
	name string
	// ed25519 says whether it can seal and verify with Ed25519
	// (dkimpy 1.1 cannot: "unknown signature algorithm").
	ed25519 bool
	verify  func(msg string) (cv, reason string)
	seal    func(domain string, k *hopKey, msg, cv, authResults string) (string, error)
}

func interopKeys(t *testing.T) map[string]*hopKey {
	testKeys(t)
	keys := map[string]*hopKey{}
	for alg, key := range map[string]crypto.Signer{"rsa": rsaKey, "ed": edKey} {
		p8, err := dkim.MarshalPrivateKey(key)
		require.NoError(t, err)
		py, err := testpeer.DkimpyKey(key)
		require.NoError(t, err)
		keys[alg] = &hopKey{alg: alg, selector: alg, key: key, dkimpy: py, pkcs8: string(p8)}
	}
	return keys
}

// TestInterop builds ARC chains of one to three sets with every order of
// three implementations (ours, dkimpy, Node mailauth): at each hop the
// hop's implementation validates the chain on arrival, the message gets
// that hop's Authentication-Results (arc=<cv>), a list footer or a subject
// tag, and the hop's implementation seals it. Every implementation must
// then validate the final chain alike (pass), and alike again (fail) once
// the message is changed after the last seal. Run once with RSA keys
// everywhere and once with Ed25519 for the sealers that support it (ours
// and mailauth; dkimpy 1.1 neither seals nor validates Ed25519 ARC sets,
// so it validates no chain holding one, and at its hops it seals on our
// verdict).
func TestInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("interop: not in -short")
	}
	py := testpeer.Python(t, "Debian python3-dkim, python3-authres", "dkim", "authres")
	node, modules := testpeer.Node(t, "npm mailauth", "mailauth/lib/arc/index.js", "mailauth/lib/dkim/verify.js")
	pyPeer := testpeer.Start(t, nil, py, filepath.Join("testdata", "peers", "arc_peer.py"))
	nodePeer := testpeer.Start(t, []string{"NODE_PATH=" + modules}, node, filepath.Join("testdata", "peers", "arc_peer.js"))

	keys := interopKeys(t)
	records := map[string]string{}
	for i := 1; i <= 3; i++ {
		for _, k := range keys {
			rec, err := dkim.NewKeyRecord(k.key.Public())
			require.NoError(t, err)
			records[fmt.Sprintf("%s._domainkey.hop%d.example", k.selector, i)] = rec.String()
		}
	}
	dns := memResolver(t, records)
	now := time.Now().Unix()

	ours := &arcImpl{name: "ours", ed25519: true,
		verify: func(msg string) (string, string) {
			res, err := (&Verifier{Resolver: dns}).Verify(context.Background(), strings.NewReader(msg))
			require.NoError(t, err)
			return string(res.Status), errString(res.Err)
		},
		seal: func(domain string, k *hopKey, msg, _, _ string) (string, error) {
			s := &Sealer{Domain: domain, Selector: k.selector, Key: k.key, AuthServID: domain, Resolver: dns,
				Now: func() time.Time { return time.Unix(now, 0) }}
			return s.Seal(context.Background(), strings.NewReader(msg))
		},
	}
	call := func(p *testpeer.Proc, req map[string]any) (out map[string]any) {
		p.Call(t, req, &out)
		return out
	}
	peerVerify := func(p *testpeer.Proc) func(string) (string, string) {
		return func(msg string) (string, string) {
			out := call(p, map[string]any{"op": "verify", "msg": base64.StdEncoding.EncodeToString([]byte(msg)), "records": records})
			if e, ok := out["error"]; ok {
				return "error", fmt.Sprint(e)
			}
			return fmt.Sprint(out["cv"]), fmt.Sprint(out["reason"])
		}
	}
	peerSeal := func(name string, p *testpeer.Proc, keyOf func(*hopKey) string) func(string, *hopKey, string, string, string) (string, error) {
		return func(domain string, k *hopKey, msg, cv, authResults string) (string, error) {
			alg := dkim.AlgorithmRSASHA256
			if k.alg == "ed" {
				alg = dkim.AlgorithmEd25519SHA256
			}
			out := call(p, map[string]any{"op": "seal", "msg": base64.StdEncoding.EncodeToString([]byte(msg)),
				"domain": domain, "selector": k.selector, "key": keyOf(k), "alg": alg, "srvid": domain,
				"cv": cv, "authResults": authResults, "t": now})
			if e, ok := out["error"]; ok {
				return "", fmt.Errorf("%s: %v", name, e)
			}
			set, err := base64.StdEncoding.DecodeString(fmt.Sprint(out["set"]))
			return string(set), err
		}
	}
	dkimpy := &arcImpl{name: "dkimpy", verify: peerVerify(pyPeer),
		seal: peerSeal("dkimpy", pyPeer, func(k *hopKey) string { return k.dkimpy })}
	mailauth := &arcImpl{name: "mailauth", ed25519: true, verify: peerVerify(nodePeer),
		seal: peerSeal("mailauth", nodePeer, func(k *hopKey) string { return k.pkcs8 })}
	impls := []*arcImpl{ours, dkimpy, mailauth}

	var seqs [][]*arcImpl
	var grow func(prefix []*arcImpl)
	grow = func(prefix []*arcImpl) {
		if len(prefix) > 0 {
			seqs = append(seqs, prefix)
		}
		if len(prefix) == 3 {
			return
		}
		for _, im := range impls {
			grow(append(append([]*arcImpl(nil), prefix...), im))
		}
	}
	grow(nil)
	changes := []func(string) string{func(s string) string { return s }, addFooter, tagSubject}

	agree, chains, checks := 0, 0, 0
	for _, useEd := range []bool{false, true} {
		for _, seq := range seqs {
			var names []string
			for _, im := range seq {
				alg := "rsa"
				if useEd && im.ed25519 {
					alg = "ed"
				}
				names = append(names, im.name+"/"+alg)
			}
			name := strings.Join(names, "→")
			t.Run(name, func(t *testing.T) {
				msg := baseMessage
				hasEd := false
				for k, im := range seq {
					domain := fmt.Sprintf("hop%d.example", k+1)
					arrival := im
					if hasEd && !im.ed25519 {
						// This peer cannot read the Ed25519 sets: it
						// seals on our verdict (its arc= result).
						arrival = ours
					}
					cv, reason := arrival.verify(msg)
					want := "pass"
					if k == 0 {
						want = "none"
					}
					require.Equal(t, want, cv, "%s at hop %d: %s", im.name, k+1, reason)
					authResults := domain + "; arc=" + cv
					msg = "Authentication-Results: " + authResults + "\r\n" + msg
					msg = changes[k](msg)
					key := keys["rsa"]
					if useEd && im.ed25519 {
						key = keys["ed"]
						hasEd = true
					}
					set, err := im.seal(domain, key, msg, cv, authResults)
					require.NoError(t, err, "%s sealing at hop %d", im.name, k+1)
					msg = set + msg
				}
				chains++
				ok := true
				for _, tc := range []struct{ msg, want string }{{msg, "pass"}, {addFooter(msg), "fail"}} {
					for _, v := range impls {
						if hasEd && !v.ed25519 {
							continue
						}
						cv, reason := v.verify(tc.msg)
						checks++
						if !assert.Equal(t, tc.want, cv, "%s verifying: %s", v.name, reason) {
							if os.Getenv("ARC_DEBUG") != "" {
								t.Logf("message:\n%s", tc.msg)
							}
							ok = false
						}
					}
				}
				if ok {
					agree++
				}
			})
		}
	}
	// A chain broken in transit: each implementation finds it failed on
	// arrival and seals it cv=fail; every implementation then reads fail.
	broken := 0
	for _, first := range impls {
		for _, second := range impls {
			t.Run("broken "+first.name+"→"+second.name, func(t *testing.T) {
				msg := "Authentication-Results: hop1.example; arc=none\r\n" + baseMessage
				set, err := first.seal("hop1.example", keys["rsa"], msg, "none", "hop1.example; arc=none")
				require.NoError(t, err)
				msg = addFooter(set + msg)
				cv, reason := second.verify(msg)
				require.Equal(t, "fail", cv, reason)
				ar := "hop2.example; arc=fail"
				msg = "Authentication-Results: " + ar + "\r\n" + msg
				set, err = second.seal("hop2.example", keys["rsa"], msg, "fail", ar)
				require.NoError(t, err)
				require.Contains(t, set, "cv=fail")
				msg = set + msg
				for _, v := range impls {
					cv, reason := v.verify(msg)
					checks++
					assert.Equal(t, "fail", cv, "%s verifying: %s", v.name, reason)
				}
				broken++
			})
		}
	}
	t.Logf("interop: %d chains of 1-3 sets, %d where all verifiers agree on pass and then fail; %d chains sealed cv=fail; %d verifications", chains, agree, broken, checks)
}
