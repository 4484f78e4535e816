package smtp

// Interop tests of the Client against real SMTP servers written by others:
// Python aiosmtpd (no PIPELINING), Postfix smtp-sink (PIPELINING, an EHLO
// reply ending in an empty "250 " line) and Node smtp-server. Each test
// skips when its peer is missing, and fails instead when CI is set.

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientPeerRecord is what the aiosmtpd and smtp-server scripts print for
// every message they accept.
type clientPeerRecord struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	Params  []string `json:"params"`
	Data    string   `json:"data"` // base64
	TLS     bool     `json:"tls"`
	User    string   `json:"user"`
	Message []byte   `json:"-"`
}

// clientRunScriptPeer starts a peer that prints {"port": N} and then one
// JSON record per message, and stops when its stdin closes.
func clientRunScriptPeer(t *testing.T, env []string, program string, args ...string) (addr string, peer *testpeer.Proc) {
	t.Helper()
	peer = testpeer.Start(t, env, program, args...)
	var first struct {
		Port int `json:"port"`
	}
	peer.Receive(t, 20*time.Second, &first)
	require.NotZero(t, first.Port, "the peer's first line names no port")
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(first.Port)), peer
}

// clientNextRecord waits for the next message the peer accepted.
func clientNextRecord(t *testing.T, peer *testpeer.Proc) clientPeerRecord {
	t.Helper()
	var r clientPeerRecord
	peer.Receive(t, 10*time.Second, &r)
	var err error
	r.Message, err = base64.StdEncoding.DecodeString(r.Data)
	require.NoError(t, err)
	return r
}

// clientInteropMessage exercises dot-stuffing, bare line ends and 8-bit
// text; clientInteropWire is how it must arrive (CRLF, unstuffed).
const (
	clientInteropMessage = "From: a@example.org\nTo: b@example.org\nSubject: interop\n\n.leading dot\r\n..two dots\r\n.\nbare cr\rend of line\r\nGrüße\n"
	clientInteropWire    = "From: a@example.org\r\nTo: b@example.org\r\nSubject: interop\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nbare cr\r\nend of line\r\nGrüße\r\n"
)

const clientAiosmtpdScript = `
import asyncio, base64, json, ssl, sys
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({
            "from": envelope.mail_from, "to": envelope.rcpt_tos,
            "params": envelope.mail_options,
            "data": base64.b64encode(envelope.original_content).decode(),
            "tls": session.ssl is not None,
            "user": session.auth_data if session.authenticated else "",
        }), flush=True)
        return "250 2.0.0 OK queued"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"user" and auth_data.password == b"secret"
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login.decode() if ok else None)

async def main():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    loop = asyncio.get_running_loop()
    factory = lambda: SMTP(Handler(), hostname="aiosmtpd.test", enable_SMTPUTF8=True,
                           data_size_limit=100000, tls_context=ctx, authenticator=authenticator,
                           auth_require_tls=True)
    srv = await loop.create_server(factory, "127.0.0.1", 0)
    print(json.dumps({"port": srv.sockets[0].getsockname()[1]}), flush=True)
    await loop.run_in_executor(None, sys.stdin.read)

asyncio.run(main())
`

func clientStartAiosmtpd(t *testing.T, serverTLS *tls.Config) (string, *testpeer.Proc) {
	python := testpeer.Python(t, "Debian python3-aiosmtpd", "aiosmtpd")
	certFile, keyFile := certFiles(t, serverTLS)
	script := filepath.Join(t.TempDir(), "aiosmtpd_peer.py")
	require.NoError(t, os.WriteFile(script, []byte(clientAiosmtpdScript), 0o644))
	return clientRunScriptPeer(t, nil, python, script, certFile, keyFile)
}

