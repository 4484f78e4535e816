package main

import (
	"context"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/memstore"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
	"github.com/mailsmith/mailsmith/smtp"
)

// world is the demo zone with the MXs of Alice, Bob and Carol
// (example.net, whose MX answers 451 to its first delivery), and the
// submission server.
type world struct {
	*runtest.Mailboxes
	zone              *demozone.Zone
	carol             *runtest.Deferring
	starttls, implTLS string
	queueDir          string
}

func startWorld(t *testing.T, extraFlags ...string) *world {
	t.Helper()
	zone := testZone
	w := &world{
		zone:  zone,
		carol: &runtest.Deferring{Store: memstore.Store{Domains: []string{"example.net"}}},
	}
	w.carol.Defer.Store(1)
	w.Mailboxes = runtest.StartMailboxes(t, zone, map[string]receiver.Handler{demozone.ForwarderMX: w.carol})

	dir := t.TempDir()
	w.queueDir = filepath.Join(dir, "queue")
	var keySpecs []string
	for _, sel := range []string{demozone.SelectorRSA, demozone.SelectorEd25519} {
		keySpecs = append(keySpecs, "example.org:"+sel+":"+runtest.KeyFile(t, zone, "example.org", sel))
	}
	users := filepath.Join(dir, "users")
	require.NoError(t, os.WriteFile(users, []byte("# test users\nalice@example.org:wonderland\n"), 0o600))

	args := append([]string{"-listen", "127.0.0.1:0", "-listen-tls", "127.0.0.1:0", "-hostname", demozone.SenderMX,
		"-users-file", users, "-dkim", strings.Join(keySpecs, ","), "-retry", "50ms", "-queue-dir", w.queueDir}, extraFlags...)
	cfg, err := parseFlags(args, io.Discard)
	require.NoError(t, err)
	cfg.host.ResolverOverride = zone.Resolver()
	cfg.out.MXPorts = w.Ports
	listening := map[string]string{}
	both := make(chan map[string]string, 1)
	cfg.ready = func(name string, a net.Addr) { // called by run, once for each port
		if listening[name] = a.String(); len(listening) == 2 {
			both <- listening
		}
	}
	addrs, _ := runtest.Start(t, both, func(ctx context.Context) error { return run(ctx, cfg, t.Output()) })
	w.starttls, w.implTLS = addrs["submission"], addrs["submissions"]
	return w
}

func submitMail(addr string, implicit bool, user, pass, from string, to []string, msg string) error {
	var opts []smtp.SendOption
	if implicit {
		opts = append(opts, smtp.WithImplicitTLS())
	}
	if user != "" {
		opts = append(opts, smtp.WithAuth(smtp.PlainAuth("", user, pass)))
	}
	return runtest.Send(addr, "laptop.example.org", from, to, []byte(msg), opts...)
}

const bare = "From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: lunch\r\nUser-Agent: Mutt/2.2\r\n\r\nNoon?\r\n"

func TestSubmitSignAndDeliver(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		name := map[bool]string{false: "587 STARTTLS", true: "465 implicit TLS"}[implicit]
		t.Run(name, func(t *testing.T) {
			w := startWorld(t)
			addr := map[bool]string{false: w.starttls, true: w.implTLS}[implicit]
			require.NoError(t, submitMail(addr, implicit, "alice@example.org", "wonderland", "alice@example.org", []string{"bob@example.com"}, bare))
			m := runtest.Wait(t, &w.Bob.Store, 1)[0]
			data := string(m.Data)
			require.Contains(t, data, "\r\nDate: ")
			require.Contains(t, data, "\r\nMessage-ID: <")
			require.Contains(t, data, "User-Agent: Mutt/2.2", "kept without -hide-client")
			require.Contains(t, data, "from laptop.example.org ([127.0.0.1])")
			require.Equal(t, "pass", string(m.Checks.SPF.Result))
			require.Len(t, m.Checks.DKIM, 2)
			for _, v := range m.Checks.DKIM {
				require.Equal(t, dkim.Pass, v.Result, "%s: %v", v.Selector, v.Err)
			}
			require.Equal(t, "pass", string(m.Checks.DMARC.Result))
		})
	}
}

