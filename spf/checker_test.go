package spf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

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
	assert.ErrorIs(t, err, ErrTemporary)
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
		queries(z)
		v, err = c.Check(ctx, ip, "h.example", "user@"+d)
		require.NoError(t, err, d)
		assert.Equal(t, None, v.Result, d)
		assert.Zero(t, queries(z), d)
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
		require.NoError(t, z.Add("mx"+strconv.Itoa(i)+".manymx.example. IN A 198.51.100.9"))
		require.NoError(t, z.Add("manymx.example. IN MX "+strconv.Itoa(i)+" mx"+strconv.Itoa(i)+".manymx.example."))
	}
	for i := 1; i < 40; i++ {
		require.NoError(t, z.Add("chain"+strconv.Itoa(i)+`.example. IN TXT "v=spf1 include:chain`+strconv.Itoa(i+1)+`.example -all"`))
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
type blockingResolver struct{ *dnstest.Memory }

func (blockingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestCheckDeadline(t *testing.T) {
	c := &Checker{Resolver: blockingResolver{mkZone(t)}, Timeout: 50 * time.Millisecond}
	start := time.Now()
	v, err := c.Check(ctx, netip.MustParseAddr("192.0.2.1"), "h.example", "u@example.org")
	assert.Equal(t, TempError, v.Result)
	assert.Less(t, time.Since(start), 5*time.Second)
	// Running out of time is a temporary failure (DESIGN's convention).
	assert.ErrorIs(t, err, ErrDeadline)
	assert.ErrorIs(t, err, ErrTemporary)
	assert.ErrorIs(t, err, ErrDNS)
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTemporary)
	assert.True(t, de.IsTimeout)

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
	*dnstest.Memory
	pause time.Duration
}

func (s slowResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	time.Sleep(s.pause)
	return s.Memory.LookupNetIP(context.Background(), network, host)
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
	require.NoError(t, z.Add(rev6+". IN A 127.0.0.2"))
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

// The RFC 7208 corner tables below evaluate zones of lines for mkZone
// through auditResolver, which can also fail in the ways a resolver other
// than Go's may (a plain error, a *net.DNSError without flags, a wrapped
// NXDOMAIN, (nil, nil) for "no records"), and check everything a Verdict
// reports.

// auditResolver is mkZone's in-memory zone with faults of its own, keyed by
// "TYPE name." (PTR faults by "PTR <ip>"). With nilForMissing, "not found"
// is answered (nil, nil), as some custom resolvers do.
type auditResolver struct {
	*dnstest.Memory
	faults        map[string]error
	nilForMissing bool
	log           []string
}

// Fault kinds for zone lines "name FAULT TYPE kind".
var auditFaults = map[string]func(name string) error{
	"servfail": func(n string) error {
		return &net.DNSError{Err: "server misbehaving", Name: n, IsTemporary: true}
	},
	"timeout": func(n string) error {
		return &net.DNSError{Err: "i/o timeout", Name: n, IsTimeout: true, IsTemporary: true}
	},
	// A resolver that does not speak *net.DNSError at all.
	"plain": func(n string) error { return errors.New("connection refused") },
	// A *net.DNSError with no flag set is still a failure, not "no record".
	"noflags": func(n string) error { return &net.DNSError{Err: "odd failure", Name: n} },
	// NXDOMAIN wrapped by a middleware: still "no record".
	"wrappednx": func(n string) error {
		return fmt.Errorf("cache: %w", &net.DNSError{Err: "no such host", Name: n, IsNotFound: true})
	},
}

func auditKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) + "." }

// newAuditResolver reads mkZone's lines plus "name FAULT TYPE kind".
func newAuditResolver(t testing.TB, lines ...string) *auditResolver {
	t.Helper()
	r := &auditResolver{faults: map[string]error{}}
	var data []string
	for _, l := range lines {
		name, rest, _ := strings.Cut(l, " ")
		typ, val, _ := strings.Cut(rest, " ")
		if typ != "FAULT" {
			data = append(data, l)
			continue
		}
		qt, kind, _ := strings.Cut(val, " ")
		f, ok := auditFaults[kind]
		require.True(t, ok, l)
		if qt == "PTR" {
			r.faults["PTR "+netip.MustParseAddr(name).String()] = f(name)
		} else {
			r.faults[qt+" "+auditKey(name)] = f(name)
		}
	}
	r.Memory = mkZone(t, data...)
	return r
}

// answer applies nilForMissing to an answer of the zone.
func answer[T any](r *auditResolver, v []T, err error) ([]T, error) {
	var de *net.DNSError
	if r.nilForMissing && errors.As(err, &de) && de.IsNotFound {
		return nil, nil
	}
	return v, err
}

func (r *auditResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.log = append(r.log, "TXT "+name)
	if err := r.faults["TXT "+auditKey(name)]; err != nil {
		return nil, err
	}
	v, err := r.Memory.LookupTXT(ctx, name)
	return answer(r, v, err)
}

func (r *auditResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	qt := "A"
	if network == "ip6" {
		qt = "AAAA"
	}
	r.log = append(r.log, qt+" "+host)
	if err := r.faults[qt+" "+auditKey(host)]; err != nil {
		return nil, err
	}
	v, err := r.Memory.LookupNetIP(ctx, network, host)
	return answer(r, v, err)
}

func (r *auditResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	r.log = append(r.log, "MX "+name)
	if err := r.faults["MX "+auditKey(name)]; err != nil {
		return nil, err
	}
	v, err := r.Memory.LookupMX(ctx, name)
	return answer(r, v, err)
}

func (r *auditResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	key := netip.MustParseAddr(addr).String()
	r.log = append(r.log, "PTR "+key)
	if err := r.faults["PTR "+key]; err != nil {
		return nil, err
	}
	v, err := r.Memory.LookupAddr(ctx, addr)
	return answer(r, v, err)
}

