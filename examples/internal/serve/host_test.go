package serve

import (
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHost: -hostname defaults to the machine's name, -resolver gets port
// 53 when it has none and an address without a port is refused naming the
// flag; the override wins over -resolver.
func TestHost(t *testing.T) {
	machine, _ := os.Hostname()
	tests := []struct {
		args     []string
		name     string
		resolver string
		err      string
	}{
		{nil, machine, "", ""},
		{[]string{"-hostname", "mx.example.com", "-resolver", "192.0.2.53"}, "mx.example.com", "192.0.2.53:53", ""},
		{[]string{"-resolver", "[::1]:5353"}, machine, "[::1]:5353", ""},
		{[]string{"-resolver", "dns.example"}, "", "", `-resolver: "dns.example" is not host:port`},
	}
	for _, tt := range tests {
		var h Host
		fs := NewFlagSet("prog", "usage: prog", io.Discard)
		h.AddFlags(fs, "this host's name")
		require.NoError(t, Parse(fs, tt.args))
		err := h.Check()
		if tt.err != "" {
			require.ErrorContains(t, err, tt.err, "%q", tt.args)
			continue
		}
		require.NoError(t, err, "%q", tt.args)
		require.Equal(t, tt.name, h.Name, "%q", tt.args)
		require.Equal(t, tt.resolver, h.Resolver, "%q", tt.args)
	}

	h := Host{Resolver: "192.0.2.53:53"}
	res, err := h.DNS()
	require.NoError(t, err)
	require.NotNil(t, res)
	h.ResolverOverride = res
	h.Resolver = "not used"
	got, err := h.DNS()
	require.NoError(t, err)
	require.Same(t, res, got)
}
