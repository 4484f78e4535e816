package serve

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestParse: -help is flag.ErrHelp, a wrong flag and a stray argument are
// ErrUsage, each printed with the usage; a good command line is nil.
func TestParse(t *testing.T) {
	tests := []struct {
		args   []string
		err    error
		stderr []string // what stderr must contain
	}{
		{[]string{"-x", "1"}, nil, nil},
		{[]string{"-help"}, flag.ErrHelp, []string{"usage: prog [flags]", "-x int"}},
		{[]string{"-y"}, ErrUsage, []string{"flag provided but not defined: -y", "usage: prog [flags]"}},
		{[]string{"-x", "one"}, ErrUsage, []string{"invalid value", "usage: prog [flags]"}},
		{[]string{"-x", "1", "extra"}, ErrUsage, []string{`prog: unexpected argument "extra"`, "usage: prog [flags]"}},
	}
	for _, tt := range tests {
		var stderr strings.Builder
		fs := NewFlagSet("prog", "usage: prog [flags]", &stderr)
		fs.Int("x", 0, "a number")
		err := Parse(fs, tt.args)
		if tt.err == nil {
			require.NoError(t, err, "%q", tt.args)
			require.Empty(t, stderr.String())
			continue
		}
		require.ErrorIs(t, err, tt.err, "%q", tt.args)
		require.False(t, tt.err == flag.ErrHelp && errors.Is(err, ErrUsage), "-help is no usage error")
		for _, want := range tt.stderr {
			require.Contains(t, stderr.String(), want, "%q", tt.args)
		}
	}
}

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

// TestCert: without -cert the server gets a self-signed certificate for
// its name and the TLSA record to publish is printed after the program's
// name; a -cert that cannot be read is an error.
func TestCert(t *testing.T) {
	var c Cert
	fs := NewFlagSet("prog", "usage: prog", io.Discard)
	c.AddFlags(fs, "TLS certificate (PEM)")
	require.NoError(t, Parse(fs, nil))
	var out strings.Builder
	cfg, err := c.Config(&out, "prog", "the certificate", "mx.example.com")
	require.NoError(t, err)
	require.Len(t, cfg.Certificates, 1)
	require.Equal(t, []string{"mx.example.com"}, cfg.Certificates[0].Leaf.DNSNames)
	require.Contains(t, out.String(), "prog: ")
	require.Contains(t, out.String(), "_25._tcp.mx.example.com. IN TLSA 3 1 1 ")

	require.NoError(t, Parse(fs, []string{"-cert", filepath.Join(t.TempDir(), "none.pem"), "-key", "none.key"}))
	_, err = c.Config(io.Discard, "prog", "the certificate", "mx.example.com")
	require.Error(t, err)
}
