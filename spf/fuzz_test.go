package spf

import (
	"net/netip"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=spf1", "v=spf1 -all", typicalRecord,
		"v=spf1 a:foo:bar/baz.example.com/24//64 mx//0 ptr:%{d2} exists:%{ir}.%{l1r+-}._spf.%{d}",
		"v=spf1 ip6:::ffff:1.2.3.4/128 ip4:0.0.0.0/0 redirect=%{o} exp=%{d}. foo=%%%_%- ",
		"v=spf1 a/24/64", "v=spf1 -all.", "v=spf1 =all", "v=spf1 include: -all", "v=spf1 \x80",
		"V=SPF1 +A:%{H}", "v=spf1 exists:%(ir).x", "v=spf1 a:%{d0}.x", "v=spf1 ip4:1.2.3.4//32",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			if r != nil {
				t.Fatal("record and error")
			}
			return
		}
		out := r.String()
		r2, err := Parse(out)
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", out, s, err)
		}
		if out2 := r2.String(); out2 != out {
			t.Fatalf("round trip %q → %q → %q", s, out, out2)
		}
		if len(r2.Terms) != len(r.Terms) {
			t.Fatalf("%d terms, then %d", len(r.Terms), len(r2.Terms))
		}
	})
}

func FuzzMacroExpand(f *testing.F) {
	for _, s := range []string{
		"%{s}", "%{ir}.%{v}._spf.%{d2}", "%{l1r-}.lp.%{d}", "%{L}%{S}%{O}%{D}%{I}%{P}%{V}%{H}", "%%%_%-",
		"%{c} %{r} %{t}", "%{d999999999999}", "%{lr+-,/_=.}", "%{x}", "%", "%{d0}", "a.%{o}.",
	} {
		f.Add(s, "strong-bad@email.example.com", []byte{192, 0, 2, 3}, true)
		f.Add(s, "", []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb, 1}, false)
	}
	zone := mkZone(f,
		"3.2.0.192.in-addr.arpa PTR mx.example.com",
		"mx.example.com A 192.0.2.3",
	)
	f.Fuzz(func(t *testing.T, s, sender string, ipBytes []byte, exp bool) {
		ip, ok := netip.AddrFromSlice(ipBytes)
		if !ok {
			ip = netip.MustParseAddr("192.0.2.3")
		}
		e := testEvaluator("192.0.2.3", "a@b.example")
		e.ip, e.r = ip.Unmap(), zone
		e.local, e.senderDomain, _ = strings.Cut(sender, "@")
		endsInMacro, reason := checkMacroString(s, exp)
		out := string(e.expand(nil, s, "email.example.com"))
		if reason != "" || len(out) > maxExpansion {
			return // invalid, or cut short on purpose
		}
		if !strings.Contains(s, "%") && out != s {
			t.Fatalf("literal %q expanded to %q", s, out)
		}
		if !exp && !endsInMacro && s != "" && !strings.HasSuffix(out, s[len(s)-1:]) {
			t.Fatalf("%q: literal end lost in %q", s, out)
		}
		if checkDomainSpec(s) == "" {
			if name, ok := e.target(s, "email.example.com"); ok && (len(name) > maxDomainLen || !validName(name)) {
				t.Fatalf("target %q of %q is not a valid name", name, s)
			}
		}
	})
}

// FuzzCheck evaluates fuzzed records published at several names of an
// in-memory zone: no input may panic, the error contract holds, and the
// RFC 7208 §4.6.4 limits hold whatever the records say.
func FuzzCheck(f *testing.F) {
	f.Add("v=spf1 include:inc.example -all", "v=spf1 a mx ptr ip4:192.0.2.0/24 ~all", "v=spf1 redirect=d.example", "192.0.2.3", "user@d.example")
	f.Add("v=spf1 include:d.example", "v=spf1 include:inc.example", "", "192.0.2.3", "")
	f.Add("v=spf1 a:%{l}.inc.example mx:%{d2} exists:%{ir}.%{v}.red.example redirect=red.example", "v=spf1", "v=spf1 ptr:%{d} exp=e.%{d} -all", "2001:db8::1", "a.b.c@d.example")
	f.Add("v=spf1 a a a a a a a a a a a a", "v=spf1 mx:many.example", "v=spf1 a:n1.example a:n2.example a:n3.example", "::ffff:192.0.2.3", "x@red.example")
	f.Fuzz(func(t *testing.T, rec1, rec2, rec3, ip, sender string) {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			addr = netip.MustParseAddr("192.0.2.3")
		}
		z := newFakeZone()
		set := func(name string, rrs ...fakeRR) {
			if err := z.set(name, rrs...); err != nil {
				t.Fatal(err)
			}
		}
		set("d.example", fakeRR{typ: "TXT", text: rec1}, fakeRR{typ: "A", text: "192.0.2.3"}, fakeRR{typ: "MX", pref: 10, text: "inc.example"})
		set("inc.example", fakeRR{typ: "TXT", text: rec2}, fakeRR{typ: "A", text: "192.0.2.4"}, fakeRR{typ: "AAAA", text: "2001:db8::1"})
		set("red.example", fakeRR{typ: "TXT", text: rec3}, fakeRR{typ: "TXT", text: "explanation %{i}"})
		set("e.d.example", fakeRR{typ: "TXT", text: rec3})
		set("3.2.0.192.in-addr.arpa", fakeRR{typ: "PTR", text: "d.example"}, fakeRR{typ: "PTR", text: "inc.example"})
		var many []fakeRR
		for i := 0; i < 12; i++ {
			many = append(many, fakeRR{typ: "MX", pref: uint16(i), text: "d.example"})
		}
		set("many.example", many...)
		c := &Checker{Resolver: z, DefaultExplanation: "%{d} %{i}"}
		v, err := c.Check(ctx, addr, "inc.example", sender)
		if (v.Result == TempError || v.Result == PermError) != (err != nil) {
			t.Fatalf("result %s with error %v", v.Result, err)
		}
		if v.Lookups > DefaultMaxLookups {
			t.Fatalf("%d lookups with result %s", v.Lookups, v.Result)
		}
		if v.VoidLookups > DefaultMaxVoidLookups+1 || (v.VoidLookups > DefaultMaxVoidLookups && v.Result != PermError) {
			t.Fatalf("%d void lookups with result %s", v.VoidLookups, v.Result)
		}
		// Each counted term makes at most 1+10 queries (mx, ptr), plus the
		// first record, the explanation and the "p" macro (1+10).
		if n, max := queries(z.Memory), 1+DefaultMaxLookups*(1+maxNames)+1+1+maxNames; n > max {
			t.Fatalf("%d DNS queries, more than %d", n, max)
		}
		_ = v.ReceivedSPF("mx.example")
		_ = v.AuthResult()
	})
}
