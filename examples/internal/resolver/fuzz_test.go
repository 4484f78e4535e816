package resolver

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// FuzzHostsFile reads arbitrary hosts files: lookups answer from them or
// fall through, never panic. Names looked up are not in DNS (.invalid).
func FuzzHostsFile(f *testing.F) {
	f.Add([]byte("127.0.0.1 localhost\n::1 localhost ip6-localhost # c\n"), "localhost.", "127.0.0.1")
	f.Add([]byte("fe80::1%eth0 link.invalid\n#\n\n192.0.2.1\n"), "link.invalid", "fe80::1")
	f.Add([]byte("not-an-ip x.invalid\n"), "x.invalid.", "not an ip")
	f.Fuzz(func(t *testing.T, hosts []byte, name, addr string) {
		file := filepath.Join(t.TempDir(), "hosts")
		if err := os.WriteFile(file, hosts, 0o600); err != nil {
			t.Fatal(err)
		}
		// A resolver that fails at once instead of asking the network.
		offline := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Err: os.ErrPermission}
		}}
		r := &system{Resolver: offline, hostsFile: file}
		ctx := context.Background()
		for _, network := range []string{"ip", "ip4", "ip6"} {
			addrs, err := r.LookupNetIP(ctx, network, name)
			for _, a := range addrs {
				if network == "ip4" && !a.Is4() || network == "ip6" && !a.Is6() {
					t.Fatalf("%s lookup gave %v", network, a)
				}
			}
			_ = err
		}
		r.LookupAddr(ctx, addr)
	})
}

func FuzzCheckAddr(f *testing.F) {
	for _, s := range []string{"", "127.0.0.1:53", "[::1]:5353", "192.0.2.1", "dns.example:53", "x:0", "[::1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := CheckAddr(s)
		if err != nil || out == "" {
			return
		}
		if _, _, err := net.SplitHostPort(out); err != nil {
			t.Fatalf("CheckAddr(%q) = %q, not host:port: %v", s, out, err)
		}
	})
}
