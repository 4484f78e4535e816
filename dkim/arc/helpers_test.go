package arc

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testyaml"
	"github.com/stretchr/testify/assert"
)

// crlf turns the LF line ends of the suite's YAML into CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// zoneText writes TXT records (name without the final dot -> record) as
// zone-file text, each record split into 255-octet strings.
func zoneText(records map[string]string) string {
	names := make([]string, 0, len(records))
	for n := range records {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		// The suite folds long records in YAML; a record is one line.
		txt := strings.Join(strings.Fields(records[n]), "")
		txt = strings.ReplaceAll(txt, ";", "; ")
		fmt.Fprintf(&b, "%s. 300 IN TXT", strings.TrimSuffix(n, "."))
		for _, part := range dkim.SplitTXT(txt) {
			fmt.Fprintf(&b, " %q", part)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// memResolver serves records from memory through internal/dnstest.
func memResolver(t testing.TB, records map[string]string) *dnstest.Memory {
	t.Helper()
	return dnstest.NewMemory(t, zoneText(records))
}

type validationCase struct {
	Description string `yaml:"description"`
	Message     string `yaml:"message"`
	CV          string `yaml:"cv"`
}

type validationScenario struct {
	Description string                    `yaml:"description"`
	Tests       map[string]validationCase `yaml:"tests"`
	TXTRecords  map[string]string         `yaml:"txt-records"`
}

type signCase struct {
	Description string `yaml:"description"`
	Message     string `yaml:"message"`
	T           int64  `yaml:"t"`
	SigHeaders  string `yaml:"sig-headers"`
	SrvID       string `yaml:"srv-id"`
	AS          string `yaml:"AS"`
	AMS         string `yaml:"AMS"`
	AAR         string `yaml:"AAR"`
}

type signScenario struct {
	Description string              `yaml:"description"`
	Tests       map[string]signCase `yaml:"tests"`
	Domain      string              `yaml:"domain"`
	Sel         string              `yaml:"sel"`
	PrivateKey  string              `yaml:"privatekey"`
	TXTRecords  map[string]string   `yaml:"txt-records"`
}

// assertFail checks that res is Fail, temporary (Result.Temporary) or
// not, with an Err that wraps each of errs.
func assertFail(t testing.TB, res Result, temporary bool, errs ...error) {
	t.Helper()
	assert.Equal(t, Fail, res.Status, "%v", res.Err)
	assert.Equal(t, temporary, res.Temporary(), "Temporary: %v", res.Err)
	for _, e := range errs {
		assert.ErrorIs(t, res.Err, e)
	}
}

// validationSuite loads the public suite's validation scenarios and a
// verifier over the key records they share (SUITE-README.md).
func validationSuite(tb testing.TB) ([]validationScenario, *Verifier) {
	tb.Helper()
	scenarios := testyaml.Load[validationScenario](tb, filepath.Join("testdata", "arc-validation-tests.yml"))
	records := map[string]string{}
	for _, sc := range scenarios {
		for n, r := range sc.TXTRecords {
			records[n] = r
		}
	}
	return scenarios, &Verifier{Resolver: memResolver(tb, records)}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// errString is the error text, or "".
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
