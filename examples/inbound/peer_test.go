package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/internal/testpeer"
)

// TestPeerSwaks delivers with swaks, the SMTP test tool admins use, and
// checks the accepted and the refused case from the client's side.
func TestPeerSwaks(t *testing.T) {
	swaks := testpeer.Program(t, "swaks", "Debian swaks")
	zone, addr, root := startInbound(t)
	host, port, _ := strings.Cut(addr, ":")
	signed, err := zone.Sign("example.org", message("Alice <alice@example.org>", "swaks"))
	require.NoError(t, err)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.eml")
	require.NoError(t, os.WriteFile(good, signed, 0o600))
	spoof := filepath.Join(dir, "spoof.eml")
	require.NoError(t, os.WriteFile(spoof, message("Alice <alice@example.org>", "swaks-spoof"), 0o600))

	run := func(helo, from, file string) (string, error) {
		return runtest.Peer(swaks, "--server", host, "--port", port, "--helo", helo,
			"--from", from, "--to", "bob@example.com", "--data", "@"+file, "--tls-optional")
	}
	out, err := run("mail.example.org", "alice@example.org", good)
	require.NoError(t, err, out)
	require.Contains(t, out, "<~  250")
	msgs := delivered(t, filepath.Join(root, "bob@example.com"))
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0], "dmarc=pass")
	require.Contains(t, msgs[0], "Subject: swaks")

	out, err = run("phish.example", "mallory@phish.example", spoof)
	require.Error(t, err, "swaks exits non-zero when the message is refused")
	require.Contains(t, out, "550 5.7.1")
	require.Len(t, delivered(t, filepath.Join(root, "bob@example.com")), 1)
}