func TestClientInteropAiosmtpd(t *testing.T) {
	serverTLS, clientTLS := tlsPair(t)
	addr, records := clientStartAiosmtpd(t, serverTLS)

	t.Run("extensions", func(t *testing.T) {
		c, err := Dial(clientCtx(t), addr)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Hello(clientCtx(t), "client.test"))
		ok, _ := c.Extension("PIPELINING")
		assert.False(t, ok, "aiosmtpd does not pipeline")
		limit, ok := c.MaxMessageSize()
		assert.True(t, ok)
		assert.Equal(t, int64(100000), limit)
		for _, kw := range []string{"8BITMIME", "SMTPUTF8", "STARTTLS"} {
			ok, _ := c.Extension(kw)
			assert.True(t, ok, kw)
		}
		assert.ErrorIs(t, c.Mail(clientCtx(t), "a@b.test", &MailOptions{Size: 200000}), ErrServerSizeLimit)
		require.NoError(t, c.Quit(clientCtx(t)))
	})

	t.Run("STARTTLS, AUTH, message and a refused recipient", func(t *testing.T) {
		for _, mech := range []SASLClient{PlainAuth("", "user", "secret"), LoginAuth("user", "secret")} {
			err := SendMail(clientCtx(t), addr, "sender@example.org", []string{"rcpt@example.org", "reject@example.org"},
				strings.NewReader(clientInteropMessage), WithTLSConfig(clientTLS), WithAuth(mech), WithLocalName("client.test"))
			var re *RecipientError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "reject@example.org", re.Recipient)
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 550, se.Code)
			assert.Equal(t, [3]int{5, 1, 1}, se.EnhancedCode)

			r := clientNextRecord(t, records)
			assert.Equal(t, "sender@example.org", r.From)
			assert.Equal(t, []string{"rcpt@example.org"}, r.To)
			assert.True(t, r.TLS)
			assert.Equal(t, "user", r.User)
			assert.Equal(t, clientInteropWire, string(r.Message))
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		err := SendMail(clientCtx(t), addr, "s@example.org", []string{"r@example.org"}, strings.NewReader("x"),
			WithTLSConfig(clientTLS), WithAuth(PlainAuth("", "user", "wrong")))
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 535, se.Code)
	})

	t.Run("SMTPUTF8", func(t *testing.T) {
		err := SendMail(clientCtx(t), addr, "jörg@bücher.example", []string{"δοκιμή@παράδειγμα.example"},
			strings.NewReader("Subject: ünïcode\r\n\r\nhello\r\n"), WithTLSConfig(clientTLS))
		require.NoError(t, err)
		r := clientNextRecord(t, records)
		assert.Equal(t, "jörg@bücher.example", r.From)
		assert.Equal(t, []string{"δοκιμή@παράδειγμα.example"}, r.To)
		assert.Contains(t, r.Params, "SMTPUTF8")
		assert.Contains(t, r.Params, "BODY=8BITMIME")
	})

	t.Run("message over the size limit", func(t *testing.T) {
		big := strings.Repeat(strings.Repeat("x", 998)+"\r\n", 120)
		c, err := Dial(clientCtx(t), addr)
		require.NoError(t, err)
		defer c.Close()
		// No SIZE declared: the server refuses after the data.
		_, err = c.Send(clientCtx(t), "s@example.org", []string{"r@example.org"}, strings.NewReader(big), nil)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 552, se.Code)
		require.NoError(t, c.Noop(clientCtx(t)), "still in step after the refusal")
		require.NoError(t, c.Quit(clientCtx(t)))
	})

	t.Run("several transactions on one connection", func(t *testing.T) {
		c, err := Dial(clientCtx(t), addr)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Hello(clientCtx(t), "client.test"))
		for i := range 3 {
			rcptErrs, err := c.Send(clientCtx(t), "s@example.org", []string{fmt.Sprintf("r%d@example.org", i)},
				strings.NewReader(fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i)), nil)
			require.NoError(t, err)
			assert.Equal(t, []error{nil}, rcptErrs)
			r := clientNextRecord(t, records)
			assert.Equal(t, fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i), string(r.Message))
		}
		require.NoError(t, c.Reset(clientCtx(t)))
		require.NoError(t, c.Noop(clientCtx(t)))
		require.NoError(t, c.Quit(clientCtx(t)))
	})
}