// auditCase is one evaluation and what must come out of it. Zero-valued
// expectations are not checked unless the matching flag says so.
type auditCase struct {
	name     string
	zone     []string
	nilEmpty bool   // resolver answers (nil, nil) for missing names
	ip       string // default 192.0.2.1
	helo     string // default mail.client.test
	from     string
	isHELO   bool // CheckHELO instead of Check
	c        Checker

	want    Result
	err     error  // errors.Is target, when set
	mech    string // Verdict.Mechanism, when set ("!" means empty)
	domain  string // Verdict.Domain, when set
	expl    string // Verdict.Explanation, when set ("!" means empty)
	lookups int    // Verdict.Lookups, when non-zero (zero: expect 0)
	voids   int    // Verdict.VoidLookups, when non-zero (zero: expect 0)
	check   func(t *testing.T, v Verdict, r *auditResolver)
}

// zero asks for a count of 0 in auditCase.lookups and voids.
const zero = -1

func runAudit(t *testing.T, cases []auditCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newAuditResolver(t, tc.zone...)
			r.nilForMissing = tc.nilEmpty
			c := tc.c
			c.Resolver = r
			c.Now = func() time.Time { return time.Unix(1700000000, 0) }
			ipText := tc.ip
			if ipText == "" {
				ipText = "192.0.2.1"
			}
			helo := tc.helo
			if helo == "" {
				helo = "mail.client.test"
			}
			ip := netip.MustParseAddr(ipText)
			var v Verdict
			var err error
			if tc.isHELO {
				v, err = c.CheckHELO(context.Background(), ip, helo)
			} else {
				v, err = c.Check(context.Background(), ip, helo, tc.from)
			}
			require.Equal(t, tc.want, v.Result, "verdict %+v\nerr %v\nqueries %q", v, err, r.log)
			// DESIGN.md: the error is non-nil exactly for TempError and
			// PermError, and Problem says the same.
			if v.Result == TempError || v.Result == PermError {
				require.Error(t, err)
				assert.Equal(t, err.Error(), v.Problem)
			} else {
				require.NoError(t, err)
				assert.Empty(t, v.Problem)
			}
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
			}
			expectString(t, "Mechanism", tc.mech, v.Mechanism)
			expectString(t, "Explanation", tc.expl, v.Explanation)
			if tc.domain != "" {
				assert.Equal(t, tc.domain, v.Domain, "Domain")
			}
			expectCount(t, "Lookups", tc.lookups, v.Lookups)
			expectCount(t, "VoidLookups", tc.voids, v.VoidLookups)
			if v.Result != Fail {
				assert.Empty(t, v.Explanation, "explanations only on fail (RFC 7208 §6.2)")
			}
			if tc.check != nil {
				tc.check(t, v, r)
			}
		})
	}
}

func expectCount(t *testing.T, what string, want, got int) {
	t.Helper()
	switch want {
	case 0:
	case zero:
		assert.Zero(t, got, what)
	default:
		assert.Equal(t, want, got, what)
	}
}

func expectString(t *testing.T, what, want, got string) {
	t.Helper()
	switch want {
	case "":
	case "!":
		assert.Empty(t, got, what)
	default:
		assert.Equal(t, want, got, what)
	}
}

// tenA is ten "a" terms on names that resolve but never match.
var tenA = strings.Repeat("a:nm.test ", 10)

// TestRFCDNSFailures: every way a lookup can fail.
func TestRFCDNSFailures(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "txt plain error", zone: []string{"d.test FAULT TXT plain"}, from: "u@d.test",
			want: TempError, err: ErrTemporary, lookups: zero, voids: zero},
		{name: "txt servfail", zone: []string{"d.test FAULT TXT servfail"}, from: "u@d.test",
			want: TempError, err: ErrTemporary, lookups: zero, voids: zero},
		{name: "txt timeout", zone: []string{"d.test FAULT TXT timeout"}, from: "u@d.test",
			want: TempError, err: ErrTemporary, lookups: zero, voids: zero},
		{name: "txt DNSError without flags", zone: []string{"d.test FAULT TXT noflags"}, from: "u@d.test",
			want: TempError, err: ErrTemporary, lookups: zero, voids: zero},
		{name: "txt wrapped NXDOMAIN is none", zone: []string{"d.test FAULT TXT wrappednx"}, from: "u@d.test",
			want: None, lookups: zero, voids: zero},
		{name: "a plain error", zone: []string{"d.test TXT v=spf1 a:h.test -all", "h.test FAULT A plain"},
			from: "u@d.test", want: TempError, err: ErrTemporary, lookups: 1, voids: zero},
		{name: "aaaa timeout for IPv6 client", ip: "2001:db8::1",
			zone: []string{"d.test TXT v=spf1 a:h.test -all", "h.test A 192.0.2.1", "h.test FAULT AAAA timeout"},
			from: "u@d.test", want: TempError, err: ErrTemporary},
		{name: "mx plain error", zone: []string{"d.test TXT v=spf1 mx -all", "d.test FAULT MX plain"},
			from: "u@d.test", want: TempError, err: ErrTemporary},
		{name: "mx host servfail", zone: []string{"d.test TXT v=spf1 mx -all", "d.test MX 10 m.test", "m.test FAULT A servfail"},
			from: "u@d.test", want: TempError, err: ErrTemporary},
		{name: "exists timeout", zone: []string{"d.test TXT v=spf1 exists:e.test -all", "e.test FAULT A timeout"},
			from: "u@d.test", want: TempError, err: ErrTemporary},
		// RFC 7208 §5.5: a PTR lookup error makes "ptr" not match; an
		// address lookup error skips that name.
		{name: "ptr lookup error does not match", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 FAULT PTR plain"},
			from: "u@d.test", want: Fail, mech: "-all", voids: zero},
		{name: "ptr name error skipped", zone: []string{"d.test TXT v=spf1 ptr -all",
			"192.0.2.1 PTR bad.d.test.", "192.0.2.1 PTR good.d.test.",
			"bad.d.test FAULT A servfail", "good.d.test A 192.0.2.1"},
			from: "u@d.test", want: Pass, mech: "ptr"},
		// §5.2: temperror and permerror of an include end everything, even
		// when a later term would match.
		{name: "include temperror propagates", zone: []string{"d.test TXT v=spf1 include:i.test ip4:192.0.2.1 -all", "i.test FAULT TXT servfail"},
			from: "u@d.test", want: TempError, err: ErrTemporary, lookups: 1},
		{name: "include plain error propagates", zone: []string{"d.test TXT v=spf1 include:i.test +all", "i.test FAULT TXT plain"},
			from: "u@d.test", want: TempError, err: ErrTemporary},
		{name: "nested include temperror", zone: []string{"d.test TXT v=spf1 include:i.test +all",
			"i.test TXT v=spf1 a:x.test include:j.test -all", "x.test A 10.0.0.1", "j.test TXT v=spf1 mx", "j.test FAULT MX timeout"},
			from: "u@d.test", want: TempError, err: ErrTemporary, lookups: 4},
		{name: "include permerror propagates", zone: []string{"d.test TXT v=spf1 include:i.test +all", "i.test TXT v=spf1 bogus"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "include of NXDOMAIN", zone: []string{"d.test TXT v=spf1 include:i.test +all"},
			from: "u@d.test", want: PermError, err: ErrNoRecord},
		{name: "include of a name with other TXT only", zone: []string{"d.test TXT v=spf1 include:i.test +all", "i.test TXT hello"},
			from: "u@d.test", want: PermError, err: ErrNoRecord},
		{name: "include of a name with no TXT (nil answer)", nilEmpty: true, zone: []string{"d.test TXT v=spf1 include:i.test +all"},
			from: "u@d.test", want: PermError, err: ErrNoRecord},
		{name: "redirect to no record", zone: []string{"d.test TXT v=spf1 redirect=r.test"},
			from: "u@d.test", want: PermError, err: ErrNoRecord, lookups: 1},
		{name: "redirect temperror", zone: []string{"d.test TXT v=spf1 redirect=r.test", "r.test FAULT TXT timeout"},
			from: "u@d.test", want: TempError, err: ErrTemporary},
	})
}

