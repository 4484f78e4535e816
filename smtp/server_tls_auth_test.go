package smtp

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerStartTLS(t *testing.T) {
	be := &stBackend{}
	s := &Server{Backend: be, TLSConfig: tlsServer(t)}
	c := stGreeted(t, stStart(t, s))
	c.expect("STARTTLS", 503) // EHLO first
	e := c.expect("EHLO c.example", 250)
	assert.Contains(t, e.Lines, "STARTTLS")
	// Plaintext pipelined after STARTTLS must be thrown away (RFC 3207 §4.2).
	c.send("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n")
	c.expect("", 220)
	c.startTLS()
	// The first reply after the handshake answers our EHLO, not the
	// injected MAIL; MAIL needs a fresh EHLO.
	c.expect("MAIL FROM:<a@b.example>", 503)
	e = c.expect("EHLO c.example", 250)
	assert.NotContains(t, e.Lines, "STARTTLS")
	c.expect("STARTTLS", 503)
	c.expect("MAIL FROM:<a@b.example>", 250)
	c.expect("RCPT TO:<c@d.example>", 250)
	c.expect("DATA", 354)
	c.expect("secure\r\n.", 250)
	msgs := be.messages()
	require.Len(t, msgs, 1)
	assert.True(t, msgs[0].TLS)
	assert.Equal(t, "a@b.example", msgs[0].From)
}

func TestServerStartTLSUnavailable(t *testing.T) {
	c := stGreeted(t, stStart(t, &Server{Backend: &stBackend{}}))
	c.expect("EHLO c.example", 250)
	c.expect("STARTTLS", 502)
	c.expect("NOOP", 250)
}

func TestServerImplicitTLS(t *testing.T) {
	be := &stBackend{}
	addr := stStartTLS(t, &Server{Backend: be, TLSConfig: tlsServer(t)})
	c := stGreetedTLS(t, addr)
	e := c.expect("EHLO c.example", 250)
	assert.NotContains(t, e.Lines, "STARTTLS")
	c.expect("MAIL FROM:<a@b.example>", 250)
	c.expect("RCPT TO:<c@d.example>", 250)
	c.expect("DATA", 354)
	c.expect("x\r\n.", 250)
	require.Len(t, be.messages(), 1)
	assert.True(t, be.messages()[0].TLS)
}