// clientStartSmtpSink starts Postfix's smtp-sink with extra flags and
// returns its address and the directory of its dump file.
func clientStartSmtpSink(t *testing.T, flags ...string) (addr, dump string) {
	sink := postfixTool(t, "smtp-sink")
	// smtp-sink writes as nobody, which cannot enter t.TempDir().
	dir, err := os.MkdirTemp("", "mailsmith-smtp-sink-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o777))
	dump = filepath.Join(dir, "dump")
	addr = net.JoinHostPort("127.0.0.1", fmt.Sprint(testpeer.FreePort(t)))
	args := []string{"-D", dump}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "nobody") // smtp-sink refuses to run as root
	}
	args = append(args, flags...)
	args = append(args, addr, "100")
	cmd := exec.Command(sink, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("smtp-sink stderr: %s", stderr.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("smtp-sink did not start: %v %s", err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, dump
}

// clientReadDump waits until smtp-sink's dump file holds want messages and
// returns it.
func clientReadDump(t *testing.T, dump string, want int) string {
	t.Helper()
	var data []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		data, _ = os.ReadFile(dump)
		if strings.Count(string(data), "X-Client-Addr:") >= want {
			return string(data)
		}
	}
	t.Fatalf("smtp-sink dumped %d of %d messages", strings.Count(string(data), "X-Client-Addr:"), want)
	return ""
}

func TestClientInteropSmtpSink(t *testing.T) {
	t.Run("pipelined transactions", func(t *testing.T) {
		addr, dump := clientStartSmtpSink(t)
		c, err := Dial(clientCtx(t), addr)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Hello(clientCtx(t), "client.test"))
		for _, kw := range []string{"PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"} {
			ok, _ := c.Extension(kw)
			assert.True(t, ok, kw)
		}
		ok, _ := c.Extension("")
		assert.False(t, ok, "the empty last EHLO line is no extension")
		const n = 5
		for i := range n {
			rcptErrs, err := c.Send(clientCtx(t), "sender@example.org",
				[]string{"a@example.org", "b@example.org", "c@example.org"},
				strings.NewReader(clientInteropMessage), &MailOptions{Body: Body8BitMIME, Size: 1000})
			require.NoError(t, err, "message %d", i)
			assert.Equal(t, []error{nil, nil, nil}, rcptErrs)
		}
		require.NoError(t, c.Quit(clientCtx(t)))
		out := clientReadDump(t, dump, n)
		assert.Equal(t, n, strings.Count(out, "X-Mail-Args: <sender@example.org> BODY=8BITMIME\n"), out)
		assert.Equal(t, n, strings.Count(out, "X-Rcpt-Args: <c@example.org>\n"))
		// smtp-sink stores lines with LF; the unstuffed body must be intact.
		body := strings.ReplaceAll(clientInteropWire[strings.Index(clientInteropWire, "\r\n\r\n")+4:], "\r\n", "\n")
		assert.Equal(t, n, strings.Count(out, body), out)
	})

	t.Run("HELO fallback", func(t *testing.T) {
		addr, dump := clientStartSmtpSink(t, "-e")
		c, err := Dial(clientCtx(t), addr)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Hello(clientCtx(t), "client.test"))
		ok, _ := c.Extension("PIPELINING")
		assert.False(t, ok)
		_, err = c.Send(clientCtx(t), "s@example.org", []string{"r@example.org"}, strings.NewReader("Subject: helo\r\n\r\nx\r\n"), &MailOptions{Size: 10})
		require.NoError(t, err)
		require.NoError(t, c.Quit(clientCtx(t)))
		out := clientReadDump(t, dump, 1)
		assert.Contains(t, out, "X-Client-Proto: SMTP\n")
		assert.Contains(t, out, "X-Mail-Args: <s@example.org>\n", "no parameters after HELO")
	})

	t.Run("refusals", func(t *testing.T) {
		tests := []struct {
			flags []string
			code  int
			temp  bool
		}{
			{[]string{"-f", "RCPT"}, 550, false},
			{[]string{"-r", "MAIL"}, 450, true},
			{[]string{"-f", "DATA"}, 550, false},
			{[]string{"-r", "."}, 450, true},
		}
		for _, tt := range tests {
			t.Run(strings.Join(tt.flags, " "), func(t *testing.T) {
				addr, _ := clientStartSmtpSink(t, tt.flags...)
				c, err := Dial(clientCtx(t), addr)
				require.NoError(t, err)
				defer c.Close()
				_, err = c.Send(clientCtx(t), "s@example.org", []string{"r@example.org"}, strings.NewReader("x\r\n"), nil)
				var se *Error
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.temp, se.Temporary(), se.Error())
				assert.Equal(t, tt.code/100, se.Code/100)
				assert.NotEqual(t, [3]int{}, se.EnhancedCode)
				require.NoError(t, c.Noop(clientCtx(t)), "in step after the refusal")
			})
		}
	})
}

