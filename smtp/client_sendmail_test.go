package smtp

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientSendMail(t *testing.T) {
	serverTLS, clientTLS := tlsPair(t)
	msg := "Subject: hi\r\n\r\n.hello\r\n"
	addr := clientFakeServe(t, func(f *clientFake) {
		f.send("220 fake.test")
		f.expect("EHLO client.test")
		f.send("250-fake.test", "250-STARTTLS", "250 PIPELINING")
		f.expect("STARTTLS")
		f.send("220 go")
		if !f.startTLS(serverTLS) {
			return
		}
		f.expect("EHLO client.test")
		f.send("250-fake.test", "250-PIPELINING", "250-SIZE 1000", "250-AUTH PLAIN", "250 ENHANCEDSTATUSCODES")
		f.expect("AUTH PLAIN " + clientB64("\x00u\x00p"))
		f.send("235 2.7.0 ok")
		f.expectAll("MAIL FROM:<s@a.test> SIZE=23", "RCPT TO:<ok@b.test>", "RCPT TO:<bad@b.test>", "DATA")
		f.send("250 ok", "250 ok", "550 5.1.1 unknown user", "354 go")
		assert.Equal(t, "Subject: hi\r\n\r\n..hello\r\n", f.data())
		f.send("250 2.0.0 queued")
		f.expect("QUIT")
		f.send("221 bye")
	})
	err := SendMail(clientCtx(t), addr, "s@a.test", []string{"ok@b.test", "bad@b.test"}, strings.NewReader(msg),
		WithLocalName("client.test"), WithTLSConfig(clientTLS), WithAuth(PlainAuth("", "u", "p")))
	require.Error(t, err)
	var re *RecipientError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "bad@b.test", re.Recipient)
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, [3]int{5, 1, 1}, se.EnhancedCode)
	assert.Contains(t, err.Error(), "accepted for 1 of 2 recipients")
}

func TestClientSendMailTLSPolicy(t *testing.T) {
	t.Run("required but not offered", func(t *testing.T) {
		addr := clientFakeServe(t, func(f *clientFake) {
			f.greetEHLO("PIPELINING")
		})
		err := SendMail(clientCtx(t), addr, "s@a.test", []string{"r@b.test"}, strings.NewReader("x"), WithRequireSTARTTLS())
		assert.ErrorIs(t, err, ErrNotAdvertised)
	})
	t.Run("declined", func(t *testing.T) {
		addr := clientFakeServe(t, func(f *clientFake) {
			f.greetEHLO("STARTTLS", "SIZE")
			f.expect("MAIL FROM:<s@a.test> SIZE=99")
			f.send("250 ok")
			f.expect("RCPT TO:<r@b.test>")
			f.send("250 ok")
			f.expect("DATA")
			f.send("354 go")
			f.data()
			f.send("250 ok")
			f.expect("QUIT")
			f.send("221 bye")
		})
		err := SendMail(clientCtx(t), addr, "s@a.test", []string{"r@b.test"}, bytes.NewBufferString("x"), WithoutSTARTTLS(),
			WithMailOptions(MailOptions{Size: 99}))
		require.NoError(t, err)
	})
	t.Run("untrusted certificate fails under TLSVerified", func(t *testing.T) {
		serverTLS, _ := tlsPair(t)
		addr := clientFakeServe(t, func(f *clientFake) {
			f.greetEHLO("STARTTLS")
			f.expect("STARTTLS")
			f.send("220 go")
			f.startTLSQuietly(serverTLS)
		})
		err := SendMail(clientCtx(t), addr, "s@a.test", []string{"r@b.test"}, strings.NewReader("x"),
			WithTLSPolicy(TLSPolicy{Mode: TLSVerified}))
		require.ErrorIs(t, err, ErrTLSRequired)
		require.ErrorIs(t, err, ErrTLSHandshake)
		assert.Contains(t, err.Error(), "certificate")
		assert.Contains(t, err.Error(), "policy verified")
	})
	t.Run("required but not offered names the policy", func(t *testing.T) {
		addr := clientFakeServe(t, func(f *clientFake) {
			f.greetEHLO("PIPELINING")
		})
		err := SendMail(clientCtx(t), addr, "s@a.test", []string{"r@b.test"}, strings.NewReader("x"),
			WithTLSPolicy(TLSPolicy{Mode: TLSRequired}))
		var pe *TLSPolicyError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, TLSRequired, pe.Mode)
		assert.ErrorIs(t, err, ErrNotAdvertised)
		assert.Contains(t, err.Error(), "smtp: TLS required by policy required: ")
	})
	t.Run("opportunistic: STARTTLS refused with 454, plain text on the same connection", func(t *testing.T) {
		addr := clientFakeServe(t, func(f *clientFake) {
			f.greetEHLO("STARTTLS")
			f.expect("STARTTLS")
			f.send("454 4.7.0 TLS not available due to temporary reason")
			f.expect("MAIL FROM:<s@a.test>")
			f.send("250 ok")
			f.expect("RCPT TO:<r@b.test>")
			f.send("250 ok")
			f.expect("DATA")
			f.send("354 go")
			assert.Equal(t, "x\r\n", f.data())
			f.send("250 ok")
			f.expect("QUIT")
			f.send("221 bye")
		})
		err := SendMail(clientCtx(t), addr, "s@a.test", []string{"r@b.test"}, strings.NewReader("x"))
		require.NoError(t, err)
	})
	t.Run("verified: STARTTLS refused with 454 is an error", func(t *testing.T) {
		addr := clientFakeServe(t, func(f *clientFake) {
			f.greetEHLO("STARTTLS")
			f.expect("STARTTLS")
			f.send("454 4.7.0 TLS not available due to temporary reason")
		})
		err := SendMail(clientCtx(t), addr, "s@a.test", []string{"r@b.test"}, strings.NewReader("x"),
			WithRequireSTARTTLS())
		require.ErrorIs(t, err, ErrTLSRequired)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 454, se.Code)
		assert.Contains(t, err.Error(), "policy verified")
	})
	t.Run("all recipients refused", func(t *testing.T) {
		addr := clientFakeServe(t, func(f *clientFake) {
			f.greetEHLO("PIPELINING")
			f.expectAll("MAIL FROM:<s@a.test>", "RCPT TO:<r@b.test>", "DATA")
			f.send("250 ok", "550 no", "554 no valid recipients")
			f.expect("RSET")
			f.send("250 ok")
		})
		err := SendMail(clientCtx(t), addr, "s@a.test", []string{"r@b.test"}, strings.NewReader("x"), WithoutSTARTTLS())
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 550, se.Code)
		var re *RecipientError
		assert.True(t, errors.As(err, &re))
	})
}
