package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
	"github.com/mailsmith/mailsmith/smtp"
)

// startInbound runs the program on 127.0.0.1:0 against the demo zone and
// returns its address and Maildir root.
func startInbound(t *testing.T) (*demozone.Zone, string, string) {
	t.Helper()
	return startInboundWith(t, nil)
}

// startInboundWith is startInbound with Maildir syncs going through sync.
func startInboundWith(t *testing.T, sync func(*os.File) error) (*demozone.Zone, string, string) {
	t.Helper()
	return startInboundConfig(t, func(c *config) { c.sync = sync })
}

// startInboundConfig is startInbound with the configuration changed by set.
func startInboundConfig(t *testing.T, set func(*config)) (*demozone.Zone, string, string) {
	t.Helper()
	zone := testZone
	root := t.TempDir()
	addrc := make(chan string, 1)
	cfg := config{
		listen:  "127.0.0.1:0",
		host:    serve.Host{Name: demozone.ReceiverMX, ResolverOverride: zone.Resolver()},
		maildir: root,
		domains: []string{"example.com"},
		users:   []string{"bob@example.com"},
		maxSize: 1 << 20,
		ready:   func(a net.Addr) { addrc <- a.String() },
	}
	set(&cfg)
	addr, _ := runtest.Start(t, addrc, func(ctx context.Context) error { return run(ctx, cfg, t.Output()) })
	return zone, addr, root
}

func send(t *testing.T, addr, helo, from, to string, msg []byte) error {
	t.Helper()
	return runtest.Send(addr, helo, from, []string{to}, msg)
}

func message(from, subject string) []byte {
	return []byte("From: " + from + "\r\nTo: bob@example.com\r\nSubject: " + subject +
		"\r\nDate: Tue, 01 Dec 2026 09:00:00 +0000\r\nMessage-ID: <" + subject + "@example.org>\r\n\r\nHello Bob.\r\n")
}

// delivered returns the messages in a folder's new/ directory.
func delivered(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "new"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	var msgs []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "new", e.Name()))
		require.NoError(t, err)
		msgs = append(msgs, string(b))
	}
	return msgs
}

// forgedAR are Authentication-Results fields a sender writes to fool the
// recipient's mail program: two claim to come from mx.example.com (RFC
// 8601 §5: the MX removes them), one from another ADMD stays.
const forgedAR = "Authentication-Results: mx.example.com; dmarc=pass header.from=example.com\r\n" +
	"Authentication-Results: MX.Example.COM. (forged);\r\n\tspf=pass smtp.mailfrom=example.com\r\n" +
	"Authentication-Results: mx.example.net; dkim=pass header.d=example.com\r\n"

