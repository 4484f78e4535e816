package smtp

// End-to-end tests: this package's Client against this package's Server.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientE2EMessage is one message the e2e backend received.
type clientE2EMessage struct {
	From string
	Opts MailOptions
	To   []string
	Data string
	TLS  bool
	User string
}

// clientE2EBackend accepts everything except recipients starting with
// "reject" (550 5.1.1) or "broken" (an internal error), and records the
// messages.
type clientE2EBackend struct {
	mu       sync.Mutex
	messages []clientE2EMessage
	refuse   error // returned by NewSession when set
}

func (b *clientE2EBackend) NewSession(c *Conn) (Session, error) {
	if b.refuse != nil {
		return nil, b.refuse
	}
	return &clientE2ESession{b: b, conn: c}, nil
}

func (b *clientE2EBackend) received() []clientE2EMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]clientE2EMessage(nil), b.messages...)
}

type clientE2ESession struct {
	b    *clientE2EBackend
	conn *Conn
	cur  clientE2EMessage
}

func (s *clientE2ESession) Mail(from string, opts *MailOptions) error {
	s.cur = clientE2EMessage{From: from, Opts: *opts}
	return nil
}

func (s *clientE2ESession) Rcpt(to string, opts *RcptOptions) error {
	switch {
	case strings.HasPrefix(to, "reject"):
		return &Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such user: " + to}
	case strings.HasPrefix(to, "broken"):
		return errors.New("mailbox database on fire at 10.0.0.7")
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *clientE2ESession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(data)
	_, s.cur.TLS = s.conn.TLSConnectionState()
	s.cur.User = s.conn.AuthIdentity()
	s.b.mu.Lock()
	s.b.messages = append(s.b.messages, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *clientE2ESession) Reset()        { s.cur = clientE2EMessage{} }
func (s *clientE2ESession) Logout() error { return nil }

func (s *clientE2ESession) AuthPlain(identity, username, password string) error {
	if username == "user" && password == "secret" {
		return nil
	}
	return ErrAuthFailed
}

func TestClientServerEndToEnd(t *testing.T) {
	serverTLS, clientTLS := tlsPair(t)
	b := &clientE2EBackend{}
	addr := stListen(t, &Server{Backend: b, TLSConfig: serverTLS, MaxMessageBytes: 10000}, false)
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
	require.Len(t, rcptErrs, 4)
	assert.NoError(t, rcptErrs[0])
	assert.NoError(t, rcptErrs[3])
	require.ErrorAs(t, rcptErrs[1], &se)
	assert.Equal(t, Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such user: reject@example.org"}, *se)
	require.ErrorAs(t, rcptErrs[2], &se)
	assert.Equal(t, 451, se.Code)
	assert.Equal(t, [3]int{4, 3, 0}, se.EnhancedCode)
	assert.NotContains(t, se.Message, "10.0.0.7", "internal text must not leak")

	msgs := b.received()
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, "sender@example.org", m.From)
	assert.Equal(t, []string{"a@example.org", "ü@example.org"}, m.To)
	assert.Equal(t, clientInteropWire, m.Data)
	assert.True(t, m.Opts.UTF8)
	assert.Equal(t, Body8BitMIME, m.Opts.Body)
	assert.Equal(t, int64(len(clientInteropMessage)), m.Opts.Size)
	assert.True(t, m.TLS)
	assert.Equal(t, "user", m.User)

	t.Run("size limit", func(t *testing.T) {
		assert.ErrorIs(t, c.Mail(ctx, "s@example.org", &MailOptions{Size: 20000}), ErrServerSizeLimit)
		big := strings.Repeat(strings.Repeat("y", 100)+"\r\n", 200)
		_, err := c.Send(ctx, "s@example.org", []string{"a@example.org"}, strings.NewReader(big), nil)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 552, se.Code)
		require.NoError(t, c.Noop(ctx), "client and server stay in step")
	})

	t.Run("many messages on one connection", func(t *testing.T) {
		for i := range 20 {
			body := fmt.Sprintf("Subject: %d\r\n\r\n.%d\r\n", i, i)
			_, err := c.Send(ctx, "", []string{"a@example.org"}, strings.NewReader(body), nil)
			require.NoError(t, err)
		}
		msgs := b.received()
		require.Len(t, msgs, 21)
		assert.Equal(t, "Subject: 19\r\n\r\n.19\r\n", msgs[20].Data)
		assert.Equal(t, "", msgs[20].From)
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
		msgs := b.received()
		assert.Equal(t, "line one\r\n.\r\nlast\r\n", msgs[len(msgs)-1].Data)
	})

	require.NoError(t, c.Quit(ctx))
}

func TestClientServerImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := tlsPair(t)
	b := &clientE2EBackend{}
	addr := stListen(t, &Server{Backend: b, TLSConfig: serverTLS}, true)
	err := SendMail(clientCtx(t), addr, "s@example.org", []string{"r@example.org"},
		strings.NewReader("Subject: tls\r\n\r\nhi\r\n"), WithImplicitTLS(), WithTLSConfig(clientTLS),
		WithAuth(PlainAuth("", "user", "secret")))
	require.NoError(t, err)
	msgs := b.received()
	require.Len(t, msgs, 1)
	assert.True(t, msgs[0].TLS)
	assert.Equal(t, "user", msgs[0].User)
}

func TestClientServerRefusals(t *testing.T) {
	t.Run("connection refused at greeting", func(t *testing.T) {
		b := &clientE2EBackend{refuse: &Error{Code: 554, EnhancedCode: [3]int{5, 7, 1}, Message: "blocked"}}
		addr := stListen(t, &Server{Backend: b}, false)
		_, err := Dial(clientCtx(t), addr)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 554, se.Code)
		assert.Contains(t, se.Message, "blocked")
	})
	t.Run("SMTPUTF8 message to our server without STARTTLS", func(t *testing.T) {
		b := &clientE2EBackend{}
		addr := stListen(t, &Server{Backend: b}, false)
		err := SendMail(clientCtx(t), addr, "jörg@bücher.example", []string{"δοκιμή@παράδειγμα.example"},
			strings.NewReader("Subject: x\r\n\r\ny\r\n"))
		require.NoError(t, err)
		msgs := b.received()
		require.Len(t, msgs, 1)
		assert.Equal(t, "jörg@bücher.example", msgs[0].From)
		assert.True(t, msgs[0].Opts.UTF8)
	})
	t.Run("shutdown while idle", func(t *testing.T) {
		b := &clientE2EBackend{}
		srv := &Server{Backend: b}
		addr := stListen(t, srv, false)
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
	b := &clientE2EBackend{}
	addr := stListen(t, &Server{Backend: b, MaxRecipients: 3}, false)
	c, err := Dial(clientCtx(t), addr)
	require.NoError(t, err)
	defer c.Close()
	var to []string
	for i := range 5 {
		to = append(to, fmt.Sprintf("r%d@example.org", i))
	}
	rcptErrs, err := c.Send(clientCtx(t), "s@example.org", to, strings.NewReader("Subject: x\r\n\r\ny\r\n"), nil)
	require.NoError(t, err)
	require.Len(t, rcptErrs, 5)
	for i, e := range rcptErrs {
		if i < 3 {
			assert.NoError(t, e)
			continue
		}
		var se *Error
		require.ErrorAs(t, e, &se, "recipient %d", i)
		assert.True(t, se.Temporary(), se.Error())
	}
	msgs := b.received()
	require.Len(t, msgs, 1)
	assert.Equal(t, to[:3], msgs[0].To)
	require.NoError(t, c.Quit(clientCtx(t)))
}
