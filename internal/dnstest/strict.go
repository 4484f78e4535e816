package dnstest

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
)

// Lookups is what Strict wraps: the lookups of *net.Resolver that the
// suite's Resolver interfaces are made of. Answers, Memory and
// *net.Resolver have them all.
type Lookups interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Strict is a resolver that holds a package to the DNS convention of
// DESIGN.md, which each package's Resolver doc repeats for people who write
// their own resolver: names are absolute (with the trailing dot) and in
// lower case, LookupNetIP's network is "ip4" or "ip6", and LookupAddr gets
// an address in canonical text form ("192.0.2.1", "2001:db8::1": no
// IPv4-mapped form, no zone). A call that breaks it fails T; every call is
// then answered by R.
type Strict struct {
	T testing.TB
	R Lookups
}

func (s Strict) name(method, name string) {
	s.T.Helper()
	if !strings.HasSuffix(name, ".") || name != strings.ToLower(name) {
		s.T.Errorf("%s(%q): name not absolute and lower case", method, name)
	}
}

// LookupMX checks name and asks R.
func (s Strict) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	s.name("LookupMX", name)
	return s.R.LookupMX(ctx, name)
}

// LookupTXT checks name and asks R.
func (s Strict) LookupTXT(ctx context.Context, name string) ([]string, error) {
	s.name("LookupTXT", name)
	return s.R.LookupTXT(ctx, name)
}

// LookupNetIP checks network and host and asks R.
func (s Strict) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	s.name("LookupNetIP", host)
	if network != "ip4" && network != "ip6" {
		s.T.Errorf("LookupNetIP network %q, want ip4 or ip6", network)
	}
	return s.R.LookupNetIP(ctx, network, host)
}

// LookupAddr checks addr and asks R.
func (s Strict) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if a, err := netip.ParseAddr(addr); err != nil || a.String() != addr || a.Is4In6() || a.Zone() != "" {
		s.T.Errorf("LookupAddr(%q): not an address in canonical text form", addr)
	}
	return s.R.LookupAddr(ctx, addr)
}

// CheckResolverDocs holds a package's documentation for resolver writers to
// what they need; call it from a test of the package, whose directory is
// the working directory. It checks that the doc comment of the type
// Resolver, declared in file, contains each of wants (such as `"ip4"` or
// "trailing dot"); that example_resolver_test.go, where there is one, is a
// whole-file example (one Example function with the resolver it declares,
// shown together in godoc); and that no example*_test.go file imports an
// internal package, which a user could not.
func CheckResolverDocs(t testing.TB, file string, wants ...string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	resolverDoc, found := "", false
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
			for _, spec := range g.Specs {
				if ts := spec.(*ast.TypeSpec); ts.Name.Name == "Resolver" {
					resolverDoc, found = g.Doc.Text(), true
					if ts.Doc != nil {
						resolverDoc = ts.Doc.Text()
					}
				}
			}
		}
	}
	if !found {
		t.Fatalf("dnstest: type Resolver not found in %s", file)
	}
	for _, want := range wants {
		if !strings.Contains(resolverDoc, want) {
			t.Errorf("the Resolver doc in %s does not say %s", file, want)
		}
	}

	if f, err := parser.ParseFile(fset, "example_resolver_test.go", nil, parser.ParseComments); err == nil {
		ex := doc.Examples(f)
		if len(ex) != 1 {
			t.Errorf("example_resolver_test.go has %d examples, want 1", len(ex))
		} else if _, whole := ex[0].Code.(*ast.File); !whole {
			t.Errorf("example_resolver_test.go is not a whole-file example")
		}
	}

	examples, err := filepath.Glob("example*_test.go")
	if err != nil || len(examples) == 0 {
		t.Fatalf("dnstest: no example*_test.go files (%v)", err)
	}
	for _, name := range examples {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("dnstest: %v", err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(path, "/internal/") {
				t.Errorf("%s imports %s, which a user cannot import", name, path)
			}
		}
	}
}
