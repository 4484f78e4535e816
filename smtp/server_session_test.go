package smtp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerBasicDelivery(t *testing.T) {
	be := &stBackend{}
	addr := stStart(t, &Server{Backend: be})
	c := stDial(t, addr)
	g := c.expect("", 220)
	assert.True(t, strings.HasPrefix(g.Lines[0], "mx.test.example "), "hostname first in greeting: %v", g)
	e := c.expect("EHLO client.example", 250)
	assert.Equal(t, "mx.test.example greets client.example", e.Lines[0])
	for _, ext := range []string{"PIPELINING", "SIZE 33554432", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING"} {
		assert.Contains(t, e.Lines, ext)
	}
	assert.NotContains(t, e.Lines, "STARTTLS")
	assert.NotContains(t, e.Lines, "AUTH PLAIN LOGIN")
	r := c.expect("MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME", 250)
	assert.Equal(t, "2.1.0 Sender OK", r.Lines[0])
	c.expect("RCPT TO:<b@example.net>", 250)
	c.expect("RCPT TO:<Postmaster>", 250)
	c.expect("DATA", 354)
	c.send("Subject: hi\r\n\r\n..leading dot\r\n.x\r\n.\r\n")
	r = c.expect("", 250)
	assert.Equal(t, "2.0.0 Message accepted", r.Lines[0])
	c.expect("QUIT", 221)
	assert.True(t, c.closed())
	msgs := be.messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "a@example.org", msgs[0].From)
	assert.Equal(t, []string{"b@example.net", "Postmaster"}, msgs[0].To)
	assert.Equal(t, "Subject: hi\r\n\r\n.leading dot\r\nx\r\n", string(msgs[0].Data))
	assert.Equal(t, MailOptions{Size: 100, Body: Body8BitMIME}, msgs[0].Opts)
}
