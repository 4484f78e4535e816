package dkim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