// TestRFCNilAnswers: a resolver that answers (nil, nil) for an empty
// answer must be read as "no records", including for void lookups.
func TestRFCNilAnswers(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "no txt", nilEmpty: true, from: "u@d.test", want: None},
		{name: "two void a", nilEmpty: true, zone: []string{"d.test TXT v=spf1 a:v1.test a:v2.test ip4:192.0.2.1 -all"},
			from: "u@d.test", want: Pass, lookups: 2, voids: 2},
		{name: "three void a", nilEmpty: true, zone: []string{"d.test TXT v=spf1 a:v1.test a:v2.test a:v3.test ip4:192.0.2.1 -all"},
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit, voids: 3},
		{name: "void mx", nilEmpty: true, zone: []string{"d.test TXT v=spf1 mx mx:x.test mx:y.test +all"},
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
		{name: "void ptr", nilEmpty: true, zone: []string{"d.test TXT v=spf1 ptr ptr ptr +all"},
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
	})
}

// TestRFCRecordSelection: RFC 7208 §4.5 and §3 (record text).
func TestRFCRecordSelection(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "upper-case version", zone: []string{"d.test TXT V=SPF1 -ALL"}, from: "u@d.test", want: Fail, mech: "-ALL"},
		{name: "mixed-case version", zone: []string{"d.test TXT v=Spf1 ip4:192.0.2.1"}, from: "u@d.test", want: Pass},
		{name: "v=spf10 is not a record", zone: []string{"d.test TXT v=spf10 -all"}, from: "u@d.test", want: None},
		{name: "v=spf1x is not a record", zone: []string{"d.test TXT v=spf1x -all", "d.test TXT v=spf1 ~all"}, from: "u@d.test", want: SoftFail},
		{name: "leading space is not a record", zone: []string{"d.test TXT  v=spf1 -all"}, from: "u@d.test", want: None},
		{name: "bare version", zone: []string{"d.test TXT v=spf1"}, from: "u@d.test", want: Neutral, mech: "!", lookups: zero},
		{name: "version and trailing space", zone: []string{"d.test TXT v=spf1 "}, from: "u@d.test", want: Neutral},
		{name: "many spaces", zone: []string{"d.test TXT v=spf1   ip4:192.0.2.9    ip4:192.0.2.1   -all   "},
			from: "u@d.test", want: Pass, mech: "ip4:192.0.2.1"},
		// §4.5: the version ends at SP or the end; §4.6.1 terms are
		// separated by SP only.
		{name: "tab after version", zone: []string{"d.test TXT v=spf1\t-all"}, from: "u@d.test", want: None},
		{name: "tab between terms", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1\t-all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "CRLF at the end", zone: []string{"d.test TXT v=spf1 -all\r\n"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "two records", zone: []string{"d.test TXT v=spf1 -all", "d.test TXT v=spf1 +all"},
			from: "u@d.test", want: PermError, err: ErrMultipleRecords},
		{name: "two records of different case", zone: []string{"d.test TXT v=spf1 -all", "d.test TXT V=SPF1 +all"},
			from: "u@d.test", want: PermError, err: ErrMultipleRecords},
		{name: "other TXT records ignored", zone: []string{"d.test TXT google-site-verification=x", "d.test TXT v=spf1 +all", "d.test TXT v=DMARC1; p=none"},
			from: "u@d.test", want: Pass, mech: "+all"},
		// §3.3: the strings of one TXT record are joined by the resolver
		// (*net.Resolver does). Several strings in the answer are several
		// records: a record split by a custom resolver is not rejoined,
		// because it cannot be told apart from two records.
		{name: "strings are records", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.9", "d.test TXT  -all"},
			from: "u@d.test", want: Neutral},
		{name: "non-ASCII in the record", zone: []string{"d.test TXT v=spf1 a:bücher.test -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "non-ASCII in another TXT record", zone: []string{"d.test TXT grüße", "d.test TXT v=spf1 -all"}, from: "u@d.test", want: Fail},
		{name: "NUL in the record", zone: []string{"d.test TXT v=spf1 a:x\x00.test -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "record that does not parse, after a match", zone: []string{"d.test TXT v=spf1 +all foo:bar"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
	})
}

// TestRFCExplanation: RFC 7208 §6.2.
func TestRFCExplanation(t *testing.T) {
	long := strings.Repeat("%{l}", 10000)
	runAudit(t, []auditCase{
		{name: "macros", zone: []string{"d.test TXT v=spf1 -all exp=why.%{d}",
			"why.d.test TXT %{l} at %{o} via %{h} from %{i} (%{v}) for %{d}: see %{c}, %{r}, %{t}"},
			from: "who@d.test", c: Checker{Receiver: "mx.me.test"}, want: Fail,
			expl: "who at d.test via mail.client.test from 192.0.2.1 (in-addr) for d.test: see 192.0.2.1, mx.me.test, 1700000000"},
		{name: "escaping macros", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT s=%{S} l=%{L}"},
			from: "a+b c@d.test", want: Fail, expl: "s=a%2Bb%20c%40d.test l=a%2Bb%20c"},
		{name: "receiver unknown", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{r}"},
			from: "u@d.test", want: Fail, expl: "unknown"},
		{name: "non-ASCII text", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT Zugriff verweigert für %{i}"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "control character", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT bad\x07bell"},
			from: "u@d.test", want: Fail, expl: "!"},
		// §6.2: "the explanation string MUST be limited to [US-ASCII]": a
		// sender-controlled macro value cannot bring in anything else.
		{name: "non-ASCII from a macro", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{l} is not allowed"},
			from: "jörg@d.test", want: Fail, expl: "!"},
		{name: "CRLF from a macro", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{l} is not allowed"},
			from: "a\r\n550 injected@d.test", want: Fail, expl: "!"},
		{name: "exp name with l and a non-ASCII local-part", zone: []string{"d.test TXT v=spf1 -all exp=%{l}.d.test", "jörg.d.test TXT why"},
			from: "jörg@d.test", want: Fail, expl: "!"},
		{name: "escaped non-ASCII from a macro is fine", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{L} is not allowed"},
			from: "jörg@d.test", want: Fail, expl: "j%C3%B6rg is not allowed"},
		{name: "huge expansion is dropped", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT " + long},
			from: strings.Repeat("x", 2000) + "@d.test", want: Fail,
			check: func(t *testing.T, v Verdict, _ *auditResolver) { assert.Zero(t, len(v.Explanation)) }},
		{name: "two TXT records", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT one", "why.d.test TXT two"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "no TXT record", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test"},
			from: "u@d.test", want: Fail, expl: "!", voids: zero},
		{name: "TXT servfail", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test FAULT TXT servfail"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "invalid macro", zone: []string{"d.test TXT v=spf1 -all exp=why.d.test", "why.d.test TXT %{x} no"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "exp name expands to nothing valid", zone: []string{"d.test TXT v=spf1 -all exp=%{l}.d.test"},
			from: "a..b@d.test", want: Fail, expl: "!"},
		{name: "not on softfail", zone: []string{"d.test TXT v=spf1 ~all exp=why.d.test", "why.d.test TXT nope"},
			from: "u@d.test", want: SoftFail},
		{name: "not on neutral", zone: []string{"d.test TXT v=spf1 ?all exp=why.d.test", "why.d.test TXT nope"},
			from: "u@d.test", want: Neutral},
		{name: "exp lookup is no DNS term", zone: []string{"d.test TXT v=spf1 " + tenA + "-all exp=why.d.test", "nm.test A 10.0.0.1", "why.d.test TXT nope"},
			from: "u@d.test", want: Fail, expl: "nope", lookups: 10},
		{name: "redirect uses the target's exp", zone: []string{"d.test TXT v=spf1 redirect=r.test exp=mine.test",
			"r.test TXT v=spf1 -all exp=theirs.test", "mine.test TXT mine", "theirs.test TXT theirs %{d} %{o}"},
			from: "u@d.test", want: Fail, expl: "theirs r.test d.test", domain: "r.test"},
		{name: "redirect target without exp", zone: []string{"d.test TXT v=spf1 redirect=r.test exp=mine.test",
			"r.test TXT v=spf1 -all", "mine.test TXT mine"},
			from: "u@d.test", want: Fail, expl: "!"},
		{name: "include's exp is not used", zone: []string{"d.test TXT v=spf1 include:i.test -all exp=mine.test",
			"i.test TXT v=spf1 -all exp=theirs.test", "mine.test TXT mine", "theirs.test TXT theirs"},
			from: "u@d.test", want: Fail, expl: "mine", mech: "-all", domain: "d.test"},
		{name: "default explanation", zone: []string{"d.test TXT v=spf1 -all"},
			c: Checker{DefaultExplanation: "%{d} does not allow %{i}"}, from: "u@d.test", want: Fail, expl: "d.test does not allow 192.0.2.1"},
	})
}

