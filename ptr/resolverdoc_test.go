package ptr

import (
	"context"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// strictResolver fails the test when a call breaks what the Resolver doc
// promises: an address in text form for LookupAddr, absolute lower-case
// names and network "ip4" or "ip6" for LookupNetIP.
type strictResolver struct {
	t    *testing.T
	fake *dnstest.Answers
}

func (s strictResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if a, err := netip.ParseAddr(addr); err != nil || a.String() != addr || a.Is4In6() || a.Zone() != "" {
		s.t.Errorf("LookupAddr(%q): not an address in canonical text form", addr)
	}
	return s.fake.LookupAddr(ctx, addr)
}

func (s strictResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if !strings.HasSuffix(host, ".") || host != strings.ToLower(host) {
		s.t.Errorf("LookupNetIP(%q): name not absolute and lower case", host)
	}
	if network != "ip4" && network != "ip6" {
		s.t.Errorf("LookupNetIP network %q, want ip4 or ip6", network)
	}
	return s.fake.LookupNetIP(ctx, network, host)
}

func TestResolverReceivesWhatItsDocSays(t *testing.T) {
	fake := &dnstest.Answers{
		PTR: map[string][]string{
			"192.0.2.1":   {"Mail.Example.ORG.", "other.example.org"},
			"2001:db8::1": {"mail.example.org."},
		},
		IP: map[string][]netip.Addr{"ip4 mail.example.org.": dnstest.Addrs("192.0.2.1"), "ip6 mail.example.org.": dnstest.Addrs("2001:db8::1")},
	}
	v := Verifier{Resolver: strictResolver{t, fake}}
	for _, ip := range []string{"192.0.2.1", "::ffff:192.0.2.1", "2001:db8::1", "fe80::1%eth0"} {
		v.Verify(context.Background(), netip.MustParseAddr(ip)) //nolint:errcheck // only the calls matter
	}
	assert.NotEmpty(t, fake.Calls())
}

// The Resolver doc tells people who write their own resolver what the
// methods receive; the examples use only what a user can import.
func TestDocsForResolverWriters(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "ptr.go", nil, parser.ParseComments)
	require.NoError(t, err)
	var resolverDoc string
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE && g.Specs[0].(*ast.TypeSpec).Name.Name == "Resolver" {
			resolverDoc = g.Doc.Text()
		}
	}
	for _, want := range []string{`"ip4"`, `"ip6"`, "trailing dot", "absolute", "text form"} {
		assert.Contains(t, resolverDoc, want)
	}

	// The in-memory resolver shows in godoc next to the main example: a
	// file with one Example and other declarations is a whole-file example.
	f, err = parser.ParseFile(fset, "example_resolver_test.go", nil, parser.ParseComments)
	require.NoError(t, err)
	ex := doc.Examples(f)
	require.Len(t, ex, 1)
	_, whole := ex[0].Code.(*ast.File)
	assert.True(t, whole, "example_resolver_test.go is not a whole-file example")

	examples, err := filepath.Glob("example*_test.go")
	require.NoError(t, err)
	require.NotEmpty(t, examples)
	for _, name := range examples {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			assert.NotContains(t, path, "/internal/", "%s imports %s, which a user cannot import", name, path)
		}
	}
}
