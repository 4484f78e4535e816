package mx

import (
	"context"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"net"
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
// promises: absolute lower-case names, network "ip4" or "ip6".
type strictResolver struct {
	t    *testing.T
	fake *dnstest.Answers
}

func (s strictResolver) check(network, name string) {
	s.t.Helper()
	if !strings.HasSuffix(name, ".") || name != strings.ToLower(name) {
		s.t.Errorf("name %q is not absolute and lower case", name)
	}
	if network != "" && network != "ip4" && network != "ip6" {
		s.t.Errorf("network %q, want ip4 or ip6", network)
	}
}

func (s strictResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	s.check("", name)
	return s.fake.LookupMX(ctx, name)
}

func (s strictResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	s.check(network, host)
	return s.fake.LookupNetIP(ctx, network, host)
}

func TestResolverReceivesWhatItsDocSays(t *testing.T) {
	fake := &dnstest.Answers{
		MX: map[string][]*net.MX{"example.org.": mxs(10, "MX1.Example.org.", 20, "mx2.example.org")},
		IP: map[string][]netip.Addr{"ip4 mx1.example.org.": dnstest.Addrs("192.0.2.1"), "ip6 nomx.example.org.": dnstest.Addrs("2001:db8::1")},
	}
	r := Router{Resolver: strictResolver{t, fake}, ResolveAddrs: true}
	for _, d := range []string{"Example.ORG", "example.org.", "nomx.example.org", "bücher.example"} {
		r.Lookup(context.Background(), d) //nolint:errcheck // only the calls matter
	}
	assert.NotEmpty(t, fake.Calls())
}

// The Resolver doc tells people who write their own resolver what the
// methods receive; the examples use only what a user can import.
func TestDocsForResolverWriters(t *testing.T) {
	fset := token.NewFileSet()
	resolverDoc := typeDoc(t, fset, "mx.go", "Resolver")
	for _, want := range []string{`"ip4"`, `"ip6"`, "trailing dot", "absolute"} {
		assert.Contains(t, resolverDoc, want)
	}

	// The in-memory resolver shows in godoc next to the main example: a
	// file with one Example and other declarations is a whole-file example.
	f, err := parser.ParseFile(fset, "example_resolver_test.go", nil, parser.ParseComments)
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

// typeDoc returns the doc comment of the type name declared in file.
func typeDoc(t *testing.T, fset *token.FileSet, file, name string) string {
	t.Helper()
	f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
	require.NoError(t, err)
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
			for _, spec := range g.Specs {
				if spec.(*ast.TypeSpec).Name.Name == name {
					return g.Doc.Text()
				}
			}
		}
	}
	t.Fatalf("type %s not found in %s", name, file)
	return ""
}
