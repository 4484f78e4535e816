package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/internal/testpeer"
)

// smtplibScript submits a message the way most Python programs do:
// STARTTLS on the submission port or TLS from the start, then LOGIN/PLAIN.
const smtplibScript = `
import smtplib, ssl, sys
host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
msg = "From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: from smtplib " + mode + "\r\n\r\nHello from Python.\r\n"
if mode == "starttls":
    s = smtplib.SMTP(host, port, local_hostname="laptop.example.org", timeout=10)
    s.starttls(context=ctx)
else:
    s = smtplib.SMTP_SSL(host, port, local_hostname="laptop.example.org", context=ctx, timeout=10)
s.login("alice@example.org", "wonderland")
s.sendmail("alice@example.org", ["bob@example.com"], msg)
s.quit()
`

func TestPeerPythonSMTPLib(t *testing.T) {
	python := testpeer.Python(t, "Debian python3", "smtplib", "ssl")
	w := startWorld(t)
	for i, mode := range []string{"starttls", "implicit"} {
		addr := map[string]string{"starttls": w.starttls, "implicit": w.implTLS}[mode]
		host, port, _ := strings.Cut(addr, ":")
		out, err := runtest.Peer(python, "-c", smtplibScript, host, port, mode)
		require.NoError(t, err, "smtplib %s: %s", mode, out)
		m := runtest.Wait(t, &w.Bob.Store, i+1)[i]
		require.Contains(t, string(m.Data), "Subject: from smtplib "+mode)
		require.Len(t, m.Checks.DKIM, 2)
		for _, v := range m.Checks.DKIM {
			require.Equal(t, dkim.Pass, v.Result, "%s: %v", v.Selector, v.Err)
		}
		require.Equal(t, "pass", string(m.Checks.DMARC.Result))
	}
}