const clientNodeScript = `
const { SMTPServer } = require("smtp-server");
const fs = require("fs");
const server = new SMTPServer({
  name: "node.test",
  key: fs.readFileSync(process.argv[3]),
  cert: fs.readFileSync(process.argv[2]),
  size: 100000,
  authMethods: ["PLAIN", "LOGIN"],
  hideENHANCEDSTATUSCODES: false,
  logger: false,
  disableReverseLookup: true,
  onAuth(auth, session, cb) {
    if (auth.username === "user" && auth.password === "secret") return cb(null, { user: "user" });
    cb(new Error("Invalid username or password"));
  },
  onRcptTo(addr, session, cb) {
    if (addr.address.startsWith("reject")) {
      const e = new Error("5.1.1 no such user here");
      e.responseCode = 550;
      return cb(e);
    }
    cb();
  },
  onData(stream, session, cb) {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => {
      const env = session.envelope;
      const params = Object.entries(env.mailFrom.args || {}).map(([k, v]) => v === true ? k : k + "=" + v);
      console.log(JSON.stringify({
        from: env.mailFrom.address, to: env.rcptTo.map((r) => r.address), params,
        data: Buffer.concat(chunks).toString("base64"), tls: !!session.secure, user: session.user || "",
      }));
      cb(null, "2.0.0 queued");
    });
  },
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.server.address().port })));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`

func TestClientInteropNodeSMTPServer(t *testing.T) {
	node, modules := testpeer.Node(t, "npm smtp-server", "smtp-server/package.json")
	serverTLS, clientTLS := tlsPair(t)
	certFile, keyFile := certFiles(t, serverTLS)
	script := filepath.Join(t.TempDir(), "node_peer.js")
	require.NoError(t, os.WriteFile(script, []byte(clientNodeScript), 0o644))
	addr, records := clientRunScriptPeer(t, []string{"NODE_PATH=" + modules}, node, script, certFile, keyFile)

	c, err := Dial(clientCtx(t), addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(clientCtx(t), "client.test"))
	for _, kw := range []string{"PIPELINING", "8BITMIME", "SMTPUTF8", "STARTTLS", "ENHANCEDSTATUSCODES"} {
		ok, _ := c.Extension(kw)
		assert.True(t, ok, kw)
	}
	require.NoError(t, c.StartTLS(clientCtx(t), clientTLS))
	require.NoError(t, c.Auth(clientCtx(t), PlainAuth("", "user", "secret")))
	rcptErrs, err := c.Send(clientCtx(t), "sender@example.org",
		[]string{"a@example.org", "reject@example.org", "ü@example.org"},
		strings.NewReader(clientInteropMessage), &MailOptions{Body: Body8BitMIME})
	require.NoError(t, err)
	assert.Equal(t, []string{"", "550 5.1.1", ""}, rcptReplies(t, rcptErrs))

	r := clientNextRecord(t, records)
	assert.Equal(t, "sender@example.org", r.From)
	assert.Equal(t, []string{"a@example.org", "ü@example.org"}, r.To)
	assert.True(t, r.TLS)
	assert.Equal(t, "user", r.User)
	assert.Contains(t, r.Params, "SMTPUTF8")
	assert.Contains(t, r.Params, "BODY=8BITMIME")
	assert.Equal(t, clientInteropWire, string(r.Message))
	require.NoError(t, c.Quit(clientCtx(t)))
}