func TestHideClient(t *testing.T) {
	w := startWorld(t, "-hide-client")
	require.NoError(t, submitMail(w.starttls, false, "alice@example.org", "wonderland", "alice@example.org", []string{"bob@example.com"}, bare))
	m := runtest.Wait(t, &w.Bob.Store, 1)[0]
	data := string(m.Data)
	require.NotContains(t, data, "User-Agent")
	require.NotContains(t, data, "laptop.example.org")
	require.Contains(t, data, "by mail.example.org with ESMTPSA")
	require.Equal(t, "pass", string(m.Checks.DMARC.Result))
}

func TestRetryThenDeliver(t *testing.T) {
	w := startWorld(t)
	msg := strings.Replace(bare, "To: bob@example.com", "To: carol@example.net", 1)
	require.NoError(t, submitMail(w.starttls, false, "alice@example.org", "wonderland", "alice@example.org", []string{"carol@example.net"}, msg))
	msgs := runtest.Wait(t, &w.carol.Store, 1)
	require.Len(t, msgs, 1)
	require.EqualValues(t, 2, w.carol.Calls.Load(), "one 451, then delivered")
	require.Empty(t, w.Alice.Messages(), "no bounce for a temporary failure")
}

func TestBounceOnPermanentFailure(t *testing.T) {
	w := startWorld(t)
	require.NoError(t, submitMail(w.starttls, false, "alice@example.org", "wonderland", "alice@example.org",
		[]string{"bob@example.com", "nobody@example.com"}, bare))
	require.Len(t, runtest.Wait(t, &w.Bob.Store, 1), 1, "bob still gets it")
	b := runtest.Wait(t, w.Alice, 1)[0]
	require.Equal(t, "", b.From)
	data := string(b.Data)
	require.Contains(t, data, "Content-Type: multipart/report; report-type=delivery-status")
	require.Contains(t, data, "Final-Recipient: rfc822; nobody@example.com")
	require.Contains(t, data, "Status: 5.1.1")
	require.NotContains(t, data, "Final-Recipient: rfc822; bob@example.com")
}

func TestRefusals(t *testing.T) {
	w := startWorld(t)
	tests := []struct {
		name, user, pass, from, msg string
		code                        int
	}{
		{"no auth", "", "", "alice@example.org", bare, 530},
		{"wrong password", "alice@example.org", "guess", "alice@example.org", bare, 535},
		{"someone else's envelope", "alice@example.org", "wonderland", "bob@example.com", bare, 553},
		{"someone else's From", "alice@example.org", "wonderland", "alice@example.org",
			strings.Replace(bare, "From: Alice <alice@example.org>", "From: Bob <bob@example.com>", 1), 550},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := submitMail(w.starttls, false, tt.user, tt.pass, tt.from, []string{"bob@example.com"}, tt.msg)
			var se *smtp.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, tt.code, se.Code, "%v", se)
		})
	}
	require.Empty(t, w.Bob.Messages())
}

func TestFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-users", "alice@example.org:pw", "-queue-dir", "/var/spool/sub", "-resolver", "192.0.2.53"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "/var/spool/sub", cfg.out.QueueDir)
	require.Equal(t, filepath.Join("/var/spool/sub", "dkim"), cfg.dkimDir, "generated keys live in the queue directory by default")
	require.Equal(t, "192.0.2.53:53", cfg.host.Resolver)
	require.True(t, cfg.out.MTASTS, "MTA-STS on by default")
	require.Empty(t, cfg.out.DANEResolver, "DANE needs a validating resolver: off by default")
	require.Equal(t, filepath.Join("/var/spool/sub", "tlsrpt"), cfg.tlsrptDir)
	cfg, err = parseFlags([]string{"-users", "alice@example.org:pw", "-mta-sts=false", "-dane-resolver", "127.0.0.1"}, io.Discard)
	require.NoError(t, err)
	require.False(t, cfg.out.MTASTS)
	require.Equal(t, "127.0.0.1", cfg.out.DANEResolver)

	for _, bad := range [][]string{
		{},                                  // no users
		{"-users", "nobody"},                // not address:password
		{"-users", "a@example.org:pw", "x"}, // stray argument
		{"-users", "a@example.org:pw", "-dkim", "example.org:sel"},
		{"-users", "a@example.org:pw", "-mx-port", "http"},
		{"-users", "a@example.org:pw", "-resolver", "dns.example"},      // no port
		{"-users", "a@example.org:pw", "-resolver", "127.0.0.1:domain"}, // port not a number
		{"-users", "a@example.org:pw", "-queue-dir", ""},
		{"-users", "a@example.org:pw", "-dane-resolver", "resolver.example"}, // no port
	} {
		var stderr strings.Builder
		_, err := parseFlags(bad, &stderr)
		require.ErrorIs(t, err, serve.ErrUsage, "%q", bad)
		require.Contains(t, stderr.String(), "usage: submission", "%q", bad)
	}
	var stderr strings.Builder
	_, err = parseFlags([]string{"-help"}, &stderr)
	require.ErrorIs(t, err, flag.ErrHelp, "-help is not a usage error: main exits 0")
	require.Contains(t, stderr.String(), "-queue-dir")
}

