package dmarc

import (
	"context"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// contractResolver records every call, to hold the Resolver documentation
// to what the Checker does.
type contractResolver struct {
	*dnstest.Memory
	names    []string
	networks []string
}

func (c *contractResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	c.names = append(c.names, name)
	return c.Memory.LookupTXT(ctx, name)
}

func (c *contractResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	c.names = append(c.names, host)
	c.networks = append(c.networks, network)
	return c.Memory.LookupNetIP(ctx, network, host)
}

func (c *contractResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	c.names = append(c.names, name)
	return c.Memory.LookupMX(ctx, name)
}

// TestResolverContract: names arrive absolute (trailing dot), in A-labels
// and lower case; LookupNetIP gets "ip4" or "ip6" (issue 12 point 6).
func TestResolverContract(t *testing.T) {
	r := &contractResolver{Memory: dnstest.NewMemory(t, zone(dmarcTXT("xn--bcher-kva.example", "v=DMARC1; p=quarantine; np=reject")))}
	c := &Checker{Resolver: r}
	v, err := c.Check(ctx(t), Input{FromDomain: "Nosuch.BÜCHER.example", SPFDomain: "Mail.Bücher.Example.", DKIMDomains: []string{"Other.EXAMPLE."}})
	require.NoError(t, err)
	assert.True(t, v.NonExistent, "the np test ran")
	_, err = c.VerifyExternalDestination(ctx(t), "Bücher.example", "RUA.example.NET")
	require.NoError(t, err)
	assert.Contains(t, r.names, "xn--bcher-kva.example._report._dmarc.rua.example.net.")
	for _, n := range r.names {
		assert.True(t, strings.HasSuffix(n, "."), "%q is not absolute", n)
		assert.Equal(t, strings.ToLower(n), n)
		for i := 0; i < len(n); i++ {
			assert.Less(t, n[i], byte(0x80), "%q is not in A-labels", n)
		}
	}
	assert.ElementsMatch(t, []string{"ip4", "ip6"}, r.networks)
}

// TestExamplesCopyable: the godoc examples use an in-memory resolver a
// reader can copy, shown whole in godoc (a file with one Example and other
// declarations is a whole-file example), and never internal/dnstest,
// which a user cannot import (issue 12 point 6).
func TestExamplesCopyable(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "example_resolver_test.go", nil, parser.ParseComments)
	require.NoError(t, err)
	ex := doc.Examples(f)
	require.Len(t, ex, 1)
	assert.Equal(t, "Resolver", ex[0].Name)
	_, whole := ex[0].Code.(*ast.File)
	assert.True(t, whole, "example_resolver_test.go is not a whole-file example")

	for _, name := range []string{"example_test.go", "example_resolver_test.go"} {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			assert.NotContains(t, path, "/internal/", "%s imports %s", name, path)
		}
	}
}
