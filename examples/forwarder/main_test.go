package main

import (
	"context"
	"crypto"
	"flag"
	"io"
	"maps"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim/arc"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
	"github.com/mailsmith/mailsmith/smtp"
)

// world is the demo zone with a checking MX for example.com (Bob, which
// can be told to answer 451 for a while) and one for example.org (Alice),
// and the forwarder as the MX of example.net.
type world struct {
	*runtest.Mailboxes
	zone    *demozone.Zone
	fwdAddr string
}

// startWorld starts the MXs and a forwarder with a fresh queue.
func startWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.fwdAddr, _ = w.startForwarder(t, t.TempDir())
	return w
}

// newWorld starts the MXs of Alice and Bob.
func newWorld(t *testing.T) *world {
	t.Helper()
	return &world{Mailboxes: runtest.StartMailboxes(t, testZone, nil), zone: testZone}
}

// startForwarder runs the forwarder with its queue in queueDir until stop
// or the end of the test, and returns its address.
func (w *world) startForwarder(t *testing.T, queueDir string) (addr string, stop func()) {
	t.Helper()
	cfg, err := parseFlags([]string{
		"-listen", "127.0.0.1:0", "-domain", "example.net", "-hostname", demozone.ForwarderMX,
		"-srs-secret", "test secret", "-retry", "50ms",
		"-alias", "bob=bob@example.com; gone=nobody@example.com", "-queue-dir", queueDir,
		"-arc-key", runtest.KeyFile(t, w.zone, demozone.ForwarderDomain, demozone.SelectorARC), "-arc-selector", demozone.SelectorARC,
	}, io.Discard)
	require.NoError(t, err)
	cfg.host.ResolverOverride = w.zone.Resolver()
	ports := maps.Clone(w.Ports)
	cfg.out.MXPorts = ports
	addrc := make(chan string, 1)
	cfg.ready = func(a net.Addr) {
		ports[demozone.ForwarderMX] = a.(*net.TCPAddr).Port // bounces to SRS addresses come back here
		addrc <- a.String()
	}
	return runtest.Start(t, addrc, func(ctx context.Context) error { return run(ctx, cfg, t.Output()) })
}

// TestQueueSurvivesRestart: mail the forwarder answered 250 for is in its
// spool directory at the 250, and a forwarder started again on the same
// -queue-dir delivers it.
func TestQueueSurvivesRestart(t *testing.T) {
	w := newWorld(t)
	w.Bob.Defer.Store(math.MaxInt32)
	queueDir := t.TempDir()
	addr, stop := w.startForwarder(t, queueDir)
	w.fwdAddr = addr
	require.NoError(t, w.send(t, "alice@example.org", "bob@example.net", signed(t, w, "bob@example.net", "kept")))
	spooled, err := filepath.Glob(filepath.Join(queueDir, "msg", "*.msg"))
	require.NoError(t, err)
	require.Len(t, spooled, 1, "on disk when the 250 came")
	require.Eventually(t, func() bool { return w.Bob.Calls.Load() > 0 }, 10*time.Second, 5*time.Millisecond, "a first try, answered 451")
	stop()
	require.Empty(t, w.Bob.Messages())

	w.Bob.Defer.Store(0)
	_, stop = w.startForwarder(t, queueDir)
	defer stop()
	msgs := runtest.Wait(t, &w.Bob.Store, 1)
	require.Contains(t, string(msgs[0].Data), "Subject: kept")
	require.True(t, strings.HasPrefix(msgs[0].From, "SRS0="), msgs[0].From)
	require.Eventually(t, func() bool {
		left, _ := os.ReadDir(filepath.Join(queueDir, "msg"))
		return len(left) == 0
	}, 10*time.Second, 10*time.Millisecond, "removed once delivered")
}

func (w *world) send(t *testing.T, from, to string, msg []byte) error {
	t.Helper()
	return runtest.Send(w.fwdAddr, demozone.SenderMX, from, []string{to}, msg)
}

func signed(t *testing.T, w *world, to, subject string) []byte {
	t.Helper()
	msg, err := w.zone.Sign("example.org", []byte("From: Alice <alice@example.org>\r\nTo: "+to+
		"\r\nSubject: "+subject+"\r\n\r\nHi.\r\n"))
	require.NoError(t, err)
	return msg
}

func TestForwardWithSRS(t *testing.T) {
	w := startWorld(t)
	require.NoError(t, w.send(t, "alice@example.org", "bob@example.net", signed(t, w, "bob@example.net", "fwd")))

	m := runtest.Wait(t, &w.Bob.Store, 1)[0]
	require.Equal(t, []string{"bob@example.com"}, m.To)
	require.True(t, strings.HasPrefix(m.From, "SRS0="), "envelope sender %q is not rewritten", m.From)
	require.True(t, strings.HasSuffix(m.From, "=example.org=alice@example.net"), m.From)
	// At Bob's MX, SPF now checks the forwarder's domain and passes; DKIM
	// survived the trip, so DMARC passes by DKIM alignment.
	require.Equal(t, "pass", string(m.Checks.SPF.Result))
	require.Equal(t, "example.net", m.Checks.SPFDomain)
	require.Equal(t, "pass", string(m.Checks.DMARC.Result))
	require.True(t, m.Checks.DMARC.DKIMAligned)
	require.False(t, m.Checks.DMARC.SPFAligned)
}

