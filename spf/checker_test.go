package spf

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mkZone builds a fake zone from lines "name TYPE value" (MX: "name MX
// pref host"; TIMEOUT and SERVFAIL take no value).
func mkZone(t testing.TB, lines ...string) *fakeZone {
	t.Helper()
	byName := map[string][]fakeRR{}
	var order []string
	for _, l := range lines {
		name, rest, _ := strings.Cut(l, " ")
		typ, val, _ := strings.Cut(rest, " ")
		rr := fakeRR{typ: typ, text: val}
		if typ == "MX" {
			p, h, _ := strings.Cut(val, " ")
			n, err := strconv.Atoi(p)
			require.NoError(t, err)
			rr.pref, rr.text = uint16(n), h
		}
		if _, ok := byName[name]; !ok {
			order = append(order, name)
		}
		byName[name] = append(byName[name], rr)
	}
	z := newFakeZone()
	for _, n := range order {
		require.NoError(t, z.set(n, byName[n]...))
	}
	return z
}

var ctx = context.Background()

func TestCheckErrorContract(t *testing.T) {
	z := mkZone(t,
		"pass.example TXT v=spf1 +all",
		"fail.example TXT v=spf1 -all",
		"soft.example TXT v=spf1 ~all",
		"neutral.example TXT v=spf1",
		"perm.example TXT v=spf1 foo",
		"temp.example TIMEOUT",
	)
	c := &Checker{Resolver: z}
	ip := netip.MustParseAddr("192.0.2.1")
	for domain, want := range map[string]Result{
		"pass.example": Pass, "fail.example": Fail, "soft.example": SoftFail,
		"neutral.example": Neutral, "perm.example": PermError, "temp.example": TempError,
		"nothing.example": None, "single-label": None,
	} {
		t.Run(domain, func(t *testing.T) {
			v, err := c.Check(ctx, ip, "helo.example", "user@"+domain)
			assert.Equal(t, want, v.Result)
			if want == TempError || want == PermError {
				require.Error(t, err)
				assert.Equal(t, err.Error(), v.Problem)
			} else {
				require.NoError(t, err)
				assert.Empty(t, v.Problem)
			}
		})
	}
	v, err := c.Check(ctx, ip, "h.example", "user@perm.example")
	assert.ErrorIs(t, err, ErrSyntax)
	assert.Equal(t, PermError, v.Result)
	v, err = c.Check(ctx, ip, "h.example", "user@temp.example")
	assert.ErrorIs(t, err, ErrDNS)
	assert.Equal(t, TempError, v.Result)
	v, err = c.Check(ctx, netip.Addr{}, "h.example", "user@pass.example")
	assert.ErrorIs(t, err, ErrInvalidIP)
	assert.Equal(t, PermError, v.Result)
}

func TestCheckIdentities(t *testing.T) {
	z := mkZone(t,
		"mail.example.org TXT v=spf1 exists:%{l}.%{o}.%{d}.%{h}.check.example -all",
		"postmaster.mail.example.org.mail.example.org.mail.example.org.check.example A 127.0.0.2",
		"example.org TXT v=spf1 exists:%{l}.%{o}.%{h}.check.example -all",
		"bob.example.org.mail.example.org.check.example A 127.0.0.2",
		"xn--bcher-kva.example TXT v=spf1 ip4:192.0.2.0/24 -all",
	)
	c := &Checker{Resolver: z}
	ip := netip.MustParseAddr("192.0.2.1")

	// HELO identity: <domain> is the HELO name, <sender> postmaster@helo.
	v, err := c.CheckHELO(ctx, ip, "mail.example.org")
	require.NoError(t, err)
	assert.Equal(t, Pass, v.Result)
	assert.Equal(t, IdentityHELO, v.Identity)
	assert.Equal(t, "postmaster@mail.example.org", v.Sender)
	assert.Equal(t, "spf=pass smtp.helo=mail.example.org", v.AuthResult())

	// Null reverse-path: MAIL FROM identity is postmaster@helo.
	v, err = c.Check(ctx, ip, "mail.example.org", "")
	require.NoError(t, err)
	assert.Equal(t, Pass, v.Result)
	assert.Equal(t, IdentityMailFrom, v.Identity)
	assert.Equal(t, "postmaster@mail.example.org", v.Sender)

	v, err = c.Check(ctx, ip, "mail.example.org", "<bob@example.org>")
	require.NoError(t, err)
	assert.Equal(t, Pass, v.Result)
	assert.Equal(t, "bob@example.org", v.Sender)
	assert.Equal(t, "exists:%{l}.%{o}.%{h}.check.example", v.Mechanism)
	assert.Equal(t, "example.org", v.Domain)
	assert.Equal(t, 1, v.Lookups)
	assert.Equal(t, "spf=pass smtp.mailfrom=example.org", v.AuthResult())

	// An internationalized domain is checked under its A-label.
	v, err = c.Check(ctx, ip, "h.example", "user@bücher.example")
	require.NoError(t, err)
	assert.Equal(t, Pass, v.Result)

	// RFC 7208 §4.3: malformed identities give "none" without a lookup.
	for _, d := range []string{"[192.0.2.1]", "nodots", "a..b.example", strings.Repeat("a", 64) + ".example", "", "bad name.example"} {
		z.queries = 0
		v, err = c.Check(ctx, ip, "h.example", "user@"+d)
		require.NoError(t, err, d)
		assert.Equal(t, None, v.Result, d)
		assert.Zero(t, z.queries, d)
	}
}

func TestCheckIPv4Mapped(t *testing.T) {
	z := mkZone(t, "example.org TXT v=spf1 ip6:::ffff:192.0.2.0/120 ip4:192.0.2.0/24 -all")
	c := &Checker{Resolver: z}
	v, err := c.Check(ctx, netip.MustParseAddr("::ffff:192.0.2.7"), "h.example", "u@example.org")
	require.NoError(t, err)
	assert.Equal(t, Pass, v.Result)
	assert.Equal(t, "ip4:192.0.2.0/24", v.Mechanism)
	assert.Equal(t, netip.MustParseAddr("192.0.2.7"), v.ClientIP)
}

func TestCheckLimits(t *testing.T) {
	z := mkZone(t,
		"self.example TXT v=spf1 include:self.example -all",
		"ping.example TXT v=spf1 include:pong.example -all",
		"pong.example TXT v=spf1 include:ping.example -all",
		"redir.example TXT v=spf1 redirect=redir.example",
		"ten.example TXT v=spf1 a a a a a a a a a a -all",
		"eleven.example TXT v=spf1 a a a a a a a a a a a -all",
		"ten.example A 198.51.100.1",
		"eleven.example A 198.51.100.1",
		"void.example TXT v=spf1 a:n1.example a:n2.example a:n3.example -all",
		"manymx.example TXT v=spf1 mx -all",
		"chain0.example TXT v=spf1 include:chain1.example -all",
	)
	for i := 0; i < 11; i++ {
		require.NoError(t, z.set("mx"+strconv.Itoa(i)+".manymx.example", fakeRR{typ: "A", text: "198.51.100.9"}))
	}
	var mxs []fakeRR
	for i := 0; i < 11; i++ {
		mxs = append(mxs, fakeRR{typ: "MX", pref: uint16(i), text: "mx" + strconv.Itoa(i) + ".manymx.example"})
	}
	mxs = append(mxs, fakeRR{typ: "TXT", text: "v=spf1 mx -all"})
	require.NoError(t, z.set("manymx.example", mxs...))
	for i := 1; i < 40; i++ {
		require.NoError(t, z.set("chain"+strconv.Itoa(i)+".example", fakeRR{typ: "TXT", text: "v=spf1 include:chain" + strconv.Itoa(i+1) + ".example -all"}))
	}
	ip := netip.MustParseAddr("192.0.2.1")
	tests := []struct {
		domain string
		want   Result
		err    error
		c      Checker
	}{
		{"self.example", PermError, ErrLoop, Checker{}},
		{"ping.example", PermError, ErrLoop, Checker{}},
		{"redir.example", PermError, ErrLoop, Checker{}},
		{"ten.example", Fail, nil, Checker{}},
		{"eleven.example", PermError, ErrLookupLimit, Checker{}},
		{"eleven.example", Fail, nil, Checker{MaxLookups: 11}},
		{"void.example", PermError, ErrVoidLookupLimit, Checker{}},
		{"void.example", Fail, nil, Checker{MaxVoidLookups: 3}},
		// Negative limits are invalid and mean the default (RFC 7208
		// §4.6.4 requires the limits): no way to switch them off.
		{"void.example", PermError, ErrVoidLookupLimit, Checker{MaxVoidLookups: -1}},
		{"eleven.example", PermError, ErrLookupLimit, Checker{MaxLookups: -1}},
		{"manymx.example", PermError, ErrMXLimit, Checker{}},
		{"chain0.example", PermError, ErrLookupLimit, Checker{}},
		{"chain0.example", PermError, ErrLookupLimit, Checker{MaxLookups: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			tt.c.Resolver = z
			v, err := tt.c.Check(ctx, ip, "h.example", "u@"+tt.domain)
			assert.Equal(t, tt.want, v.Result, "%v", err)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
			} else {
				assert.NoError(t, err)
			}
			max := tt.c.MaxLookups
			if max <= 0 {
				max = DefaultMaxLookups
			}
			assert.LessOrEqual(t, v.Lookups, max)
		})
	}
}