func TestInbound(t *testing.T) {
	zone, addr, root := startInbound(t)
	bob := filepath.Join(root, "bob@example.com")

	signed, err := zone.Sign("example.org", message("Alice <alice@example.org>", "signed"))
	require.NoError(t, err)

	tests := []struct {
		name       string
		helo, from string
		rcpt       string
		msg        []byte
		wantCode   int      // 0: accepted
		folder     string   // where it must land
		wantFields []string // substrings of the delivered message
		// wantAR are the Authentication-Results fields of the delivered
		// message, top first, as "authserv-id method=result" of their
		// last result; nil: not checked.
		wantAR []string
	}{
		{
			name: "signed and authorised", helo: demozone.SenderMX, from: "alice@example.org",
			rcpt: "bob@example.com", msg: signed, folder: bob,
			wantFields: []string{"Authentication-Results: mx.example.com;", "iprev=pass", "spf=pass smtp.mailfrom=example.org",
				"dkim=pass header.d=example.org", "header.a=ed25519-sha256", "header.a=rsa-sha256",
				"arc=none", "dmarc=pass", "Received-SPF: pass", "Received: from mail.example.org"},
		},
		{
			name: "spoofed p=reject", helo: "phish.example", from: "mallory@phish.example",
			rcpt: "bob@example.com", msg: message("Alice <alice@example.org>", "spoof"), wantCode: 550,
		},
		{
			name: "failing p=quarantine goes to Junk", helo: "phish.example", from: "mallory@phish.example",
			rcpt: "bob@example.com", msg: append([]byte(forgedAR), message("Bob <bob@example.com>", "junk")...), folder: filepath.Join(bob, ".Junk"),
			wantFields: []string{"dmarc=fail (p=quarantine dis=quarantine) header.from=example.com", "spf=pass smtp.mailfrom=phish.example"},
			wantAR:     []string{"mx.example.com dmarc=fail", "mx.example.net dkim=pass"},
		},
		{
			// RFC 8601 §5 cannot be kept for a header beyond the
			// Stripper's limits (authres.DefaultMaxFields): refused.
			name: "header too big to check", helo: demozone.SenderMX, from: "alice@example.org",
			rcpt: "bob@example.com", msg: append([]byte(strings.Repeat("X-Filler: x\r\n", authres.DefaultMaxFields+1)), signed...), wantCode: 552,
		},
		{
			name: "other domains are not relayed", helo: demozone.SenderMX, from: "alice@example.org",
			rcpt: "carol@example.net", msg: signed, wantCode: 550,
		},
		{
			name: "unknown user", helo: demozone.SenderMX, from: "alice@example.org",
			rcpt: "nobody@example.com", msg: signed, wantCode: 550,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before int
			if tt.folder != "" {
				before = len(delivered(t, tt.folder))
			}
			err := send(t, addr, tt.helo, tt.from, tt.rcpt, tt.msg)
			if tt.wantCode != 0 {
				var se *smtp.Error
				require.ErrorAs(t, err, &se)
				require.Equal(t, tt.wantCode, se.Code, "reply %v", se)
				if tt.name == "spoofed p=reject" {
					require.Equal(t, [3]int{5, 7, 1}, se.EnhancedCode)
				}
				return
			}
			require.NoError(t, err)
			msgs := delivered(t, tt.folder)
			require.Len(t, msgs, before+1)
			got := strings.Join(msgs, "\n")
			for _, f := range tt.wantFields {
				require.Contains(t, got, f)
			}
			if tt.wantAR != nil {
				var ars []string
				for _, v := range mailmsg.Get([]byte(msgs[len(msgs)-1]), "Authentication-Results") {
					h, err := authres.Parse(v)
					require.NoError(t, err, v)
					last := h.Results[len(h.Results)-1]
					ars = append(ars, h.AuthServID+" "+last.Method+"="+last.Value)
				}
				require.Equal(t, tt.wantAR, ars, "the forged fields claiming mx.example.com are gone, others kept")
			}
		})
	}
	// Nothing but the two accepted messages was delivered.
	require.Len(t, delivered(t, bob), 1)
	require.Len(t, delivered(t, filepath.Join(bob, ".Junk")), 1)
}

func TestFlags(t *testing.T) {
	_, err := parseFlags([]string{"-listen", "127.0.0.1:0"}, io.Discard)
	require.Error(t, err, "-domains is required")
	_, err = parseFlags([]string{"-domains", "example.com", "-resolver", "dns.example"}, io.Discard)
	require.ErrorContains(t, err, "-resolver")
	cfg, err := parseFlags([]string{"-domains", "Example.COM, example.net", "-hostname", "mx.example.com"}, io.Discard)
	require.NoError(t, err)
	require.Empty(t, cfg.trustARC, "no sealer trusted unless named")
	trusting, err := parseFlags([]string{"-domains", "example.com", "-trust-arc-sealer", "Lists.Example.ORG., example.net"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, []string{"lists.example.org", "example.net"}, trusting.trustARC)
	require.Equal(t, []string{"example.com", "example.net"}, cfg.domains)
	require.Equal(t, "mx.example.com", cfg.host.Name)
}

// TestUnreadableCert: a -cert that cannot be loaded stops the program
// before it listens, naming the file.
func TestUnreadableCert(t *testing.T) {
	cert := filepath.Join(t.TempDir(), "missing.pem")
	cfg, err := parseFlags([]string{"-listen", "127.0.0.1:0", "-domains", "example.com", "-cert", cert, "-key", cert}, io.Discard)
	require.NoError(t, err)
	cfg.ready = func(net.Addr) { t.Error("listening with no certificate") }
	require.ErrorContains(t, run(context.Background(), cfg, io.Discard), "missing.pem")
}