// TestForwardSealsARC: what the forwarder passes on carries one ARC set
// (i=1, cv=none) sealed as example.net, which arc.Verifier validates over
// the zone (and Bob's MX reports as arc=pass); its
// ARC-Authentication-Results are the forwarder's own results on receipt.
func TestForwardSealsARC(t *testing.T) {
	w := startWorld(t)
	require.NoError(t, w.send(t, "alice@example.org", "bob@example.net", signed(t, w, "bob@example.net", "sealed")))
	m := runtest.Wait(t, &w.Bob.Store, 1)[0]
	require.Equal(t, arc.Pass, m.Checks.ARC.Status, "Bob's MX: %v", m.Checks.ARC.Err)
	require.Contains(t, headerLines(m.Data, authres.FieldName), "arc=pass (i=1 d=example.net)")

	res, err := (&arc.Verifier{Resolver: w.zone.Resolver()}).Verify(context.Background(), strings.NewReader(string(m.Data)))
	require.NoError(t, err)
	require.Equal(t, arc.Pass, res.Status, "%v", res.Err)
	require.Equal(t, 1, res.Sets)
	set := res.Instances[0]
	require.Equal(t, arc.None, set.Seal.ChainStatus, "cv=none at i=1")
	require.Equal(t, "example.net", set.Seal.Domain)
	require.Equal(t, demozone.SelectorARC, set.Seal.Selector)
	require.Equal(t, "rsa-sha256", set.Seal.Algorithm)
	require.True(t, set.SealVerified && set.MessageSignatureVerified)
	aar, err := set.Results()
	require.NoError(t, err)
	require.Equal(t, demozone.ForwarderMX, aar.AuthServID)
	var got []string
	for _, r := range aar.Results {
		got = append(got, r.Method+"="+r.Value)
	}
	require.Equal(t, []string{"iprev=pass", "spf=pass", "dkim=pass", "dkim=pass", "arc=none", "dmarc=pass"}, got)
}

// TestARCKeyFile: without -arc-key the forwarder generates an RSA key in
// the queue directory on first start and prints its record; the next start
// reuses it and prints the same record.
func TestARCKeyFile(t *testing.T) {
	cfg := config{domain: "example.net", host: serve.Host{Name: demozone.ForwarderMX}, out: queue.Settings{QueueDir: t.TempDir()}, arcSelector: "arc"}
	var first, second strings.Builder
	s1, err := arcSealer(cfg, testZone.Resolver(), &first)
	require.NoError(t, err)
	require.Contains(t, first.String(), "generated an ARC sealing key for example.net in "+filepath.Join(cfg.out.QueueDir, "arc", "example.net.pem"))
	require.Contains(t, first.String(), "arc._domainkey.example.net. 3600 IN TXT")
	require.Contains(t, first.String(), "k=rsa")
	s2, err := arcSealer(cfg, testZone.Resolver(), &second)
	require.NoError(t, err)
	require.Contains(t, second.String(), "using the ARC sealing key")
	rec := func(s string) string { _, r, _ := strings.Cut(s, "publish:"); return r }
	require.Equal(t, rec(first.String()), rec(second.String()))
	require.True(t, s1.Key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(s2.Key.Public()))
	require.Equal(t, demozone.ForwarderMX, s2.AuthServID)
	require.Equal(t, "example.net", s2.Domain)

	cfg.arcKey = filepath.Join(t.TempDir(), "bad.pem")
	require.NoError(t, os.WriteFile(cfg.arcKey, []byte("not a key"), 0o600))
	_, err = arcSealer(cfg, testZone.Resolver(), io.Discard)
	require.ErrorContains(t, err, "ARC key "+cfg.arcKey)
}

// headerLines returns the named fields of msg, unfolded.
func headerLines(msg []byte, name string) string {
	return strings.Join(mailmsg.Get(msg, name), "\n")
}

func TestBounceComesBack(t *testing.T) {
	w := startWorld(t)
	require.NoError(t, w.send(t, "alice@example.org", "gone@example.net", signed(t, w, "gone@example.net", "lost")))

	b := runtest.Wait(t, w.Alice, 1)[0]
	require.Equal(t, "", b.From, "a bounce has the null sender")
	require.Equal(t, []string{"alice@example.org"}, b.To)
	body := string(b.Data)
	require.Contains(t, body, "Final-Recipient: rfc822; nobody@example.com")
	require.Contains(t, body, "Status: 5.1.1")
	require.Contains(t, body, "Subject: lost")
	require.Empty(t, w.Bob.Messages())
}

