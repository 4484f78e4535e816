package smtp

// End-to-end tests: this package's Client against this package's Server.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientE2EBackend returns the backend of the end-to-end tests: "user"
// with "secret" may log in, and recipients starting with "reject" (550
// 5.1.1) or "broken" (an internal error) are refused.
func clientE2EBackend() *stBackend {
	return &stBackend{
		users: map[string]string{"user": "secret"},
		rcptCheck: func(to string) error {
			switch {
			case strings.HasPrefix(to, "reject"):
				return &Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such user: " + to}
			case strings.HasPrefix(to, "broken"):
				return errors.New("mailbox database on fire at 10.0.0.7")
			}
			return nil
		},
	}
}

func TestClientServerEndToEnd(t *testing.T) {
	serverTLS, clientTLS := tlsPair(t)
	b := clientE2EBackend()
	addr := stStart(t, &Server{Backend: b, TLSConfig: serverTLS, MaxMessageBytes: 10000})
	ctx := clientCtx(t)

	c, err := Dial(ctx, addr)
	require.NoError(t, err)
	defer c.Close()
	assert.True(t, strings.HasPrefix(c.Greeting(), "mx.test"), c.Greeting())
	require.NoError(t, c.Hello(ctx, "client.test"))
	for _, kw := range []string{"PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "STARTTLS"} {
		ok, _ := c.Extension(kw)
		assert.True(t, ok, kw)
	}
	limit, _ := c.MaxMessageSize()
	assert.Equal(t, int64(10000), limit)
	assert.Empty(t, c.AuthMechanisms(), "no AUTH before TLS")

	require.NoError(t, c.StartTLS(ctx, clientTLS))
	assert.Equal(t, []string{"PLAIN", "LOGIN"}, c.AuthMechanisms())
	var se *Error
	require.ErrorAs(t, c.Auth(ctx, PlainAuth("", "user", "wrong")), &se)
	assert.Equal(t, 535, se.Code)
	require.NoError(t, c.Auth(ctx, LoginAuth("user", "secret")))

	rcptErrs, err := c.Send(ctx, "sender@example.org",
		[]string{"a@example.org", "reject@example.org", "broken@example.org", "ü@example.org"},
		strings.NewReader(clientInteropMessage), &MailOptions{Size: int64(len(clientInteropMessage))})
	require.NoError(t, err)
	require.Equal(t, []string{"", "550 5.1.1", "451 4.3.0", ""}, rcptReplies(t, rcptErrs))
	require.ErrorAs(t, rcptErrs[1], &se)
	assert.Equal(t, "no such user: reject@example.org", se.Message)
	assert.NotContains(t, rcptErrs[2].Error(), "10.0.0.7", "internal text must not leak")

	msgs := b.messages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, "sender@example.org", m.From)
	assert.Equal(t, []string{"a@example.org", "ü@example.org"}, m.To)
	assert.Equal(t, clientInteropWire, string(m.Data))
	assert.True(t, m.Opts.UTF8)
	assert.Equal(t, Body8BitMIME, m.Opts.Body)
	assert.Equal(t, int64(len(clientInteropMessage)), m.Opts.Size)
	assert.True(t, m.TLS)
	assert.Equal(t, "user", m.Auth)

	t.Run("size limit", func(t *testing.T) {
		assert.ErrorIs(t, c.Mail(ctx, "s@example.org", &MailOptions{Size: 20000}), ErrServerSizeLimit)
		big := strings.Repeat(strings.Repeat("y", 100)+"\r\n", 200)
		_, err := c.Send(ctx, "s@example.org", []string{"a@example.org"}, strings.NewReader(big), nil)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 552, se.Code)
		msgs := b.messages()
		assert.ErrorIs(t, msgs[len(msgs)-1].Err, ErrMessageTooLarge, "the Session read the message up to the limit")
		require.NoError(t, c.Noop(ctx), "client and server stay in step")
	})

	t.Run("many messages on one connection", func(t *testing.T) {
		for i := range 20 {
			body := fmt.Sprintf("Subject: %d\r\n\r\n.%d\r\n", i, i)
			_, err := c.Send(ctx, "", []string{"a@example.org"}, strings.NewReader(body), nil)
			require.NoError(t, err)
		}
		msgs := b.messages()
		require.Len(t, msgs, 22, "the first, the one over the size limit, 20 more")
		assert.Equal(t, "Subject: 19\r\n\r\n.19\r\n", string(msgs[21].Data))
		assert.Equal(t, "", msgs[21].From)
	})

	t.Run("Data writer", func(t *testing.T) {
		require.NoError(t, c.Mail(ctx, "s@example.org", nil))
		require.NoError(t, c.Rcpt(ctx, "a@example.org", nil))
		w, err := c.Data(ctx)
		require.NoError(t, err)
		for _, chunk := range []string{"line one\r", "\n.", "\r\n", "last"} {
			_, err := io.WriteString(w, chunk)
			require.NoError(t, err)
		}
		require.NoError(t, w.Close())
		msgs := b.messages()
		assert.Equal(t, "line one\r\n.\r\nlast\r\n", string(msgs[len(msgs)-1].Data))
	})

	require.NoError(t, c.Quit(ctx))
}

func TestClientServerImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := tlsPair(t)
	b := clientE2EBackend()
	addr := stStartTLS(t, &Server{Backend: b, TLSConfig: serverTLS})
	err := SendMail(clientCtx(t), addr, "s@example.org", []string{"r@example.org"},
		strings.NewReader("Subject: tls\r\n\r\nhi\r\n"), WithImplicitTLS(), WithTLSConfig(clientTLS),
		WithAuth(PlainAuth("", "user", "secret")))
	require.NoError(t, err)
	msgs := b.messages()
	require.Len(t, msgs, 1)
	assert.True(t, msgs[0].TLS)
	assert.Equal(t, "user", msgs[0].Auth)
}

func TestClientServerRefusals(t *testing.T) {
	t.Run("connection refused at greeting", func(t *testing.T) {
		b := &stBackend{newErr: &Error{Code: 554, EnhancedCode: [3]int{5, 7, 1}, Message: "blocked"}}
		addr := stStart(t, &Server{Backend: b})
		_, err := Dial(clientCtx(t), addr)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 554, se.Code)
		assert.Contains(t, se.Message, "blocked")
	})
	t.Run("SMTPUTF8 message to our server without STARTTLS", func(t *testing.T) {
		b := clientE2EBackend()
		addr := stStart(t, &Server{Backend: b})
		err := SendMail(clientCtx(t), addr, "jörg@bücher.example", []string{"δοκιμή@παράδειγμα.example"},
			strings.NewReader("Subject: x\r\n\r\ny\r\n"))
		require.NoError(t, err)
		msgs := b.messages()
		require.Len(t, msgs, 1)
		assert.Equal(t, "jörg@bücher.example", msgs[0].From)
		assert.True(t, msgs[0].Opts.UTF8)
	})
	t.Run("shutdown while idle", func(t *testing.T) {
		b := clientE2EBackend()
		srv := &Server{Backend: b}
		addr := stStart(t, srv)
		c, err := Dial(clientCtx(t), addr)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Hello(clientCtx(t), ""))
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		// The server said 421 and closed; the client reads that as the
		// reply to its next command, or sees the closed connection.
		err = c.Noop(clientCtx(t))
		require.Error(t, err)
		var se *Error
		if errors.As(err, &se) {
			assert.Equal(t, 421, se.Code)
		}
		assert.Equal(t, err, c.Noop(clientCtx(t)), "the client is done after 421")
	})
}

func TestClientServerTooManyRecipients(t *testing.T) {
	b := clientE2EBackend()
	addr := stStart(t, &Server{Backend: b, MaxRecipients: 3})
	c, err := Dial(clientCtx(t), addr)
	require.NoError(t, err)
	defer c.Close()
	var to []string
	for i := range 5 {
		to = append(to, fmt.Sprintf("r%d@example.org", i))
	}
	rcptErrs, err := c.Send(clientCtx(t), "s@example.org", to, strings.NewReader("Subject: x\r\n\r\ny\r\n"), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"", "", "", "452 4.5.3", "452 4.5.3"}, rcptReplies(t, rcptErrs), "RFC 5321 §4.5.3.1.10")
	msgs := b.messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, to[:3], msgs[0].To)
	require.NoError(t, c.Quit(clientCtx(t)))
}
