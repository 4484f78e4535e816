package spf

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// strictResolver fails the test when a call breaks what the Resolver doc
// promises: absolute lower-case names, network "ip4" or "ip6", an address
// in text form for LookupAddr.
type strictResolver struct {
	t    *testing.T
	zone *fakeZone
	seen map[string]bool // the methods called
	// kept holds every name received and a copy made on arrival: a
	// resolver may keep the strings it is given (as cache keys), so they
	// must never change afterwards.
	kept *[][2]string
}

func (s strictResolver) name(method, name string) {
	s.t.Helper()
	s.seen[method] = true
	*s.kept = append(*s.kept, [2]string{name, strings.Clone(name)})
	if !strings.HasSuffix(name, ".") || name != strings.ToLower(name) {
		s.t.Errorf("%s(%q): name not absolute and lower case", method, name)
	}
}

func (s strictResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	s.name("LookupTXT", name)
	return s.zone.LookupTXT(ctx, name)
}

func (s strictResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	s.name("LookupMX", name)
	return s.zone.LookupMX(ctx, name)
}

func (s strictResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	s.name("LookupNetIP", host)
	if network != "ip4" && network != "ip6" {
		s.t.Errorf("LookupNetIP network %q, want ip4 or ip6", network)
	}
	return s.zone.LookupNetIP(ctx, network, host)
}

func (s strictResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	s.seen["LookupAddr"] = true
	if a, err := netip.ParseAddr(addr); err != nil || a.String() != addr || a.Is4In6() || a.Zone() != "" {
		s.t.Errorf("LookupAddr(%q): not an address in canonical text form", addr)
	}
	return s.zone.LookupAddr(ctx, addr)
}

func TestResolverReceivesWhatItsDocSays(t *testing.T) {
	z := newFakeZone()
	require.NoError(t, z.set("example.org", fakeRR{typ: "TXT", text: "v=spf1 a mx exists:%{i}.X.Example.org ptr include:Other.example -all"}, fakeRR{typ: "MX", text: "MX.example.org.", pref: 10}))
	require.NoError(t, z.set("other.example", fakeRR{typ: "TXT", text: "v=spf1 a:Mail.Other.example -all"}))
	s := strictResolver{t: t, zone: z, seen: map[string]bool{}, kept: new([][2]string)}
	c := &Checker{Resolver: s}
	for _, ip := range []string{"192.0.2.1", "::ffff:192.0.2.1", "2001:db8::1"} {
		c.Check(context.Background(), netip.MustParseAddr(ip), "HELO.example.org", "user@Example.ORG") //nolint:errcheck // only the calls matter
	}
	for _, m := range []string{"LookupTXT", "LookupMX", "LookupNetIP", "LookupAddr"} {
		assert.True(t, s.seen[m], "%s never called: the check above no longer covers it", m)
	}
	for _, k := range *s.kept {
		assert.Equal(t, k[1], k[0], "a name given to the resolver changed after the call")
	}
}

// The Resolver doc tells people who write their own resolver what the
// methods receive.
func TestResolverDocSaysWhatArrives(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "checker.go", nil, parser.ParseComments)
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
}
