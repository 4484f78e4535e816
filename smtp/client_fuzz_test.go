package smtp

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// FuzzClientSession plays arbitrary server output against a whole client
// session (greeting, EHLO, AUTH, a pipelined or plain transaction, QUIT):
// whatever the server sends, the client must neither panic nor hang, and
// every failure must be an error.
func FuzzClientSession(f *testing.F) {
	for _, s := range []string{
		"220 mx\r\n250-mx\r\n250-PIPELINING\r\n250-AUTH LOGIN\r\n250 \r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n250 ok\r\n250 ok\r\n550 5.1.1 no\r\n354 go\r\n250 ok\r\n221 bye\r\n",
		"220 mx\r\n502 no\r\n250 helo\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n221 bye\r\n",
		"220 mx\r\n250-mx\r\n250-SMTPUTF8\r\n250 SIZE 10\r\n",
		"554 go away\r\n",
		"220 mx\r\n250-mx\r\n250 AUTH=LOGIN\r\n334 !!\r\n501 cancelled\r\n421 bye\r\n",
		"220 mx\r\n250 mx\r\n250 ok\r\n421 4.3.2 closing\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		server, client := net.Pipe()
		go io.Copy(io.Discard, server)
		go func() {
			server.Write(data)
			server.Close()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c := NewClient(client, "mx.test")
		defer c.Close()
		if err := c.Hello(ctx, "client.test"); err != nil {
			return
		}
		if ok, _ := c.Extension("AUTH"); ok {
			_ = c.Auth(ctx, LoginAuth("u", "p"))
		}
		rcptErrs, err := c.Send(ctx, "s@a.test", []string{"r1@b.test", "r2@b.test"}, strings.NewReader("Subject: x\r\n\r\n.y\r\n"), &MailOptions{Size: 20})
		if err == nil && len(rcptErrs) != 2 {
			t.Fatalf("Send succeeded with %d recipient results", len(rcptErrs))
		}
		_ = c.Quit(ctx)
		if ctx.Err() != nil {
			t.Fatalf("client hung until the deadline on %q", data)
		}
	})
}