func TestServerAuth(t *testing.T) {
	users := map[string]string{"alice": "s3cr3t-pw"}
	tests := []struct {
		name     string
		insecure bool
		steps    []stStep
		identity string
	}{
		{"not offered without TLS", false, []stStep{{"AUTH PLAIN " + b64("\x00alice\x00s3cr3t-pw") + "\r\n", []int{538}}}, ""},
		{"plain initial response", true, []stStep{{"AUTH PLAIN " + b64("\x00alice\x00s3cr3t-pw") + "\r\n", []int{235}}}, "alice"},
		{"plain with authzid refused by default", true, []stStep{{"AUTH PLAIN " + b64("bob\x00alice\x00s3cr3t-pw") + "\r\n", []int{535}}}, ""},
		{"plain with authzid equal to username", true, []stStep{{"AUTH PLAIN " + b64("alice\x00alice\x00s3cr3t-pw") + "\r\n", []int{235}}}, "alice"},
		{"plain with authzid allowed", true, []stStep{{"AUTH PLAIN " + b64("bob\x00alice\x00s3cr3t-pw") + "\r\n", []int{235}}}, "bob"},
		{"plain challenge", true, []stStep{{"AUTH PLAIN\r\n", []int{334}}, {b64("\x00alice\x00s3cr3t-pw") + "\r\n", []int{235}}}, "alice"},
		{"plain wrong password", true, []stStep{{"AUTH PLAIN " + b64("\x00alice\x00nope") + "\r\n", []int{535}}}, ""},
		{"plain malformed", true, []stStep{{"AUTH PLAIN " + b64("alice") + "\r\n", []int{501}}}, ""},
		{"bad base64", true, []stStep{{"AUTH PLAIN !!!\r\n", []int{501}}}, ""},
		{"login", true, []stStep{{"AUTH LOGIN\r\n", []int{334}}, {b64("alice") + "\r\n", []int{334}}, {b64("s3cr3t-pw") + "\r\n", []int{235}}}, "alice"},
		{"login initial", true, []stStep{{"AUTH LOGIN " + b64("alice") + "\r\n", []int{334}}, {b64("s3cr3t-pw") + "\r\n", []int{235}}}, "alice"},
		{"cancel", true, []stStep{{"AUTH LOGIN\r\n", []int{334}}, {"*\r\n", []int{501}}}, ""},
		{"unknown mechanism", true, []stStep{{"AUTH CRAM-MD5\r\n", []int{504}}}, ""},
		{"backend failure is temporary and hidden", true, []stStep{{"AUTH PLAIN " + b64("\x00broken\x00x") + "\r\n", []int{454}}}, ""},
		{"twice", true, []stStep{{"AUTH PLAIN " + b64("\x00alice\x00s3cr3t-pw") + "\r\n", []int{235}}, {"AUTH PLAIN " + b64("\x00alice\x00s3cr3t-pw") + "\r\n", []int{503}}}, "alice"},
		{"during transaction", true, []stStep{{"MAIL FROM:<a@b.example>\r\n", []int{250}}, {"AUTH PLAIN =\r\n", []int{503}}}, ""},
		{"auth too long", true, []stStep{{"AUTH LOGIN\r\n", []int{334}}, {strings.Repeat("QUFB", 4000) + "\r\n", []int{500}}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs stSyncBuffer
			be := &stBackend{users: users}
			s := &Server{Backend: be, AllowInsecureAuth: tc.insecure, AllowAuthzID: strings.HasSuffix(tc.name, "allowed"),
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
			c := stGreeted(t, stStart(t, s))
			e := c.expect("EHLO c.example", 250)
			if tc.insecure {
				assert.Contains(t, e.Lines, "AUTH PLAIN LOGIN")
			} else {
				assert.NotContains(t, e.Lines, "AUTH PLAIN LOGIN")
			}
			stRun(t, c, tc.steps)
			c.expect("RSET", 250)
			if !tc.insecure {
				c.expect("MAIL FROM:<a@b.example> AUTH=<>", 555)
				c.expect("MAIL FROM:<a@b.example>", 250)
			} else {
				c.expect("MAIL FROM:<a@b.example> AUTH=<>", 250)
			}
			c.expect("RCPT TO:<c@d.example>", 250)
			c.expect("DATA", 354)
			c.expect("x\r\n.", 250)
			c.expect("QUIT", 221)
			c.closed()
			msgs := be.messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, tc.identity, msgs[0].Auth)
			if tc.identity != "" {
				assert.Equal(t, "<>", msgs[0].Opts.Auth)
			}
			s.Close()
			for _, secret := range []string{"s3cr3t-pw", b64("\x00alice\x00s3cr3t-pw"), b64("s3cr3t-pw"), "QUFB"} {
				assert.NotContains(t, logs.String(), secret, "credentials must never be logged")
			}
		})
	}
}

func TestServerAuthOverTLS(t *testing.T) {
	be := &stBackend{users: map[string]string{"alice": "pw"}}
	c := stGreeted(t, stStart(t, &Server{Backend: be, TLSConfig: tlsServer(t)}))
	c.expect("EHLO c.example", 250)
	c.expect("AUTH PLAIN "+b64("\x00alice\x00pw"), 538)
	c.expect("STARTTLS", 220)
	c.startTLS()
	e := c.expect("EHLO c.example", 250)
	assert.Contains(t, e.Lines, "AUTH PLAIN LOGIN")
	c.expect("AUTH PLAIN "+b64("\x00alice\x00pw"), 235)
	e = c.expect("EHLO c.example", 250)
	assert.NotContains(t, e.Lines, "AUTH PLAIN LOGIN", "no AUTH once authenticated")
}