// TestRFCEvaluationOrder: redirect, all and include (RFC 7208 §4.6.2,
// §5.1, §5.2, §6.1).
func TestRFCEvaluationOrder(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "all wins over redirect", zone: []string{"d.test TXT v=spf1 -all redirect=r.test", "r.test TXT v=spf1 +all"},
			from: "u@d.test", want: Fail, mech: "-all", lookups: zero, domain: "d.test"},
		{name: "redirect written first is still ignored", zone: []string{"d.test TXT v=spf1 redirect=r.test ~all", "r.test TXT v=spf1 +all"},
			from: "u@d.test", want: SoftFail, lookups: zero},
		{name: "redirect after no match", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.9 redirect=r.test", "r.test TXT v=spf1 ip4:192.0.2.0/24 -all"},
			from: "u@d.test", want: Pass, mech: "ip4:192.0.2.0/24", domain: "r.test", lookups: 1},
		{name: "redirect chain", zone: []string{"d.test TXT v=spf1 redirect=r1.test", "r1.test TXT v=spf1 redirect=r2.test", "r2.test TXT v=spf1 ?all"},
			from: "u@d.test", want: Neutral, mech: "?all", domain: "r2.test", lookups: 2},
		{name: "redirect to neutral default", zone: []string{"d.test TXT v=spf1 redirect=r.test", "r.test TXT v=spf1 ip4:192.0.2.9"},
			from: "u@d.test", want: Neutral, mech: "!", domain: "r.test"},
		{name: "redirect to self", zone: []string{"d.test TXT v=spf1 redirect=d.test"},
			from: "u@d.test", want: PermError},
		{name: "include pass", zone: []string{"d.test TXT v=spf1 include:i.test -all", "i.test TXT v=spf1 ip4:192.0.2.1 -all"},
			from: "u@d.test", want: Pass, mech: "include:i.test", domain: "d.test", lookups: 1},
		{name: "include fail is no match", zone: []string{"d.test TXT v=spf1 include:i.test ~all", "i.test TXT v=spf1 -all"},
			from: "u@d.test", want: SoftFail, mech: "~all"},
		{name: "include softfail is no match", zone: []string{"d.test TXT v=spf1 include:i.test ?all", "i.test TXT v=spf1 ~all"},
			from: "u@d.test", want: Neutral, mech: "?all"},
		{name: "include neutral is no match", zone: []string{"d.test TXT v=spf1 include:i.test -all", "i.test TXT v=spf1"},
			from: "u@d.test", want: Fail},
		{name: "qualified include", zone: []string{"d.test TXT v=spf1 -include:i.test +all", "i.test TXT v=spf1 +all"},
			from: "u@d.test", want: Fail, mech: "-include:i.test"},
		{name: "include redirects inside", zone: []string{"d.test TXT v=spf1 include:i.test -all", "i.test TXT v=spf1 redirect=j.test", "j.test TXT v=spf1 +all"},
			from: "u@d.test", want: Pass, mech: "include:i.test", lookups: 2},
		{name: "mutual include loop", zone: []string{"d.test TXT v=spf1 include:i.test -all", "i.test TXT v=spf1 include:d.test -all"},
			from: "u@d.test", want: PermError},
		{name: "match before a loop", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1 include:d.test -all"},
			from: "u@d.test", want: Pass},
		{name: "the same include twice is no loop", zone: []string{"d.test TXT v=spf1 include:i.test include:i.test ~all", "i.test TXT v=spf1 -all"},
			from: "u@d.test", want: SoftFail, lookups: 2},
		{name: "unknown modifiers ignored", zone: []string{"d.test TXT v=spf1 moo=cow moo=%{d} ip4:192.0.2.1 -all"},
			from: "u@d.test", want: Pass},
		{name: "unknown modifier with bad macro", zone: []string{"d.test TXT v=spf1 moo=%{z} ip4:192.0.2.1 -all"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "two redirects", zone: []string{"d.test TXT v=spf1 redirect=a.test REDIRECT=b.test"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "two exps", zone: []string{"d.test TXT v=spf1 -all exp=a.test exp=b.test"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "empty exp", zone: []string{"d.test TXT v=spf1 -all exp="},
			from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "qualifier on a modifier", zone: []string{"d.test TXT v=spf1 +redirect=r.test", "r.test TXT v=spf1 +all"},
			from: "u@d.test", want: PermError, err: ErrSyntax},
	})
}

