package dane_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/mx/dane"
)

var (
	lo  = netip.MustParseAddr("192.0.2.1")
	lo6 = netip.MustParseAddr("2001:db8::1")
)

// baseFake is example.org with MX mx1 (TLSA 3 1 1), all secure.
func baseFake(t *testing.T) (*fakeResolver, dane.Record) {
	p := newPKI(t)
	f := newFake()
	r := rec(p.leaf.Cert, 3, 1, 1)
	f.mx["example.org."] = []*net.MX{{Host: "mx1.example.org.", Pref: 10}}
	f.a["mx1.example.org."] = []netip.Addr{lo}
	f.aaaa["mx1.example.org."] = []netip.Addr{lo6}
	f.tlsa["_25._tcp.mx1.example.org."] = []dane.Record{r}
	return f, r
}

func lookupCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestLookup(t *testing.T) {
	temp := &fakeErr{dane.ErrTemporary}
	bogus := &fakeErr{dane.ErrBogus}
	tests := []struct {
		name   string
		edit   func(f *fakeResolver)
		status dane.Status
		err    error // of the host
		base   string
		names  []string
	}{
		{"verify", nil, dane.StatusVerify, nil, "mx1.example.org.", []string{"mx1.example.org", "example.org"}},
		{"insecure MX", func(f *fakeResolver) { f.insecure["mx example.org."] = true }, dane.StatusNone, nil, "mx1.example.org.", nil},
		{"insecure A", func(f *fakeResolver) { f.insecure["a mx1.example.org."] = true }, dane.StatusNone, nil, "mx1.example.org.", nil},
		{"insecure AAAA", func(f *fakeResolver) { f.insecure["aaaa mx1.example.org."] = true }, dane.StatusNone, nil, "mx1.example.org.", nil},
		{"insecure first CNAME answer", func(f *fakeResolver) { f.insecure["cname mx1.example.org."] = true }, dane.StatusNone, nil, "mx1.example.org.", nil},
		{"insecure TLSA", func(f *fakeResolver) { f.insecure["tlsa _25._tcp.mx1.example.org."] = true }, dane.StatusNone, nil, "mx1.example.org.", nil},
		{"no TLSA", func(f *fakeResolver) { delete(f.tlsa, "_25._tcp.mx1.example.org.") }, dane.StatusNone, nil, "mx1.example.org.", nil},
		{"only PKIX TLSA", func(f *fakeResolver) {
			f.tlsa["_25._tcp.mx1.example.org."] = []dane.Record{{Usage: 1, Selector: 1, MatchingType: 1, Data: make([]byte, 32)}}
		}, dane.StatusEncrypt, nil, "mx1.example.org.", []string{"mx1.example.org", "example.org"}},
		{"bogus TLSA", func(f *fakeResolver) { f.fail["tlsa _25._tcp.mx1.example.org."] = bogus }, dane.StatusDefer, dane.ErrBogus, "mx1.example.org.", nil},
		{"temporary TLSA", func(f *fakeResolver) { f.fail["tlsa _25._tcp.mx1.example.org."] = temp }, dane.StatusDefer, dane.ErrTemporary, "mx1.example.org.", nil},
		{"bogus A", func(f *fakeResolver) { f.fail["a mx1.example.org."] = bogus }, dane.StatusDefer, dane.ErrBogus, "mx1.example.org.", nil},
		{"temporary AAAA", func(f *fakeResolver) { f.fail["aaaa mx1.example.org."] = temp }, dane.StatusDefer, dane.ErrTemporary, "mx1.example.org.", nil},
		{"bogus CNAME", func(f *fakeResolver) { f.fail["cname mx1.example.org."] = bogus }, dane.StatusDefer, dane.ErrBogus, "mx1.example.org.", nil},
		{"temporary failure with insecure MX", func(f *fakeResolver) {
			f.insecure["mx example.org."] = true
			f.fail["a mx1.example.org."] = temp
		}, dane.StatusDefer, dane.ErrTemporary, "mx1.example.org.", nil},
		{"secure alias, TLSA at target", func(f *fakeResolver) {
			f.cname["mx1.example.org."] = "host.example.net."
			f.a["host.example.net."] = f.a["mx1.example.org."]
			f.tlsa["_25._tcp.host.example.net."] = f.tlsa["_25._tcp.mx1.example.org."]
			delete(f.a, "mx1.example.org.")
			delete(f.aaaa, "mx1.example.org.")
			delete(f.tlsa, "_25._tcp.mx1.example.org.")
		}, dane.StatusVerify, nil, "host.example.net.", []string{"host.example.net", "example.org"}},
		{"secure alias, TLSA at original name only", func(f *fakeResolver) {
			f.cname["mx1.example.org."] = "host.example.net."
			f.a["host.example.net."] = f.a["mx1.example.org."]
			delete(f.a, "mx1.example.org.")
			delete(f.aaaa, "mx1.example.org.")
		}, dane.StatusVerify, nil, "mx1.example.org.", []string{"mx1.example.org", "example.org"}},
		{"alias with an insecure second link: original name only", func(f *fakeResolver) {
			f.cname["mx1.example.org."] = "a.example.net."
			f.cname["a.example.net."] = "host.example.net."
			f.insecure["cname a.example.net."] = true
			f.a["host.example.net."] = f.a["mx1.example.org."]
			f.tlsa["_25._tcp.host.example.net."] = []dane.Record{{Usage: 3, Selector: 1, MatchingType: 1, Data: make([]byte, 32)}}
			delete(f.a, "mx1.example.org.")
			delete(f.aaaa, "mx1.example.org.")
		}, dane.StatusVerify, nil, "mx1.example.org.", []string{"mx1.example.org", "example.org"}},
		{"CNAME loop", func(f *fakeResolver) {
			f.cname["mx1.example.org."] = "a.example.net."
			f.cname["a.example.net."] = "mx1.example.org."
		}, dane.StatusDefer, nil, "mx1.example.org.", nil},
		{"host without addresses", func(f *fakeResolver) {
			delete(f.a, "mx1.example.org.")
			delete(f.aaaa, "mx1.example.org.")
		}, dane.StatusNone, dane.ErrNXDomain, "mx1.example.org.", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, r := baseFake(t)
			if tc.edit != nil {
				tc.edit(f)
			}
			d, err := dane.Lookup(lookupCtx(t), f, "Example.ORG")
			require.NoError(t, err)
			require.Equal(t, "example.org.", d.Domain)
			require.Len(t, d.Hosts, 1)
			h := d.Hosts[0]
			require.Equal(t, tc.status, h.Status, "err %v", h.Err)
			if tc.err != nil {
				require.ErrorIs(t, h.Err, tc.err)
			}
			if tc.status == dane.StatusDefer {
				require.Error(t, h.Err)
				_, err := h.TLSConfig(nil)
				require.ErrorIs(t, err, dane.ErrNotDANE)
			}
			require.Equal(t, tc.base, h.BaseDomain)
			require.Equal(t, tc.names, h.Names)
			if tc.status == dane.StatusVerify && tc.name == "verify" {
				require.Equal(t, []netip.Addr{lo, lo6}, h.Addrs)
				require.True(t, h.Records[0].Equal(r))
			}
		})
	}
}

