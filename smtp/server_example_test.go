package smtp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/smtp"
)

// serverExampleSession delivers to stdout.
type serverExampleSession struct {
	conn *smtp.Conn
	from string
	to   []string
}

func (s *serverExampleSession) Mail(from string, opts *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *serverExampleSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	if !strings.HasSuffix(to, "@example.net") {
		return &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: "Relaying denied"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *serverExampleSession) Data(r io.Reader) error {
	// Read to the end: the server refuses the message afterwards if it
	// broke a rule (bare LF, line length, size), whatever Data returns.
	msg, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	fmt.Printf("delivered from <%s> to %v via %s: %q\n", s.from, s.to, s.conn.Helo(), msg)
	return nil
}

func (s *serverExampleSession) Reset()        { s.from, s.to = "", nil }
func (s *serverExampleSession) Logout() error { return nil }

// serverExampleBackend gives each connection a serverExampleSession.
var serverExampleBackend = smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
	return &serverExampleSession{conn: c}, nil
})

// A Server needs only a Backend; every limit has an RFC default.
func ExampleServer() {
	srv := &smtp.Server{
		Hostname:        "mx.example.org",
		MaxMessageBytes: 10 << 20,
		Backend: smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
			return &serverExampleSession{conn: c}, nil
		}),
	}
	addr, _ := exampleServe(srv)
	defer srv.Close()

	serverExampleDialogue(addr,
		"EHLO client.example.org",
		"MAIL FROM:<alice@example.org> SIZE=60",
		"RCPT TO:<bob@example.com>",
		"RCPT TO:<bob@example.net>",
		"DATA",
		"Subject: hi\r\n\r\n..a line starting with a dot\r\n.",
		"QUIT")
	// Output:
	// S: 220 mx.example.org ESMTP ready
	// C: EHLO client.example.org
	// S: 250-mx.example.org greets client.example.org
	// S: 250-PIPELINING
	// S: 250-SIZE 10485760
	// S: 250-8BITMIME
	// S: 250-SMTPUTF8
	// S: 250-ENHANCEDSTATUSCODES
	// S: 250-CHUNKING
	// S: 250 HELP
	// C: MAIL FROM:<alice@example.org> SIZE=60
	// S: 250 2.1.0 Sender OK
	// C: RCPT TO:<bob@example.com>
	// S: 550 5.7.1 Relaying denied
	// C: RCPT TO:<bob@example.net>
	// S: 250 2.1.5 Recipient OK
	// C: DATA
	// S: 354 End data with <CR><LF>.<CR><LF>
	// C: Subject: hi\r\n\r\n..a line starting with a dot\r\n.
	// delivered from <alice@example.org> to [bob@example.net] via client.example.org: "Subject: hi\r\n\r\n.a line starting with a dot\r\n"
	// S: 250 2.0.0 Message accepted
	// C: QUIT
	// S: 221 2.0.0 mx.example.org closing transmission channel
}

// Only CRLF.CRLF ends the data. A message holding a bare LF, the raw
// material of SMTP smuggling, is read to its real end and refused; the
// "commands" hidden inside it are never run.
func ExampleServer_smuggling() {
	srv := &smtp.Server{
		Hostname: "mx.example.org",
		Backend:  serverExampleBackend,
	}
	addr, _ := exampleServe(srv)
	defer srv.Close()

	serverExampleDialogue(addr,
		"HELO client.example.org",
		"MAIL FROM:<alice@example.org>",
		"RCPT TO:<bob@example.net>",
		"DATA",
		"Subject: hi\r\n\r\nhello\n.\nMAIL FROM:<ceo@example.org>\r\n.",
		"QUIT")
	// Output:
	// S: 220 mx.example.org ESMTP ready
	// C: HELO client.example.org
	// S: 250 mx.example.org
	// C: MAIL FROM:<alice@example.org>
	// S: 250 2.1.0 Sender OK
	// C: RCPT TO:<bob@example.net>
	// S: 250 2.1.5 Recipient OK
	// C: DATA
	// S: 354 End data with <CR><LF>.<CR><LF>
	// C: Subject: hi\r\n\r\nhello
	// .
	// MAIL FROM:<ceo@example.org>\r\n.
	// S: 554 5.6.0 Message refused: bare CR or LF in message data (RFC 5321 section 2.3.8)
	// C: QUIT
	// S: 221 2.0.0 mx.example.org closing transmission channel
}