// blockingResolver answers nothing until the context ends.
type blockingResolver struct{ *fakeZone }

func (blockingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestCheckDeadline(t *testing.T) {
	c := &Checker{Resolver: blockingResolver{newFakeZone()}, Timeout: 50 * time.Millisecond}
	start := time.Now()
	v, err := c.Check(ctx, netip.MustParseAddr("192.0.2.1"), "h.example", "u@example.org")
	assert.Equal(t, TempError, v.Result)
	assert.ErrorIs(t, err, ErrDeadline)
	assert.Less(t, time.Since(start), 5*time.Second)

	// The caller's context ends the evaluation too.
	cctx, cancel := context.WithCancel(ctx)
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	c.Timeout = -1
	v, err = c.Check(cctx, netip.MustParseAddr("192.0.2.1"), "h.example", "u@example.org")
	assert.Equal(t, TempError, v.Result)
	assert.True(t, errors.Is(err, ErrDeadline))
}

func TestCheckExplanation(t *testing.T) {
	z := mkZone(t,
		"example.org TXT v=spf1 -all exp=why.%{d}",
		"why.example.org TXT %{i} is not one of %{d}'s designated mail servers (%{s}, %{c}, %{r}, %{t}).",
		"noexp.example TXT v=spf1 -all",
		"softexp.example TXT v=spf1 ~all exp=why.example.org",
	)
	c := &Checker{Resolver: z, Receiver: "mx.receiver.example", Now: func() time.Time { return time.Unix(42, 0) },
		DefaultExplanation: "See http://www.example.com/why?s=%{S}&ip=%{I}"}
	ip := netip.MustParseAddr("192.0.2.1")
	v, err := c.Check(ctx, ip, "h.example", "a+b@example.org")
	require.NoError(t, err)
	assert.Equal(t, Fail, v.Result)
	assert.Equal(t, "192.0.2.1 is not one of example.org's designated mail servers (a+b@example.org, 192.0.2.1, mx.receiver.example, 42).", v.Explanation)
	v, err = c.Check(ctx, ip, "h.example", "a+b@noexp.example")
	require.NoError(t, err)
	assert.Equal(t, "See http://www.example.com/why?s=a%2Bb%40noexp.example&ip=192.0.2.1", v.Explanation)
	v, err = c.Check(ctx, ip, "h.example", "a@softexp.example")
	require.NoError(t, err)
	assert.Equal(t, SoftFail, v.Result)
	assert.Empty(t, v.Explanation)
}

func TestReceivedSPF(t *testing.T) {
	z := mkZone(t, "example.org TXT v=spf1 ip4:192.0.2.0/24 -all")
	c := &Checker{Resolver: z, Receiver: "mx.example.net"}
	v, err := c.Check(ctx, netip.MustParseAddr("192.0.2.1"), "mail.example.org", "me@example.org")
	require.NoError(t, err)
	h := v.ReceivedSPF("mx.example.net")
	assert.Equal(t, h, v.ReceivedSPF(""), "the Checker's Receiver by default")
	assert.Equal(t, "Received-SPF: pass (mx.example.net: domain of me@example.org designates 192.0.2.1 as permitted sender)\r\n"+
		"\tclient-ip=192.0.2.1; envelope-from=\"me@example.org\"; helo=mail.example.org;\r\n"+
		"\treceiver=mx.example.net; identity=mailfrom; mechanism=\"ip4:192.0.2.0/24\";\r\n", h)
}

// TestReceivedSPFInjection feeds hostile sender-controlled text into every
// field of the header and checks that it cannot end the field, start
// another one or escape its quoting.
func TestReceivedSPFInjection(t *testing.T) {
	hostile := []string{
		"a\r\nX-Injected: yes",
		"a\nX-Injected: yes",
		"\"quoted\\\" x=\"y",
		"(comment) ) ( \\",
		"a;b=c; d",
		"\x00\x01\x7f",
		"\xff\xfe invalid utf-8",
		strings.Repeat("x", 5000),
		"ünïcödé@例え.テスト",
	}
	for _, s := range hostile {
		v := Verdict{
			Result:    PermError,
			Identity:  IdentityMailFrom,
			Sender:    s + "@" + s,
			HELO:      s,
			ClientIP:  netip.MustParseAddr("2001:db8::1"),
			Mechanism: s,
			Problem:   "spf: invalid term " + s,
		}
		for _, h := range []string{v.ReceivedSPF(s), v.ReceivedSPF("")} {
			require.True(t, strings.HasPrefix(h, "Received-SPF: permerror ("))
			require.True(t, strings.HasSuffix(h, "\r\n"))
			body := strings.TrimSuffix(h, "\r\n")
			for i, line := range strings.Split(body, "\r\n") {
				assert.NotContains(t, line, "\r")
				assert.NotContains(t, line, "\n")
				assert.NotContains(t, line, "\x00")
				if i > 0 {
					assert.True(t, strings.HasPrefix(line, "\t"), "continuation line %q", line)
				}
				assert.Less(t, len(line), 998)
			}
			assert.NotContains(t, h, "X-Injected: yes\r\n")
			assertBalanced(t, h)
		}
		ar := v.AuthResult()
		assert.NotContains(t, ar, "\r")
		assert.NotContains(t, ar, "\n")
		assertBalanced(t, ar)
	}
}

// assertBalanced walks the field as RFC 5322 does: quoted-strings and
// comments must close, and backslashes only escape within them.
func assertBalanced(t *testing.T, s string) {
	t.Helper()
	inQuote, depth := false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case (inQuote || depth > 0) && c == '\\':
			i++
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case c == '(':
			depth++
		case depth > 0 && c == ')':
			depth--
		case depth == 0 && c == '"':
			inQuote = true
		case depth == 0 && c == ')':
			t.Fatalf("unbalanced ')' at %d in %q", i, s)
		}
	}
	assert.False(t, inQuote, "unterminated quoted-string in %q", s)
	assert.Zero(t, depth, "unterminated comment in %q", s)
}