func TestLookupDomain(t *testing.T) {
	t.Run("no MX: the domain is its own host", func(t *testing.T) {
		f, _ := baseFake(t)
		delete(f.mx, "example.org.")
		f.a["example.org."] = []netip.Addr{lo}
		f.tlsa["_25._tcp.example.org."] = f.tlsa["_25._tcp.mx1.example.org."]
		d, err := dane.Lookup(lookupCtx(t), f, "example.org")
		require.NoError(t, err)
		require.True(t, d.ImplicitMX)
		require.True(t, d.MXSecure)
		require.Equal(t, "example.org.", d.Hosts[0].Name)
		require.Equal(t, dane.StatusVerify, d.Hosts[0].Status)
		require.Equal(t, []string{"example.org"}, d.Hosts[0].Names)
	})
	t.Run("NXDOMAIN", func(t *testing.T) {
		f := newFake()
		_, err := dane.Lookup(lookupCtx(t), f, "nowhere.example")
		require.ErrorIs(t, err, dane.ErrNXDomain)
	})
	t.Run("null MX", func(t *testing.T) {
		f := newFake()
		f.mx["example.org."] = []*net.MX{{Host: ".", Pref: 0}}
		_, err := dane.Lookup(lookupCtx(t), f, "example.org")
		require.ErrorIs(t, err, dane.ErrNullMX)
	})
	t.Run("bogus MX defers the domain", func(t *testing.T) {
		f, _ := baseFake(t)
		f.fail["mx example.org."] = &fakeErr{dane.ErrBogus}
		_, err := dane.Lookup(lookupCtx(t), f, "example.org")
		require.ErrorIs(t, err, dane.ErrBogus)
	})
	t.Run("not a domain", func(t *testing.T) {
		_, err := dane.Lookup(lookupCtx(t), newFake(), "a..b")
		require.Error(t, err)
	})
	t.Run("several hosts, duplicates dropped, at most MaxHosts", func(t *testing.T) {
		f, _ := baseFake(t)
		f.mx["example.org."] = nil
		for i := range dane.MaxHosts + 5 {
			h := fmt.Sprintf("mx%d.example.org.", i)
			f.mx["example.org."] = append(f.mx["example.org."], &net.MX{Host: h, Pref: uint16(i)}, &net.MX{Host: h, Pref: uint16(i)})
			f.a[h] = []netip.Addr{lo}
		}
		d, err := dane.Lookup(lookupCtx(t), f, "example.org")
		require.NoError(t, err)
		require.Len(t, d.Hosts, dane.MaxHosts)
		require.Equal(t, "mx0.example.org.", d.Hosts[0].Name)
		require.Equal(t, "mx1.example.org.", d.Hosts[1].Name)
		// Bounded work: each host costs a fixed number of lookups.
		require.LessOrEqual(t, len(f.calls), 1+dane.MaxHosts*5)
	})
}

func TestHostTLSConfig(t *testing.T) {
	f, r := baseFake(t)
	d, err := dane.Lookup(lookupCtx(t), f, "example.org")
	require.NoError(t, err)
	h := d.Hosts[0]
	cfg, err := h.TLSConfig(nil)
	require.NoError(t, err)
	require.Equal(t, "mx1.example.org", cfg.ServerName)
	require.True(t, cfg.InsecureSkipVerify)
	require.NotNil(t, cfg.VerifyConnection)
	require.True(t, h.Records[0].Equal(r))

	h.Status = dane.StatusEncrypt
	cfg, err = h.TLSConfig(nil)
	require.NoError(t, err)
	require.Nil(t, cfg.VerifyConnection)
	require.True(t, cfg.InsecureSkipVerify)

	h.Status = dane.StatusNone
	_, err = h.TLSConfig(nil)
	require.ErrorIs(t, err, dane.ErrNotDANE)
}