// serverExampleSubmission is a Session for a submission server: it adds
// AuthPlain, so the server offers AUTH PLAIN LOGIN once TLS is active.
type serverExampleSubmission struct {
	serverExampleSession
}

func (s *serverExampleSubmission) AuthPlain(identity, username, password string) error {
	if identity == "" && username == "alice" && password == "correct horse" {
		return nil
	}
	return smtp.ErrAuthFailed
}

func (s *serverExampleSubmission) Mail(from string, opts *smtp.MailOptions) error {
	if s.conn.AuthIdentity() == "" {
		return &smtp.Error{Code: 530, EnhancedCode: [3]int{5, 7, 0}, Message: "Authentication required"}
	}
	return s.serverExampleSession.Mail(from, opts)
}

// A submission server on port 465 (implicit TLS, RFC 8314) that needs
// AUTH before MAIL. The Conn tells the session who authenticated.
func ExampleAuthSession() {
	var cert tls.Certificate // load yours with tls.LoadX509KeyPair
	srv := &smtp.Server{
		Addr:      ":465",
		Hostname:  "submit.example.org",
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		Backend: smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
			return &serverExampleSubmission{serverExampleSession{conn: c}}, nil
		}),
	}
	_ = srv.ListenAndServeTLS // start it with: log.Fatal(srv.ListenAndServeTLS())
	fmt.Println(srv.Hostname)
	// Output: submit.example.org
}

// NewSession runs before the greeting: returning an *Error refuses the
// connection with that reply. With 554 the server then waits for QUIT
// (RFC 5321 §3.1).
func ExampleBackendFunc() {
	blocked := netip.MustParsePrefix("127.0.0.0/8") // for the demonstration
	srv := &smtp.Server{
		Hostname: "mx.example.org",
		Backend: smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
			if blocked.Contains(c.RemoteAddr().Addr()) {
				return nil, &smtp.Error{Code: 554, EnhancedCode: [3]int{5, 7, 1}, Message: "mx.example.org No SMTP service for you"}
			}
			return &serverExampleSession{conn: c}, nil
		}),
	}
	addr, _ := exampleServe(srv)
	defer srv.Close()
	serverExampleDialogue(addr, "EHLO client.example.org", "QUIT")
	// Output:
	// S: 554 5.7.1 mx.example.org No SMTP service for you
	// C: EHLO client.example.org
	// S: 503 5.5.1 Service refused; send QUIT
	// C: QUIT
	// S: 221 2.0.0 mx.example.org closing transmission channel
}

// Shutdown stops accepting, answers 421 to sessions waiting for a
// command, and lets messages in transfer finish first.
func ExampleServer_Shutdown() {
	srv := &smtp.Server{
		Hostname: "mx.example.org",
		Backend:  serverExampleBackend,
	}
	addr, served := exampleServe(srv)

	nc, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	greeting, _ := br.ReadString('\n')
	fmt.Println(strings.TrimSpace(greeting))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Println("shutdown:", srv.Shutdown(ctx))
	bye, _ := br.ReadString('\n')
	fmt.Println(strings.TrimSpace(bye))
	fmt.Println("serve:", <-served)
	// Output:
	// 220 mx.example.org ESMTP ready
	// shutdown: <nil>
	// 421 4.3.2 mx.example.org Service shutting down, closing transmission channel
	// serve: smtp: server closed
}
