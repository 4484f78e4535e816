package layout

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/mailsmith/mailsmith"

// extraAllowed lists imports between families that the rules allow by
// name.
var extraAllowed = map[[2]string]bool{
	{"dkim/arc", "authres"}: true,
}

// outsideAllowed is what a library package may import beyond the standard
// library.
var outsideAllowed = []string{"github.com/miekg/dns", "golang.org/x/net/"}

// importAllowed reports whether library package pkg (a path inside the
// module, such as "mx/mtasts") may import imp (a full import path), and
// if not, why.
func importAllowed(pkg, imp string) (bool, string) {
	rel, inModule := strings.CutPrefix(imp, module+"/")
	if !inModule {
		if imp == module {
			return false, "the module root is not a package"
		}
		first, _, _ := strings.Cut(imp, "/")
		if !strings.Contains(first, ".") {
			return true, "" // the standard library
		}
		for _, ok := range outsideAllowed {
			if imp == ok || strings.HasSuffix(ok, "/") && strings.HasPrefix(imp, ok) {
				return true, ""
			}
		}
		return false, "a dependency outside the standard library, miekg/dns and x/net"
	}
	if extraAllowed[[2]string{pkg, rel}] {
		return true, ""
	}
	if strings.HasPrefix(pkg, rel+"/") {
		return true, "" // an ancestor: mx/mtasts imports mx
	}
	family, _, _ := strings.Cut(pkg, "/")
	if strings.HasPrefix(rel, family+"/internal/") {
		return true, "" // the family's own internal packages
	}
	return false, "another package of the suite"
}

// libraryPackages lists the non-test imports of every package of the
// module but those under internal/ and examples/.
func libraryPackages(t *testing.T) map[string][]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to list the packages")
	}
	cmd := exec.Command(goBin, "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...")
	out, err := cmd.Output()
	require.NoError(t, err, "go list")
	pkgs := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		rel := strings.TrimPrefix(fields[0], module+"/")
		if rel == "internal" || strings.HasPrefix(rel, "internal/") || strings.HasPrefix(rel, "examples/") {
			continue
		}
		pkgs[rel] = fields[1:]
	}
	require.NoError(t, sc.Err())
	return pkgs
}

func TestImportRules(t *testing.T) {
	pkgs := libraryPackages(t)
	for _, want := range []string{"spf", "dkim", "dkim/arc", "dmarc", "dmarc/report", "mx", "mx/mtasts", "mx/tlsrpt", "mx/dane", "ptr", "srs", "smtp", "authres"} {
		require.Contains(t, pkgs, want, "go list did not report a package the layout names")
	}
	for pkg, imports := range pkgs {
		for _, imp := range imports {
			if ok, why := importAllowed(pkg, imp); !ok {
				t.Errorf("%s imports %s: %s", pkg, imp, why)
			}
		}
	}
}

// TestImportAllowed shows that the rule refuses what it should, so that
// TestImportRules can fail.
func TestImportAllowed(t *testing.T) {
	tests := []struct {
		pkg, imp string
		want     bool
	}{
		{"spf", "net", true},
		{"dmarc", "golang.org/x/net/publicsuffix", true},
		{"mx/dane", "github.com/miekg/dns", true},
		{"dmarc/report", module + "/dmarc", true},
		{"mx/mtasts", module + "/mx/internal/txtfields", true},
		{"dkim/arc", module + "/authres", true},
		{"smtp/bench/gosink", module + "/smtp", true},
		{"dmarc", module + "/spf", false},
		{"authres", module + "/dkim/arc", false},
		{"dmarc", module + "/dmarc/report", false},
		{"spf", module + "/internal/dnstest", false},
		{"ptr", module + "/mx/internal/txtfields", false},
		{"mx", module + "/examples/internal/resolver", false},
		{"smtp", "github.com/emersion/go-smtp", false},
		{"dkim", "golang.org/x/crypto/ed25519", false},
	}
	for _, tc := range tests {
		got, why := importAllowed(tc.pkg, tc.imp)
		require.Equal(t, tc.want, got, "%s importing %s (%s)", tc.pkg, tc.imp, why)
	}
}
