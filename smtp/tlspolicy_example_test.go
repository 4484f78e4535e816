package smtp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/smtp"
)

// Delivering to an MX host whose domain asks for verified TLS (an MTA-STS
// policy in enforce mode, say): the host is dialled by its address, and
// ServerName carries the MX host name, which the certificate must match
// and which is sent as Server Name Indication. Without WithTLSPolicy the
// delivery would be opportunistic. (This example only compiles: it would
// need a real MX host.)
func ExampleWithTLSPolicy() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	policy := smtp.TLSPolicy{
		Mode:   smtp.TLSVerified,
		Config: &tls.Config{ServerName: "mx1.example.net"},
	}
	err := smtp.SendMail(ctx, "192.0.2.25:25", "alice@example.org", []string{"bob@example.net"},
		strings.NewReader("Subject: hi\r\n\r\nhello\r\n"),
		smtp.WithLocalName("mail.example.org"),
		smtp.WithTLSPolicy(policy))
	var pe *smtp.TLSPolicyError
	switch {
	case errors.As(err, &pe):
		// Nothing was sent: try the next MX host, and report the
		// failure (TLS-RPT).
		log.Printf("policy %s: %v", pe.Mode, pe.Err)
	case err != nil:
		log.Print(err)
	}
}

// A Client driven command by command applies a TLS policy after EHLO. This
// server offers no STARTTLS: TLSRequired refuses to go on, TLSOpportunistic
// goes on in plain text.
func ExampleClient_ApplyTLSPolicy() {
	ctx, c, stop := clientExampleConn()
	defer stop()

	err := c.ApplyTLSPolicy(ctx, smtp.TLSPolicy{Mode: smtp.TLSRequired})
	fmt.Println(err)
	fmt.Println(errors.Is(err, smtp.ErrTLSRequired))

	err = c.ApplyTLSPolicy(ctx, smtp.TLSPolicy{Mode: smtp.TLSOpportunistic})
	_, encrypted := c.TLSConnectionState()
	fmt.Println(err, encrypted)
	c.Quit(ctx)
	// Output:
	// smtp: TLS required by policy required: extension not advertised by server: STARTTLS
	// true
	// <nil> false
}