// TestRFCLimits: RFC 7208 §4.6.4 at and just past each limit.
func TestRFCLimits(t *testing.T) {
	base := []string{"nm.test A 10.0.0.1", "hit.test A 192.0.2.1", "mxhit.test MX 10 hit.test",
		"192.0.2.1 PTR hit.ptr.test.", "hit.ptr.test A 192.0.2.1", "inc.test TXT v=spf1 +all"}
	zone := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	nine := strings.Repeat("a:nm.test ", 9)
	cases := []auditCase{
		{name: "ten terms, the tenth matches", zone: zone("d.test TXT v=spf1 " + nine + "a:hit.test -all"),
			from: "u@d.test", want: Pass, mech: "a:hit.test", lookups: 10},
		{name: "ten terms then ip4", zone: zone("d.test TXT v=spf1 " + tenA + "ip4:192.0.2.1 -all"),
			from: "u@d.test", want: Pass, mech: "ip4:192.0.2.1", lookups: 10},
		{name: "ten terms then all", zone: zone("d.test TXT v=spf1 " + tenA + "-all"),
			from: "u@d.test", want: Fail, lookups: 10},
		{name: "MaxLookups raised", zone: zone("d.test TXT v=spf1 " + tenA + "a:hit.test -all"), c: Checker{MaxLookups: 11},
			from: "u@d.test", want: Pass, lookups: 11},
		{name: "ten lookups across include", zone: zone("d.test TXT v=spf1 include:i.test a:hit.test", "i.test TXT v=spf1 "+strings.Repeat("a:nm.test ", 8)),
			from: "u@d.test", want: Pass, lookups: 10},
		{name: "eleven across include", zone: zone("d.test TXT v=spf1 include:i.test a:hit.test", "i.test TXT v=spf1 "+nine),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "redirect as the tenth", zone: zone("d.test TXT v=spf1 "+nine+"redirect=r.test", "r.test TXT v=spf1 ip4:192.0.2.1 -all"),
			from: "u@d.test", want: Pass, lookups: 10},
		{name: "redirect as the eleventh", zone: zone("d.test TXT v=spf1 "+tenA+"redirect=r.test", "r.test TXT v=spf1 ip4:192.0.2.1 -all"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "void at two", zone: zone("d.test TXT v=spf1 a:v1.test exists:v2.test ip4:192.0.2.1 -all"),
			from: "u@d.test", want: Pass, voids: 2, lookups: 2},
		{name: "void at three by exists", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test exists:v3.test"),
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit, voids: 3},
		{name: "void at three by mx", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test mx:nm.test"),
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
		{name: "void at three by ptr", ip: "192.0.2.77", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test ptr"),
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
		{name: "void at three inside include", zone: zone("d.test TXT v=spf1 a:v1.test include:i.test +all", "i.test TXT v=spf1 a:v2.test a:v3.test"),
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit},
		{name: "negative void limit is the default", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test a:v3.test a:v4.test -all"), c: Checker{MaxVoidLookups: -1},
			from: "u@d.test", want: PermError, err: ErrVoidLookupLimit, voids: 3},
		{name: "void limit raised", zone: zone("d.test TXT v=spf1 a:v1.test a:v2.test a:v3.test -all"), c: Checker{MaxVoidLookups: 3},
			from: "u@d.test", want: Fail, voids: 3},
		// An MX host without addresses is not a void term: the MX lookup
		// found records.
		{name: "mx hosts without addresses", zone: zone("d.test TXT v=spf1 mx ip4:192.0.2.1 -all",
			"d.test MX 1 g1.test", "d.test MX 2 g2.test", "d.test MX 3 g3.test"),
			from: "u@d.test", want: Pass, voids: zero},
		{name: "ten mx terms", zone: zone("d.test TXT v=spf1 "+strings.Repeat("mx:nm.test ", 9)+"mx:mxhit.test -all", "nm.test MX 1 nm.test"),
			from: "u@d.test", want: Pass, lookups: 10},
		{name: "eleventh term is mx", zone: zone("d.test TXT v=spf1 " + tenA + "mx:mxhit.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleventh term is ptr", zone: zone("d.test TXT v=spf1 " + tenA + "ptr:ptr.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleventh term is exists", zone: zone("d.test TXT v=spf1 " + tenA + "exists:hit.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleventh term is include", zone: zone("d.test TXT v=spf1 " + tenA + "include:inc.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleventh term matches nothing and is last", zone: zone("d.test TXT v=spf1 " + tenA + "a:nm.test"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
		{name: "eleven ptr terms", zone: zone("d.test TXT v=spf1 " + strings.Repeat("ptr:no.test ", 11) + "-all"),
			from: "u@d.test", want: PermError, err: ErrLookupLimit, lookups: 10},
	}
	// §4.6.4: at most 10 MX records; 10 are evaluated, 11 are permerror
	// whatever the order (pyspf and the RFC 7208 suite's mx-limit agree).
	ten := []string{"d.test TXT v=spf1 mx -all"}
	for i := 1; i <= 10; i++ {
		ten = append(ten, fmt.Sprintf("d.test MX %d m%d.test", i, i), fmt.Sprintf("m%d.test A 10.0.1.%d", i, i))
	}
	cases = append(cases,
		auditCase{name: "ten MX, the tenth matches", ip: "10.0.1.10", zone: ten, from: "u@d.test", want: Pass, mech: "mx", lookups: 1},
		auditCase{name: "eleven MX", ip: "10.0.1.1", zone: append(ten, "d.test MX 11 m11.test"), from: "u@d.test", want: PermError, err: ErrMXLimit},
	)
	// §4.6.4: only the first 10 PTR names are looked at.
	ptrs := []string{"d.test TXT v=spf1 ptr -all"}
	for i := 1; i <= 10; i++ {
		ptrs = append(ptrs, fmt.Sprintf("192.0.2.1 PTR n%d.other.test.", i), fmt.Sprintf("n%d.other.test A 192.0.2.1", i))
	}
	cases = append(cases,
		auditCase{name: "eleventh PTR name ignored", zone: append(ptrs, "192.0.2.1 PTR mail.d.test.", "mail.d.test A 192.0.2.1"), from: "u@d.test", want: Fail},
		auditCase{name: "tenth PTR name used", zone: append(append([]string{}, ptrs[:len(ptrs)-2]...), "192.0.2.1 PTR mail.d.test.", "mail.d.test A 192.0.2.1"),
			from: "u@d.test", want: Pass},
	)
	runAudit(t, cases)
}

// TestRFCMechanisms: a, mx, ptr, ip4, ip6, exists (RFC 7208 §5).
func TestRFCMechanisms(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "a/0 any IPv4", ip: "203.0.113.9", zone: []string{"d.test TXT v=spf1 a/0 -all", "d.test A 10.0.0.1"},
			from: "u@d.test", want: Pass, mech: "a/0"},
		{name: "a/0 without A records", ip: "203.0.113.9", zone: []string{"d.test TXT v=spf1 a/0 -all", "d.test AAAA 2001:db8::1"},
			from: "u@d.test", want: Fail, voids: 1},
		{name: "a//0 any IPv6", ip: "2001:db8:ffff::9", zone: []string{"d.test TXT v=spf1 a//0 -all", "d.test AAAA 2001:db8::1"},
			from: "u@d.test", want: Pass, mech: "a//0"},
		{name: "a//0 does not widen IPv4", ip: "203.0.113.9", zone: []string{"d.test TXT v=spf1 a//0 -all", "d.test A 10.0.0.1"},
			from: "u@d.test", want: Fail},
		{name: "a dual cidr", ip: "2001:db8::ffff", zone: []string{"d.test TXT v=spf1 a:h.test/24//64 -all", "h.test AAAA 2001:db8::1"},
			from: "u@d.test", want: Pass, mech: "a:h.test/24//64"},
		{name: "a dual cidr v4 side", ip: "192.0.2.200", zone: []string{"d.test TXT v=spf1 a:h.test/24//64 -all", "h.test A 192.0.2.1"},
			from: "u@d.test", want: Pass},
		{name: "a/33", zone: []string{"d.test TXT v=spf1 a/33 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a//129", zone: []string{"d.test TXT v=spf1 a//129 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a/024", zone: []string{"d.test TXT v=spf1 a/024 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a/ empty", zone: []string{"d.test TXT v=spf1 a/ -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a: empty", zone: []string{"d.test TXT v=spf1 a: -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a numeric toplabel", zone: []string{"d.test TXT v=spf1 a:192.0.2.1 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "a trailing dot", zone: []string{"d.test TXT v=spf1 a:h.test. -all", "h.test A 192.0.2.1"}, from: "u@d.test", want: Pass},
		{name: "a IPv6 client ignores A", ip: "2001:db8::1", zone: []string{"d.test TXT v=spf1 a -all", "d.test A 192.0.2.1"},
			from: "u@d.test", want: Fail, voids: 1},
		{name: "IPv4-mapped client matches A", ip: "::ffff:192.0.2.1", zone: []string{"d.test TXT v=spf1 a -all", "d.test A 192.0.2.1"},
			from: "u@d.test", want: Pass, check: func(t *testing.T, v Verdict, r *auditResolver) {
				assert.Equal(t, "192.0.2.1", v.ClientIP.String())
				assert.Contains(t, r.log, "A d.test.")
				assert.NotContains(t, r.log, "AAAA d.test.")
			}},
		{name: "mx cidr", ip: "192.0.2.3", zone: []string{"d.test TXT v=spf1 mx/30 -all", "d.test MX 10 m.test", "m.test A 192.0.2.1"},
			from: "u@d.test", want: Pass, mech: "mx/30"},
		{name: "mx null MX", zone: []string{"d.test TXT v=spf1 mx -all", "d.test MX 0 .", "d.test A 192.0.2.1"},
			from: "u@d.test", want: Fail, voids: zero},
		{name: "mx missing host skipped", zone: []string{"d.test TXT v=spf1 mx -all", "d.test MX 1 gone.test", "d.test MX 2 m.test", "m.test A 192.0.2.1"},
			from: "u@d.test", want: Pass},
		{name: "ptr exact", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR d.test.", "d.test A 192.0.2.1"},
			from: "u@d.test", want: Pass},
		{name: "ptr subdomain, any case", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR Mail.D.Test.", "mail.d.test A 192.0.2.1"},
			from: "u@d.test", want: Pass},
		{name: "ptr not at a label boundary", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR notd.test.", "notd.test A 192.0.2.1"},
			from: "u@d.test", want: Fail},
		{name: "ptr not validated", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR mail.d.test.", "mail.d.test A 192.0.2.99"},
			from: "u@d.test", want: Fail},
		{name: "ptr validated by another family only", zone: []string{"d.test TXT v=spf1 ptr -all", "192.0.2.1 PTR mail.d.test.", "mail.d.test AAAA ::ffff:192.0.2.1"},
			from: "u@d.test", want: Fail},
		{name: "ptr target", zone: []string{"d.test TXT v=spf1 ptr:o.test -all", "192.0.2.1 PTR x.o.test.", "x.o.test A 192.0.2.1"},
			from: "u@d.test", want: Pass, mech: "ptr:o.test"},
		{name: "ptr IPv6", ip: "2001:db8::7", zone: []string{"d.test TXT v=spf1 ptr -all", "2001:db8::7 PTR h.d.test.", "h.d.test AAAA 2001:db8::7"},
			from: "u@d.test", want: Pass},
		{name: "ip4 leading zero", zone: []string{"d.test TXT v=spf1 ip4:192.0.02.1 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 three octets", zone: []string{"d.test TXT v=spf1 ip4:192.0.2 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 over 255", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.256 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 /33", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1/33 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 empty cidr", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1/ -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 IPv6 text", zone: []string{"d.test TXT v=spf1 ip4:::1 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 port", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.1:25 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip4 /0", ip: "203.0.113.1", zone: []string{"d.test TXT v=spf1 ip4:0.0.0.0/0 -all"}, from: "u@d.test", want: Pass},
		{name: "ip4 host bits set", ip: "192.0.2.200", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.77/24 -all"}, from: "u@d.test", want: Pass, mech: "ip4:192.0.2.77/24"},
		{name: "ip4 never matches IPv6", ip: "2001:db8::1", zone: []string{"d.test TXT v=spf1 ip4:0.0.0.0/0 -all"}, from: "u@d.test", want: Fail},
		{name: "ip6 upper case", ip: "2001:db8::1", zone: []string{"d.test TXT v=spf1 IP6:2001:DB8::/32 -all"}, from: "u@d.test", want: Pass, mech: "IP6:2001:DB8::/32"},
		{name: "ip6 embedded IPv4 notation", ip: "2001:db8::c000:201", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::192.0.2.1 -all"}, from: "u@d.test", want: Pass},
		{name: "ip6 zone", zone: []string{"d.test TXT v=spf1 ip6:fe80::1%eth0 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 IPv4 text", zone: []string{"d.test TXT v=spf1 ip6:192.0.2.1 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 /129", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::/129 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 /048", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::/048 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 dual cidr", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::/32//64 -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "ip6 never matches IPv4", zone: []string{"d.test TXT v=spf1 ip6:::/0 -all"}, from: "u@d.test", want: Fail},
		// §5: an IPv4-mapped client is IPv4; an ip6 network written in
		// the mapped form does not match it.
		{name: "mapped ip6 network, mapped client", ip: "::ffff:192.0.2.1", zone: []string{"d.test TXT v=spf1 ip6:::ffff:192.0.2.0/120 -all"},
			from: "u@d.test", want: Fail},
		{name: "exists IPv6 client looks up A", ip: "2001:db8::1", zone: []string{"d.test TXT v=spf1 exists:e.test -all", "e.test A 127.0.0.2"},
			from: "u@d.test", want: Pass},
		{name: "exists with AAAA only", zone: []string{"d.test TXT v=spf1 exists:e.test -all", "e.test AAAA ::1"},
			from: "u@d.test", want: Fail, voids: 1},
		{name: "all with argument", zone: []string{"d.test TXT v=spf1 -all:foo"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "unknown mechanism after a match", zone: []string{"d.test TXT v=spf1 +all foo"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "include without a name", zone: []string{"d.test TXT v=spf1 include -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
		{name: "exists without a name", zone: []string{"d.test TXT v=spf1 exists: -all"}, from: "u@d.test", want: PermError, err: ErrSyntax},
	})
}

// TestRFCIdentities: RFC 7208 §2.3, §2.4, §4.3.
func TestRFCIdentities(t *testing.T) {
	noQuery := func(t *testing.T, v Verdict, r *auditResolver) {
		assert.Empty(t, r.log, "no DNS query for a malformed identity")
	}
	runAudit(t, []auditCase{
		{name: "helo address literal", isHELO: true, helo: "[192.0.2.1]", want: None, check: noQuery},
		{name: "helo IPv6 literal", isHELO: true, helo: "[IPv6:2001:db8::1]", want: None, check: noQuery},
		{name: "helo bare address", isHELO: true, helo: "192.0.2.1", want: None, check: noQuery},
		{name: "helo single label", isHELO: true, helo: "localhost", want: None, check: noQuery},
		{name: "helo numeric toplabel", isHELO: true, helo: "host.123", want: None, check: noQuery},
		{name: "helo empty", isHELO: true, helo: " ", want: None, check: noQuery},
		{name: "helo trailing dot", isHELO: true, helo: "mail.h.test.", zone: []string{"mail.h.test TXT v=spf1 +all"}, want: Pass,
			domain: "mail.h.test", check: func(t *testing.T, v Verdict, _ *auditResolver) {
				assert.Equal(t, "spf=pass smtp.helo=mail.h.test", v.AuthResult())
			}},
		{name: "helo check", isHELO: true, helo: "mail.h.test", zone: []string{"mail.h.test TXT v=spf1 exists:%{s}.%{l}.%{o}.%{h}.m.test -all",
			"postmaster@mail.h.test.postmaster.mail.h.test.mail.h.test.m.test A 127.0.0.2"}, want: Pass,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				assert.Equal(t, IdentityHELO, v.Identity)
				assert.Equal(t, "postmaster@mail.h.test", v.Sender)
				assert.Equal(t, "spf=pass smtp.helo=mail.h.test", v.AuthResult())
				h := v.ReceivedSPF("mx.me.test")
				assert.Contains(t, h, "identity=helo;")
				assert.Contains(t, h, "helo=mail.h.test;")
				assert.NotContains(t, h, "envelope-from=")
			}},
		{name: "mail from literal", from: "u@[192.0.2.1]", want: None, check: noQuery},
		{name: "mail from without domain", from: "u@", want: None, check: noQuery},
		{name: "mail from single label", from: "u@localhost", want: None, check: noQuery},
		{name: "mail from empty label", from: "u@a..test", want: None, check: noQuery},
		{name: "mail from long label", from: "u@" + strings.Repeat("a", 64) + ".test", want: None, check: noQuery},
		{name: "mail from with quoted local part", zone: []string{"d.test TXT v=spf1 exists:%{l}.m.test -all", "\"a@b\".m.test A 127.0.0.2"},
			from: "\"a@b\"@d.test", want: Pass},
		{name: "null sender with bad helo", from: "", helo: "[192.0.2.1]", want: None, check: noQuery},
		{name: "IDN sender domain", zone: []string{"xn--bcher-kva.test TXT v=spf1 exists:%{o}.%{d}.m.test -all",
			"xn--bcher-kva.test.xn--bcher-kva.test.m.test A 127.0.0.2"}, from: "u@bücher.test", want: Pass,
			domain: "xn--bcher-kva.test", check: func(t *testing.T, v Verdict, _ *auditResolver) {
				assert.Equal(t, "spf=pass smtp.mailfrom=xn--bcher-kva.test", v.AuthResult())
			}},
		{name: "upper-case sender domain", zone: []string{"d.test TXT v=spf1 exists:%{d}.M.test -all", "d.test.m.test A 127.0.0.2"},
			from: "U@D.Test", want: Pass, check: func(t *testing.T, v Verdict, r *auditResolver) {
				assert.Equal(t, "U@D.Test", v.Sender)
				// Names are queried in lower case, for resolvers keyed on
				// exact names.
				assert.Equal(t, []string{"TXT d.test.", "A d.test.m.test."}, r.log)
			}},
	})
}

// TestRFCDoubleCheck: a Checker is reusable and its zero value works
// with a resolver; results do not leak between evaluations.
func TestRFCDoubleCheck(t *testing.T) {
	r := newAuditResolver(t, "d.test TXT v=spf1 exists:%{p}.m.test ip4:192.0.2.1 -all", "unknown.m.test A 127.0.0.2",
		"192.0.2.7 PTR h.d.test.", "h.d.test A 192.0.2.7")
	c := &Checker{Resolver: r}
	for _, tt := range []struct {
		ip   string
		want Result
	}{{"192.0.2.1", Pass}, {"192.0.2.7", Fail}, {"192.0.2.1", Pass}} {
		v, err := c.Check(context.Background(), netip.MustParseAddr(tt.ip), "h.test", "u@d.test")
		require.NoError(t, err)
		assert.Equal(t, tt.want, v.Result, tt.ip)
		assert.Equal(t, 1, v.Lookups)
	}
}