func TestRefusals(t *testing.T) {
	w := startWorld(t)
	tests := []struct {
		name, from, to string
		msg            []byte
		code           int
		enhanced       [3]int
	}{
		{"forged SRS address", "", "SRS0=AAAA=ZZ=example.org=alice@example.net", []byte("From: x@example.com\r\n\r\nx\r\n"), 550, [3]int{5, 1, 1}},
		{"unknown alias", "alice@example.org", "nobody@example.net", signed(t, w, "nobody@example.net", "x"), 550, [3]int{5, 1, 1}},
		{"not our domain", "alice@example.org", "bob@example.com", signed(t, w, "bob@example.com", "x"), 550, [3]int{5, 7, 1}},
		{"spoofed p=reject", "mallory@phish.example", "bob@example.net",
			[]byte("From: Alice <alice@example.org>\r\nSubject: pay now\r\n\r\nx\r\n"), 550, [3]int{5, 7, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := w.send(t, tt.from, tt.to, tt.msg)
			var se *smtp.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, tt.code, se.Code)
			require.Equal(t, tt.enhanced, se.EnhancedCode)
		})
	}
	require.Empty(t, w.Bob.Messages())
}

func TestFlags(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets")
	require.NoError(t, os.WriteFile(secrets, []byte("new\nold\n"), 0o600))
	aliasFile := filepath.Join(dir, "aliases")
	require.NoError(t, os.WriteFile(aliasFile, []byte("team: a@example.org, b@example.com\n"), 0o600))
	badAliases := filepath.Join(dir, "bad-aliases")
	require.NoError(t, os.WriteFile(badAliases, []byte("team: nobody\n"), 0o600))
	missing := filepath.Join(dir, "missing")
	cfg, err := parseFlags([]string{"-domain", "Example.NET", "-srs-secret-file", secrets, "-aliases", aliasFile,
		"-alias", "bob=bob@example.com", "-mx-port", "2525"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "example.net", cfg.domain)
	require.Equal(t, [][]byte{[]byte("new"), []byte("old")}, cfg.secrets)
	require.Equal(t, []string{"a@example.org", "b@example.com"}, cfg.aliases["team@example.net"])
	require.Equal(t, []string{"bob@example.com"}, cfg.aliases["bob@example.net"])
	require.Equal(t, 2525, cfg.out.MXPort)
	require.True(t, cfg.out.MTASTS, "MTA-STS on by default")
	require.True(t, cfg.arcSeal, "ARC sealing on by default")
	require.Equal(t, "arc", cfg.arcSelector)
	require.Empty(t, cfg.out.DANEResolver, "DANE off until a validating resolver is named")

	for _, bad := range [][]string{
		{"-domain", "example.net", "-srs-secret", "s", "-alias", "a=b@example.com", "-dane-resolver", "unbound.example"}, // no port
		{"-srs-secret", "s", "-alias", "a=b@example.com"},                                                                // no domain
		{"-domain", "example.net", "-alias", "a=b@example.com"},                                                          // no secret
		{"-domain", "example.net", "-srs-secret", "s"},                                                                   // no aliases
		{"-domain", "example.net", "-srs-secret", "s", "-alias", "a=nobody"},                                             // bad target
		{"-domain", "example.net", "-srs-secret", "s", "-alias", "a=b@example.com", "-arc-selector", "a;b"},              // bad selector
		{"-domain", "example.net", "-srs-secret", "s", "-alias", "a=b@example.com", "-resolver", "dns.example"},          // no port
		{"-domain", "example.net", "-srs-secret", "s", "-aliases", missing},                                              // no alias file
		{"-domain", "example.net", "-srs-secret", "s", "-aliases", badAliases},                                           // bad target in the file
		{"-domain", "example.net", "-srs-secret-file", missing, "-alias", "a=b@example.com"},                             // no secret file
	} {
		_, err := parseFlags(bad, io.Discard)
		require.Error(t, err, "%q", bad)
	}

	// A wrong -alias says what the syntax is.
	for _, bad := range []string{"bob", "bob: bob@example.com", "=bob@example.com"} {
		var stderr strings.Builder
		_, err := parseFlags([]string{"-domain", "example.net", "-srs-secret", "s", "-alias", bad}, &stderr)
		require.ErrorIs(t, err, serve.ErrUsage, bad)
		require.Contains(t, stderr.String(), "want name=target[,target...], several separated by ';'", bad)
	}
	var stderr strings.Builder
	_, err = parseFlags([]string{"-help"}, &stderr)
	require.ErrorIs(t, err, flag.ErrHelp)
	require.Contains(t, stderr.String(), "-alias name=target[,target...]")
}
