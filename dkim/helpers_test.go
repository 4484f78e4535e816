package dkim

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// txtZone is key records by name (without the final dot) for a test's
// DNS: mem serves them from memory, dnsServer over the wire, both through
// internal/dnstest. Values "TIMEOUT", "SERVFAIL" and "NXDOMAIN" stand for
// those outcomes (a dropped query, SERVFAIL, no such name).
type txtZone map[string][]string

// mem returns an in-memory resolver serving z, with its faults.
func (z txtZone) mem(tb testing.TB) *dnstest.Memory {
	tb.Helper()
	text, faults := zoneText(z)
	m := dnstest.NewMemory(tb, text)
	for name, f := range faults {
		m.Data().Fault(name, dnstest.TypeTXT, f)
	}
	return m
}

// readZone reads a vector zone file: "<name> <TXT value>" per line.
func readZone(t testing.TB, path string) txtZone {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	z := txtZone{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, _ := strings.Cut(line, " ")
		name = strings.ToLower(strings.TrimSuffix(name, "."))
		z[name] = append(z[name], value)
	}
	require.NoError(t, sc.Err())
	return z
}

// zoneText turns a fake zone into RFC 1035 zone text for dnstest, and
// the faults to install.
func zoneText(z txtZone) (string, map[string]dnstest.Fault) {
	var b strings.Builder
	faults := map[string]dnstest.Fault{}
	for name, txts := range z {
		for _, txt := range txts {
			switch txt {
			case "NXDOMAIN":
				continue
			case "TIMEOUT":
				faults[name+"."] = dnstest.Drop
				continue
			case "SERVFAIL":
				faults[name+"."] = dnstest.ServFail
				continue
			}
			fmt.Fprintf(&b, "%s. 300 IN TXT", name)
			for _, s := range SplitTXT(txt) {
				b.WriteString(` "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`)
			}
			b.WriteString("\n")
		}
		if _, ok := faults[name+"."]; ok {
			// the name must exist for the fault to be reached
			fmt.Fprintf(&b, "%s. 300 IN A 192.0.2.1\n", name)
		}
	}
	return b.String(), faults
}

// dnsServer serves z over the wire.
func dnsServer(t *testing.T, z txtZone) *net.Resolver {
	text, faults := zoneText(z)
	srv := dnstest.New(t, text)
	// Generous per-attempt timeout: on a loaded machine (tests run with
	// -race beside other work) a slow answer must not read as a timeout.
	// Only zones with dropped queries wait that long, by design.
	srv.Timeout = time.Second
	for name, f := range faults {
		srv.Fault(name, dnstest.TypeTXT, f)
	}
	return srv.Resolver()
}

type vector struct {
	ID             string   `json:"id"`
	Message        string   `json:"message"`
	Zone           string   `json:"zone"`
	Now            *int64   `json:"now"`
	Expected       []string `json:"expected"`
	ExpectedLegacy []string `json:"expected_legacy"`
	Notes          string   `json:"notes"`
}

func loadManifest(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "manifest.json"))
	require.NoError(t, err)
	var vs []vector
	require.NoError(t, json.Unmarshal(data, &vs))
	require.NotEmpty(t, vs)
	return vs
}

// zone reads the vector's key records.
func (v vector) zone(t testing.TB) txtZone {
	return readZone(t, filepath.Join("testdata", v.Zone))
}

// message reads the vector's message.
func (v vector) message(t testing.TB) []byte {
	t.Helper()
	msg, err := os.ReadFile(filepath.Join("testdata", v.Message))
	require.NoError(t, err)
	return msg
}

// verify verifies msg (the vector's message, or a form of it) with res
// and the vector's clock.
func (v vector) verify(t testing.TB, res Resolver, msg []byte) []Verification {
	t.Helper()
	ver := &Verifier{Resolver: res}
	if v.Now != nil {
		now := time.Unix(*v.Now, 0)
		ver.Now = func() time.Time { return now }
	}
	got, err := ver.Verify(context.Background(), bytes.NewReader(msg))
	require.NoError(t, err)
	return got
}

// testMsg is a small message to sign and verify.
const testMsg = "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hello\r\n" +
	"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <t1@example.org>\r\n\r\nHi Bob,\r\n\r\nsee you.\r\n"

// testKeys returns an RSA and an Ed25519 key from testdata.
func testKeys(t testing.TB) map[string]crypto.Signer {
	keys := map[string]crypto.Signer{}
	for alg, file := range map[string]string{AlgorithmRSASHA256: "interop-rsa2048.pem", AlgorithmEd25519SHA256: "interop-ed25519.pem"} {
		data, err := os.ReadFile(filepath.Join("testdata", "keys", file))
		require.NoError(t, err)
		k, err := ParsePrivateKey(data)
		require.NoError(t, err)
		keys[alg] = k
	}
	return keys
}

// resolverFor publishes (in memory) each key under selector "s-<alg>" at example.org;
// extra appends tags to the records (e.g. "t=y").
func resolverFor(t testing.TB, keys map[string]crypto.Signer, extra string) *dnstest.Memory {
	res := txtZone{}
	for alg, k := range keys {
		rec, err := NewKeyRecord(k.Public())
		require.NoError(t, err)
		txt := rec.String()
		if extra != "" {
			txt = extra + "; " + txt
		}
		res["s-"+alg+"._domainkey.example.org"] = []string{txt}
	}
	return res.mem(t)
}

func verifyOne(t *testing.T, v *Verifier, msg string) Verification {
	t.Helper()
	got, err := v.Verify(context.Background(), strings.NewReader(msg))
	require.NoError(t, err)
	require.Len(t, got, 1)
	return got[0]
}

// assertVerdict checks got's result and that its Err wraps wantErr (nil:
// no Err at all).
func assertVerdict(t *testing.T, got Verification, result Result, wantErr error) {
	t.Helper()
	assert.Equal(t, result, got.Result, "%v", got.Err)
	if wantErr != nil {
		assert.ErrorIs(t, got.Err, wantErr)
	} else {
		assert.NoError(t, got.Err)
	}
}
