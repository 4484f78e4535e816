package ptr

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/miekg/dns"
)

func FuzzReverseName(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "0.0.0.0", "255.255.255.255", "::", "::1", "2001:db8::1", "::ffff:192.0.2.1", "fe80::1%eth0", "1.2.3", "", "::ffff:1:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			if got := ReverseName(ip); got != "" {
				t.Fatalf("zero Addr gave %q", got)
			}
			return
		}
		got := ReverseName(ip)
		want, err := dns.ReverseAddr(ip.Unmap().WithZone("").String())
		if err != nil {
			t.Fatalf("miekg/dns rejects %s: %v", ip, err)
		}
		if got != want {
			t.Fatalf("ReverseName(%s) = %q, want %q", ip, got, want)
		}
		if !dns.IsFqdn(got) {
			t.Fatalf("%q is not fully qualified", got)
		}
	})
}

// anyName answers every PTR query with the fuzzed names, and every forward
// query for a name starting with "ok" with the client's address.
type anyName struct {
	names []string
	err   error
	ip    netip.Addr
}

func (a anyName) LookupAddr(context.Context, string) ([]string, error) {
	return append([]string(nil), a.names...), a.err
}

func (a anyName) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	switch {
	case strings.HasPrefix(host, "ok"):
		return []netip.Addr{a.ip}, nil
	case strings.HasPrefix(host, "tmp"):
		return nil, dnstest.ServFailError(host)
	}
	return nil, dnstest.NotFoundError(host)
}

func FuzzVerify(f *testing.F) {
	f.Add("192.0.2.1", "ok.example.\nbad.example.", uint8(0))
	f.Add("::ffff:192.0.2.1", "tmp.example.\nok.example.", uint8(0))
	f.Add("2001:db8::1", "", uint8(1))
	f.Add("192.0.2.1", "192.0.2.1.\n.\n", uint8(2))
	f.Add("fe80::1%eth0", "tmp.example.\nnx.example.", uint8(3))
	f.Fuzz(func(t *testing.T, ipText, names string, mode uint8) {
		ip, _ := netip.ParseAddr(ipText)
		res := anyName{ip: ip.Unmap().WithZone("")}
		if names != "" {
			res.names = strings.Split(names, "\n")
		}
		switch mode % 4 {
		case 1:
			res.err = dnstest.NotFoundError(ipText)
		case 2:
			res.err = dnstest.ServFailError(ipText)
		case 3:
			res.err = &net.DNSError{Err: goMalformedRecords, Name: ipText}
		}
		v := Verifier{Resolver: res, MaxNames: 4}
		vd, err := v.Verify(context.Background(), ip)
		switch vd.Result {
		case Pass:
			if err != nil || len(vd.Names) == 0 {
				t.Fatalf("pass with %v, names %v", err, vd.Names)
			}
			for _, n := range vd.Names {
				if !strings.HasPrefix(n, "ok") {
					t.Fatalf("%q confirmed", n)
				}
			}
		case Fail:
			if err != nil || len(vd.Names) != 0 {
				t.Fatalf("fail with %v, names %v", err, vd.Names)
			}
		case TempError:
			if !errors.Is(err, ErrTemporary) {
				t.Fatalf("temperror with %v", err)
			}
		case PermError:
			if !errors.Is(err, ErrNoPTR) && !errors.Is(err, ErrInvalidIP) {
				t.Fatalf("permerror with %v", err)
			}
		default:
			t.Fatalf("result %q", vd.Result)
		}
		if len(vd.Checked) > 4 {
			t.Fatalf("%d names checked", len(vd.Checked))
		}
		if s := vd.AuthResult(); !strings.HasPrefix(s, "iprev="+string(vd.Result)) {
			t.Fatalf("method string %q", s)
		}
	})
}
