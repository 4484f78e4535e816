package dane_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testpeer"
	"github.com/mailsmith/mailsmith/mx/dane"
)

// posttlsFinger runs Postfix's posttls-finger -l dane for dest with the
// Unbound on 127.0.0.1:53 as its resolver. posttls-finger reads the
// system resolver configuration and cannot be given a server or a port,
// so it runs in a private mount namespace (unshare -m) where a resolv.conf
// of the test ("nameserver 127.0.0.1", "options trust-ad") is bound over
// /etc/resolv.conf; the machine's file is never changed.
func posttlsFinger(ctx context.Context, dir, dest string) string {
	resolv := filepath.Join(dir, "resolv.conf")
	conf := filepath.Join(dir, "postfix")
	script := `mount --bind "$1" /etc/resolv.conf && shift && exec "$@"`
	cmd := exec.CommandContext(ctx, "unshare", "-m", "sh", "-c", script, "sh", resolv,
		"posttls-finger", "-c", "-t", "10", "-T", "20", "-l", "dane", "-P", "/etc/ssl/certs", dest)
	cmd.Env = append(os.Environ(), "MAIL_CONFIG="+conf)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// postfixVerdict reads posttls-finger's output: "verified" (DANE
// authenticated), "tls" (TLS without authentication), or "failed" (no
// connection, or an authentication failure).
func postfixVerdict(out string) string {
	switch {
	case strings.Contains(out, "server certificate verification failed"):
		// posttls-finger goes on to report the connection; Postfix's
		// smtp client would defer the message.
		return "failed"
	case strings.Contains(out, "Verified TLS connection established"):
		return "verified"
	case strings.Contains(out, "Untrusted TLS connection established"),
		strings.Contains(out, "Anonymous TLS connection established"):
		return "tls"
	}
	return "failed"
}

// TestPosttlsFinger checks that Postfix's DANE client agrees with
// Lookup+Verify on the destinations of the end-to-end test.
func TestPosttlsFinger(t *testing.T) {
	testpeer.Program(t, "posttls-finger", "Debian postfix")
	unshare := testpeer.Program(t, "unshare", "Debian util-linux")
	testpeer.Runs(t, "a private mount namespace (unshare -m)", unshare, "-m", "true")
	if !portFree(53) {
		t.Skip("127.0.0.1:53 is in use: posttls-finger can only ask a resolver on port 53")
	}
	w := newE2EWorld(t, 53)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver 127.0.0.1\noptions trust-ad\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "postfix"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "postfix", "main.cf"), []byte("compatibility_level = 3.6\n"), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	agree := 0
	domains := []string{"good.test", "ta.test", "alias.test", "mismatch.test", "insecure.test", "nodane.test", "unusable.test", "bogus.test", "bogusmx.test", "tlsacname.test"}
	// posttls-finger runs concurrently (each waits a little on its own).
	theirOut := make([]string, len(domains))
	var wg sync.WaitGroup
	for i, domain := range domains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			theirOut[i] = posttlsFinger(ctx, dir, domain+":"+strconv.Itoa(w.smtpPort))
		}()
	}
	wg.Wait()
	for i, domain := range domains {
		// Ours: Lookup, then deliver as the end-to-end test does.
		var ours string
		d, err := dane.Lookup(ctx, w.resolver, domain)
		if err != nil {
			ours = "failed"
		} else {
			out := deliver(ctx, d, w.smtpPort, "Subject: posttls "+domain+"\r\n\r\nhi\r\n")
			switch {
			case !out.delivered:
				ours = "failed"
			case d.Hosts[0].Status == dane.StatusVerify:
				ours = "verified"
			default:
				ours = "tls"
			}
		}
		out := theirOut[i]
		theirs := postfixVerdict(out)
		if ours == theirs {
			agree++
		} else {
			t.Errorf("%s: we say %s, posttls-finger says %s:\n%s", domain, ours, theirs, out)
		}
		t.Logf("%s: %s (posttls-finger: %s)", domain, ours, theirs)
	}
	t.Logf("posttls-finger agrees on %d/%d destinations", agree, len(domains))
	require.Equal(t, len(domains), agree)
}