// slowResolver answers from a zone after a pause, ignoring the context, as
// a badly written resolver might.
type slowResolver struct {
	*fakeZone
	pause time.Duration
}

func (s slowResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	time.Sleep(s.pause)
	return s.fakeZone.LookupNetIP(ctx, network, host)
}

// TestCheckDeadlineIgnoredContext: the evaluation's own clock stops a
// resolver that does not honour the context.
func TestCheckDeadlineIgnoredContext(t *testing.T) {
	z := mkZone(t, "example.org TXT v=spf1 a:n1.example.org a:n2.example.org a:n3.example.org a:n4.example.org a:n5.example.org a:n6.example.org a:n7.example.org a:n8.example.org a:n9.example.org -all")
	c := &Checker{Resolver: slowResolver{z, 30 * time.Millisecond}, Timeout: 40 * time.Millisecond, MaxVoidLookups: 100}
	v, err := c.Check(ctx, netip.MustParseAddr("192.0.2.1"), "h.example", "u@example.org")
	assert.Equal(t, TempError, v.Result)
	assert.ErrorIs(t, err, ErrDeadline)
	assert.Less(t, v.Lookups, 9)
}

// TestCheckSemantics covers RFC 7208 corners the official suite leaves
// out.
func TestCheckSemantics(t *testing.T) {
	z := mkZone(t,
		// §5.2, §7.2: %{d} in an included record is the included domain;
		// %{o} stays the sender's.
		"incd.example TXT v=spf1 include:inner.example -all",
		"inner.example TXT v=spf1 exists:%{d}.%{o}.check.example -all",
		"inner.example.incd.example.check.example A 127.0.0.2",
		// §6.1: after redirect, %{d} is the new domain.
		"redird.example TXT v=spf1 redirect=target.example",
		"target.example TXT v=spf1 exists:%{d}.r.example -all",
		"target.example.r.example A 127.0.0.2",
		// §4.6.4: only the first 10 PTR names are looked at.
		"ptr10.example TXT v=spf1 ptr ~all",
		"ptr10.example A 127.0.0.1",
		"4.3.2.1.in-addr.arpa PTR n1.example",
		"4.3.2.1.in-addr.arpa PTR n2.example",
		"4.3.2.1.in-addr.arpa PTR n3.example",
		"4.3.2.1.in-addr.arpa PTR n4.example",
		"4.3.2.1.in-addr.arpa PTR n5.example",
		"4.3.2.1.in-addr.arpa PTR n6.example",
		"4.3.2.1.in-addr.arpa PTR n7.example",
		"4.3.2.1.in-addr.arpa PTR n8.example",
		"4.3.2.1.in-addr.arpa PTR n9.example",
		"4.3.2.1.in-addr.arpa PTR n10.example",
		"4.3.2.1.in-addr.arpa PTR ptr10.example",
		"ptr10.example A 1.2.3.4",
		// §4.6.4: 10 mx terms are within the limit, 11 are not; the A
		// lookups of MX hosts do not count.
		"mx10.example TXT v=spf1 mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example +all",
		"mx11.example TXT v=spf1 mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example mx:m.example +all",
		"m.example MX 1 h1.example",
		"m.example MX 2 h2.example",
		"m.example MX 3 h3.example",
		"h1.example A 192.0.2.201",
		"h2.example A 192.0.2.202",
		"h3.example A 192.0.2.203",
		// §5.4: a missing MX host does not stop the others.
		"mxmiss.example TXT v=spf1 mx -all",
		"mxmiss.example MX 10 gone.example",
		"mxmiss.example MX 20 h1.example",
		// §5.7: exists looks up A even for IPv6 clients.
		"ex6.example TXT v=spf1 exists:%{ir}.%{v}.e.example -all",
		// §5: the null MX (RFC 7505) names no host.
		"nullmx.example TXT v=spf1 mx -all",
		"nullmx.example MX 0 .",
		"nullmx.example A 192.0.2.201",
		// §6.2: exp is used only on fail, and only from the deciding record.
		"incexp.example TXT v=spf1 include:failexp.example ~all",
		"failexp.example TXT v=spf1 -all exp=x.example",
		"x.example TXT never used",
	)
	v6 := "2001:db8::1"
	rev6 := "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6.e.example"
	require.NoError(t, z.set(rev6, fakeRR{typ: "A", text: "127.0.0.2"}))
	c := &Checker{Resolver: z}
	tests := []struct {
		ip, sender string
		want       Result
		err        error
	}{
		{"192.0.2.9", "u@incd.example", Pass, nil},
		{"192.0.2.9", "u@redird.example", Pass, nil},
		{"1.2.3.4", "u@ptr10.example", SoftFail, nil},
		{"192.0.2.9", "u@mx10.example", Pass, nil},
		{"192.0.2.9", "u@mx11.example", PermError, ErrLookupLimit},
		{"192.0.2.201", "u@mxmiss.example", Pass, nil},
		{v6, "u@ex6.example", Pass, nil},
		{"192.0.2.201", "u@nullmx.example", Fail, nil},
		{"192.0.2.9", "u@incexp.example", SoftFail, nil},
	}
	for _, tt := range tests {
		t.Run(tt.sender, func(t *testing.T) {
			v, err := c.Check(ctx, netip.MustParseAddr(tt.ip), "h.example", tt.sender)
			assert.Equal(t, tt.want, v.Result, "%v", err)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
			}
			assert.Empty(t, v.Explanation)
		})
	}
}
