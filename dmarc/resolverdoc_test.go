package dmarc

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
