package dnstest

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingTB keeps what Errorf says instead of failing the test.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestStrict(t *testing.T) {
	a := &Answers{IP: map[string][]netip.Addr{"ip4 mx.example.org.": Addrs("192.0.2.1")}}
	ctx := context.Background()
	tests := []struct {
		call func(s Strict)
		bad  bool
	}{
		{func(s Strict) { s.LookupMX(ctx, "example.org.") }, false},
		{func(s Strict) { s.LookupTXT(ctx, "_dmarc.example.org.") }, false},
		{func(s Strict) { s.LookupNetIP(ctx, "ip6", "mx.example.org.") }, false},
		{func(s Strict) { s.LookupAddr(ctx, "2001:db8::1") }, false},
		{func(s Strict) { s.LookupMX(ctx, "example.org") }, true},
		{func(s Strict) { s.LookupTXT(ctx, "Example.org.") }, true},
		{func(s Strict) { s.LookupNetIP(ctx, "ip", "mx.example.org.") }, true},
		{func(s Strict) { s.LookupNetIP(ctx, "ip4", "mx.example.org") }, true},
		{func(s Strict) { s.LookupAddr(ctx, "::ffff:192.0.2.1") }, true},
		{func(s Strict) { s.LookupAddr(ctx, "fe80::1%eth0") }, true},
		{func(s Strict) { s.LookupAddr(ctx, "1.2.0.192.in-addr.arpa.") }, true},
	}
	for i, tc := range tests {
		rec := &recordingTB{TB: t}
		tc.call(Strict{T: rec, R: a})
		assert.Equal(t, tc.bad, len(rec.errs) > 0, "case %d: %v", i, rec.errs)
	}
	// Every call reaches R.
	assert.Len(t, a.Calls(), len(tests))
	addrs, err := Strict{T: t, R: a}.LookupNetIP(ctx, "ip4", "mx.example.org.")
	require.NoError(t, err)
	assert.Equal(t, Addrs("192.0.2.1"), addrs)
}

func TestCheckResolverDocs(t *testing.T) {
	const pkg = "package p\n\n// Resolver gets absolute names, with the trailing dot.\ntype Resolver interface{}\n"
	const wholeFile = "package p_test\n\ntype zone struct{}\n\nfunc ExampleX() {\n\t_ = zone{}\n}\n"
	tests := []struct {
		name  string
		files map[string]string
		wants []string
		errs  int
	}{
		{"good", map[string]string{"p.go": pkg, "example_resolver_test.go": wholeFile, "example_test.go": "package p_test\n\nimport \"fmt\"\n\nfunc ExampleY() { fmt.Println() }\n"}, []string{"trailing dot", "absolute"}, 0},
		{"doc lacks a word", map[string]string{"p.go": pkg, "example_test.go": "package p_test\n"}, []string{"ip4"}, 1},
		{"not a whole-file example", map[string]string{"p.go": pkg, "example_resolver_test.go": "package p_test\n\nfunc ExampleX() {}\n\nfunc ExampleY() {}\n"}, nil, 1},
		{"internal import", map[string]string{"p.go": pkg, "example_test.go": "package p_test\n\nimport _ \"github.com/x/y/internal/z\"\n"}, nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tc.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
			}
			t.Chdir(dir)
			rec := &recordingTB{TB: t}
			CheckResolverDocs(rec, "p.go", tc.wants...)
			assert.Len(t, rec.errs, tc.errs, "%v", rec.errs)
		})
	}
}
