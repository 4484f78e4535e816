package smtp

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Interop: real clients against our server. Each skips when its peer is
// missing, and fails instead when CI is set.

func stPort(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return port
}

func stRunPeer(t *testing.T, timeout time.Duration, stdin string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

func TestServerInteropSwaks(t *testing.T) {
	swaks := testpeer.Program(t, "swaks", "Debian swaks")
	tlsConf := tlsServer(t)
	tests := []struct {
		name     string
		implicit bool
		args     []string
		wantErr  bool
		tls      bool
		auth     string
		to       []string
		body     string
	}{
		{"starttls auth plain pipelining", false, []string{"--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "pw", "--pipeline"}, false, true, "alice", []string{"c@d.example", "e@d.example"}, "hello\n.dot line\n..two dots\n"},
		{"starttls auth login", false, []string{"--tls", "--auth", "LOGIN", "--auth-user", "alice", "--auth-password", "pw"}, false, true, "alice", []string{"c@d.example"}, "x"},
		{"implicit tls", true, []string{"--tls-on-connect", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "pw", "--pipeline"}, false, true, "alice", []string{"c@d.example"}, "y"},
		{"plain pipelining no auth", false, []string{"--pipeline"}, false, false, "", []string{"c@d.example", "e@d.example"}, "z"},
		{"wrong password", false, []string{"--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "bad"}, true, false, "", []string{"c@d.example"}, "z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be := &stBackend{users: map[string]string{"alice": "pw"}}
			s := &Server{Backend: be, TLSConfig: tlsConf}
			addr := ""
			if tc.implicit {
				addr = stStartTLS(t, s)
			} else {
				addr = stStart(t, s)
			}
			args := append([]string{"--server", "127.0.0.1", "--port", stPort(t, addr), "--from", "a@b.example",
				"--to", strings.Join(tc.to, ","), "--helo", "swaks.example", "--timeout", "20",
				"--h-Subject", "interop", "--body", tc.body}, tc.args...)
			out, err := stRunPeer(t, 60*time.Second, "", swaks, args...)
			if tc.wantErr {
				require.Error(t, err, out)
				assert.Contains(t, out, "535 5.7.8")
				assert.Empty(t, be.messages())
				return
			}
			require.NoError(t, err, out)
			msgs := be.messages()
			require.Len(t, msgs, 1, out)
			m := msgs[0]
			assert.Equal(t, "a@b.example", m.From)
			assert.Equal(t, tc.to, m.To)
			assert.Equal(t, tc.tls, m.TLS)
			assert.Equal(t, tc.auth, m.Auth)
			assert.Equal(t, "swaks.example", m.Helo)
			assert.Contains(t, string(m.Data), "Subject: interop\r\n")
			// The body arrives unstuffed, exactly as given (swaks adds an
			// empty line of its own at the end).
			assert.Contains(t, string(m.Data), "\r\n\r\n"+strings.ReplaceAll(tc.body, "\n", "\r\n"))
		})
	}
}

const stPythonClient = `
import smtplib, ssl, sys
port, mode = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if mode == "ssl":
    s = smtplib.SMTP_SSL("127.0.0.1", port, context=ctx, timeout=20, local_hostname="py.example")
else:
    s = smtplib.SMTP("127.0.0.1", port, timeout=20, local_hostname="py.example")
s.ehlo()
assert s.has_extn("pipelining") and s.has_extn("enhancedstatuscodes") and s.has_extn("size")
if mode == "starttls":
    s.starttls(context=ctx)
    s.ehlo()
if mode != "utf8":
    s.login("alice", "pw")
    msg = b"Subject: py\r\n\r\nline\r\n.starts with a dot\r\n\r\n.\r\nend\r\n"
    refused = s.sendmail("a@b.example", ["c@d.example", "nouser@d.example"], msg)
    assert list(refused) == ["nouser@d.example"], refused
    assert refused["nouser@d.example"][0] == 550
    try:
        s.sendmail("a@b.example", ["nouser@d.example"], msg)
        raise SystemExit("expected refusal")
    except smtplib.SMTPRecipientsRefused:
        pass
else:
    msg = "Subject: ü\r\n\r\nGrüße\r\n".encode()
    s.sendmail("jöran@bücher.example", ["用户@例子.example"], msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
code, _ = s.noop()
assert code == 250
s.quit()
print("ok")
`

func TestServerInteropPythonSmtplib(t *testing.T) {
	py := testpeer.Python(t, "Debian python3")
	tlsConf := tlsServer(t)
	for _, mode := range []string{"starttls", "ssl", "utf8"} {
		t.Run(mode, func(t *testing.T) {
			be := &stBackend{users: map[string]string{"alice": "pw"},
				rejectRcpt: map[string]error{"nouser@d.example": &Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "No such user"}}}
			s := &Server{Backend: be, TLSConfig: tlsConf}
			addr, _ := stListen(t, s, mode == "ssl")
			out, err := stRunPeer(t, 60*time.Second, stPythonClient, py, "-", stPort(t, addr), mode)
			require.NoError(t, err, out)
			msgs := be.messages()
			require.Len(t, msgs, 1, out)
			m := msgs[0]
			if mode == "utf8" {
				assert.Equal(t, "jöran@bücher.example", m.From)
				assert.True(t, m.Opts.UTF8)
				assert.Equal(t, Body8BitMIME, m.Opts.Body)
				assert.Equal(t, "Subject: ü\r\n\r\nGrüße\r\n", string(m.Data))
				return
			}
			assert.Equal(t, []string{"c@d.example"}, m.To)
			assert.Equal(t, "alice", m.Auth)
			assert.True(t, m.TLS)
			assert.Equal(t, "py.example", m.Helo)
			assert.Equal(t, "Subject: py\r\n\r\nline\r\n.starts with a dot\r\n\r\n.\r\nend\r\n", string(m.Data))
		})
	}
}

const stNodeClient = `
const nodemailer = require('nodemailer');
const [port, mode] = process.argv.slice(1);
const t = nodemailer.createTransport({
  host: '127.0.0.1', port: Number(port), secure: mode === 'ssl', requireTLS: mode === 'starttls',
  name: 'node.example', tls: { rejectUnauthorized: false },
  auth: { user: 'alice', pass: 'pw' },
  connectionTimeout: 20000, greetingTimeout: 20000, socketTimeout: 20000,
});
t.sendMail({
  from: 'a@b.example', to: ['c@d.example', 'e@d.example'], subject: 'node',
  text: 'hello\n.dot line\nbye\n',
}).then(info => {
  if (info.accepted.length !== 2) { console.error(JSON.stringify(info)); process.exit(1); }
  console.log('ok ' + info.response);
}).catch(e => { console.error(e); process.exit(1); });
`

func TestServerInteropNodemailer(t *testing.T) {
	node, modules := testpeer.Node(t, "npm nodemailer", "nodemailer/package.json")
	tlsConf := tlsServer(t)
	for _, mode := range []string{"starttls", "ssl"} {
		t.Run(mode, func(t *testing.T) {
			be := &stBackend{users: map[string]string{"alice": "pw"}}
			s := &Server{Backend: be, TLSConfig: tlsConf}
			addr, _ := stListen(t, s, mode == "ssl")
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, "-e", stNodeClient, "--", stPort(t, addr), mode)
			cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, string(out))
			assert.Contains(t, string(out), "ok 250 2.0.0")
			msgs := be.messages()
			require.Len(t, msgs, 1)
			m := msgs[0]
			assert.Equal(t, []string{"c@d.example", "e@d.example"}, m.To)
			assert.Equal(t, "alice", m.Auth)
			assert.True(t, m.TLS)
			assert.Equal(t, "node.example", m.Helo)
			assert.Contains(t, string(m.Data), "\r\nhello\r\n.dot line\r\nbye\r\n")
		})
	}
}

func TestServerInteropSmtpSource(t *testing.T) {
	src := postfixTool(t, "smtp-source")
	for _, size := range []int{1024, 102400} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			be := &stCountingBackend{}
			addr := stStart(t, &Server{Backend: be})
			const n = 200
			out, err := stRunPeer(t, 120*time.Second, "", src, "-d", "-s", "10", "-m", strconv.Itoa(n), "-l", strconv.Itoa(size),
				"-f", "a@b.example", "-t", "c@d.example", addr)
			require.NoError(t, err, out)
			require.Eventually(t, func() bool { return be.msgs.Load() == n }, 10*time.Second, 10*time.Millisecond,
				"delivered %d of %d", be.msgs.Load(), n)
			per := be.octets.Load() / n
			assert.GreaterOrEqual(t, per, int64(size), fmt.Sprintf("each message at least %d octets, got %d", size, per))
		})
	}
}