// TestGeneratedKeyKept: a key generated for a domain without -dkim is
// saved and reused after a restart, so the TXT record published for it
// stays valid.
func TestGeneratedKeyKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	records := func() string {
		cfg, err := parseFlags([]string{"-users", "alice@example.org:pw,bob@example.com:pw2", "-dkim-dir", dir}, io.Discard)
		require.NoError(t, err)
		var out strings.Builder
		require.NoError(t, addMissingKeys(&cfg, &out))
		require.Len(t, cfg.keys, 2, "a key for each user domain")
		return out.String()
	}
	first := records()
	require.Contains(t, first, "generated a DKIM key for example.com")
	require.Contains(t, first, `mailsmith._domainkey.example.org. 3600 IN TXT "v=DKIM1; k=ed25519; p=`)
	for _, d := range []string{"example.org", "example.com"} {
		st, err := os.Stat(filepath.Join(dir, d+".pem"))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "a private key is private")
	}
	second := records()
	require.Contains(t, second, "using the DKIM key for example.org")
	require.NotContains(t, second, "generated")
	txt := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, " IN TXT ") {
				out = append(out, strings.TrimSpace(l))
			}
		}
		return out
	}
	require.Len(t, txt(first), 2)
	require.Equal(t, txt(first), txt(second), "the same records after a restart")
}

// TestNo250WithoutSpool: when the message cannot be put in the spool, the
// client gets 451 (try again), never 250.
func TestNo250WithoutSpool(t *testing.T) {
	w := startWorld(t)
	msgDir := filepath.Join(w.queueDir, "msg")
	require.NoError(t, os.RemoveAll(msgDir))
	require.NoError(t, os.WriteFile(msgDir, []byte("not a directory"), 0o600)) // renames into it fail
	err := submitMail(w.starttls, false, "alice@example.org", "wonderland", "alice@example.org", []string{"bob@example.com"}, bare)
	var se *smtp.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, 451, se.Code, "%v", se)

	require.NoError(t, os.Remove(msgDir))
	require.NoError(t, os.Mkdir(msgDir, 0o700))
	require.NoError(t, submitMail(w.starttls, false, "alice@example.org", "wonderland", "alice@example.org", []string{"bob@example.com"}, bare))
	require.Len(t, runtest.Wait(t, &w.Bob.Store, 1), 1, "only the message answered 250 is delivered")
}

// TestUnreadableCert: a -cert that cannot be loaded stops the program
// before it listens, naming the file.
func TestUnreadableCert(t *testing.T) {
	cert := filepath.Join(t.TempDir(), "missing.pem")
	cfg, err := parseFlags([]string{"-listen", "127.0.0.1:0", "-listen-tls", "", "-users", "a@example.org:pw",
		"-cert", cert, "-key", cert, "-queue-dir", t.TempDir()}, io.Discard)
	require.NoError(t, err)
	cfg.ready = func(string, net.Addr) { t.Error("listening with no certificate") }
	require.ErrorContains(t, run(context.Background(), cfg, io.Discard), "missing.pem")
}
