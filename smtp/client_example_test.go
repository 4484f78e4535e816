package smtp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/smtp"
)

// clientExampleSession prints what it receives and refuses recipients
// whose local part is "nobody".
type clientExampleSession struct{}

func (clientExampleSession) Mail(from string, opts *smtp.MailOptions) error {
	fmt.Printf("server: MAIL FROM:<%s> SMTPUTF8=%v\n", from, opts.UTF8)
	return nil
}

func (clientExampleSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such user"}
	}
	fmt.Printf("server: RCPT TO:<%s>\n", to)
	return nil
}

func (clientExampleSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	fmt.Printf("server: message %q\n", b)
	return nil
}

func (clientExampleSession) Reset()        {}
func (clientExampleSession) Logout() error { return nil }

// clientExampleServer starts an SMTP server on a loopback port for the
// examples and returns its address and a function that stops it.
func clientExampleServer() (string, func()) {
	srv := &smtp.Server{
		Hostname:        "mx.example.org",
		MaxMessageBytes: 10 << 20,
		Backend: smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
			return clientExampleSession{}, nil
		}),
	}
	addr, _ := exampleServe(srv)
	return addr, func() { srv.Close() }
}

// clientExampleConn starts the example server and returns a Client that
// has said EHLO to it, as ExampleClient shows, with a context for its
// commands; stop ends them all.
func clientExampleConn() (ctx context.Context, c *smtp.Client, stop func()) {
	addr, stopServer := clientExampleServer()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	c, err := smtp.Dial(ctx, addr)
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Hello(ctx, "client.example.org"); err != nil {
		log.Fatal(err)
	}
	return ctx, c, func() { c.Close(); cancel(); stopServer() }
}

// SendMail sends one message: it connects, says EHLO, uses STARTTLS when
// the server offers it, sends the envelope and message (pipelined when the
// server allows) and says QUIT.
func ExampleSendMail() {
	addr, stop := clientExampleServer()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msg := "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: hello\r\n\r\n.dot-stuffed for you\n"
	err := smtp.SendMail(ctx, addr, "alice@example.org", []string{"bob@example.net"}, strings.NewReader(msg),
		smtp.WithLocalName("client.example.org"))
	fmt.Println("error:", err)
	// Output:
	// server: MAIL FROM:<alice@example.org> SMTPUTF8=false
	// server: RCPT TO:<bob@example.net>
	// server: message "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: hello\r\n\r\n.dot-stuffed for you\r\n"
	// error: <nil>
}

// A Client gives control over each step of the conversation.
func ExampleClient() {
	addr, stop := clientExampleServer()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := smtp.Dial(ctx, addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello(ctx, "client.example.org"); err != nil {
		log.Fatal(err)
	}
	limit, _ := c.MaxMessageSize()
	fmt.Println("size limit:", limit)
	if err := c.Mail(ctx, "jörg@bücher.example", nil); err != nil { // SMTPUTF8 is declared for this address
		log.Fatal(err)
	}
	if err := c.Rcpt(ctx, "nobody@example.net", nil); err != nil {
		var se *smtp.Error
		if errors.As(err, &se) {
			fmt.Println("refused:", se.Code, se.EnhancedCode, se.Message)
		}
	}
	if err := c.Rcpt(ctx, "bob@example.net", nil); err != nil {
		log.Fatal(err)
	}
	w, err := c.Data(ctx)
	if err != nil {
		log.Fatal(err)
	}
	io.WriteString(w, "Subject: hi\n\nhello\n")
	fmt.Println("close:", w.Close())
	fmt.Println("quit:", c.Quit(ctx))
	// Output:
	// size limit: 10485760
	// server: MAIL FROM:<jörg@bücher.example> SMTPUTF8=true
	// refused: 550 [5 1 1] no such user
	// server: RCPT TO:<bob@example.net>
	// server: message "Subject: hi\r\n\r\nhello\r\n"
	// close: <nil>
	// quit: <nil>
}

// Send runs a whole transaction and reports the fate of each recipient.
func ExampleClient_Send() {
	ctx, c, stop := clientExampleConn()
	defer stop()

	rcptErrs, err := c.Send(ctx, "alice@example.org", []string{"bob@example.net", "nobody@example.net"},
		strings.NewReader("Subject: hi\r\n\r\nhello\r\n"), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range rcptErrs {
		fmt.Println("recipient error:", e)
	}
	c.Quit(ctx)
	// Output:
	// server: MAIL FROM:<alice@example.org> SMTPUTF8=false
	// server: RCPT TO:<bob@example.net>
	// server: message "Subject: hi\r\n\r\nhello\r\n"
	// recipient error: <nil>
	// recipient error: smtp: recipient <nobody@example.net>: 550 5.1.1 no such user
}

// Submitting mail on port 587 with authentication; STARTTLS is required so
// that the password never travels in clear. (This example only compiles:
// it would need a real submission server.)
func ExampleWithAuth() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := smtp.SendMail(ctx, "mail.example.org:587", "alice@example.org", []string{"bob@example.net"},
		strings.NewReader("Subject: hi\r\n\r\nhello\r\n"),
		smtp.WithRequireSTARTTLS(),
		smtp.WithTLSConfig(&tls.Config{ServerName: "mail.example.org"}),
		smtp.WithAuth(smtp.PlainAuth("", "alice", "app-password")))
	if err != nil {
		log.Print(err)
	}
}
