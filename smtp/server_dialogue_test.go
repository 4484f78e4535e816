package smtp

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stStep sends raw bytes and expects these reply codes, in order.
type stStep struct {
	send string
	want []int
}

var stEnhancedRE = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}( |$)`)

// stRun plays a dialogue after the greeting and checks every reply,
// including that each carries an enhanced status code where RFC 2034
// asks for one.
func stRun(t *testing.T, c *stConn, steps []stStep) []stReply {
	t.Helper()
	var all []stReply
	for i, st := range steps {
		if st.send != "" {
			c.send(st.send)
		}
		for j, code := range st.want {
			r := c.read()
			all = append(all, r)
			if r.Code != code {
				t.Fatalf("step %d (%q) reply %d: got %v, want %d", i, st.send, j, r, code)
			}
			stCheckEnhanced(t, st.send, r)
		}
	}
	return all
}

func stCheckEnhanced(t *testing.T, cmd string, r stReply) {
	t.Helper()
	up := strings.ToUpper(cmd)
	if r.Code/100 == 3 || strings.HasPrefix(up, "EHLO") || strings.HasPrefix(up, "HELO") && r.Code == 250 {
		return
	}
	for _, l := range r.Lines {
		if !stEnhancedRE.MatchString(l) {
			t.Errorf("reply to %q lacks an enhanced status code: %q", cmd, l)
		}
		if r.Code/100 != int(l[0]-'0') {
			t.Errorf("reply %d has enhanced code of another class: %q", r.Code, l)
		}
	}
}

func TestServerDialogues(t *testing.T) {
	long := strings.Repeat("x", 600)
	tests := []struct {
		name  string
		srv   func(*Server)
		be    func(*stBackend)
		steps []stStep
		check func(t *testing.T, be *stBackend, replies []stReply)
	}{
		{name: "sequence errors", steps: []stStep{
			{"MAIL FROM:<a@b.example>\r\n", []int{503}},
			{"RCPT TO:<a@b.example>\r\n", []int{503}},
			{"DATA\r\n", []int{503}},
			{"EHLO c.example\r\n", []int{250}},
			{"RCPT TO:<a@b.example>\r\n", []int{503}},
			{"DATA\r\n", []int{503}},
			{"MAIL FROM:<a@b.example>\r\n", []int{250}},
			{"MAIL FROM:<a@b.example>\r\n", []int{503}},
			{"DATA\r\n", []int{503}},
			{"RSET\r\n", []int{250}},
			{"RCPT TO:<a@b.example>\r\n", []int{503}},
		}},
		{name: "syntax errors", steps: []stStep{
			{"EHLO\r\n", []int{501}},
			{"EHLO bad_name!\r\n", []int{501}},
			{"HELO c.example\r\n", []int{250}},
			{"MAIL FROM:a@b.example\r\n", []int{501}},
			{"MAIL TO:<a@b.example>\r\n", []int{501}},
			{"MAIL FROM:<a@b.example> SIZE=10\r\n", []int{555}}, // parameters need EHLO
			{"EHLO c.example\r\n", []int{250}},
			{"MAIL FROM:<a@@b.example>\r\n", []int{501}},
			{"MAIL FROM:<a..b@b.example>\r\n", []int{501}},
			{"MAIL FROM:<a@-b.example>\r\n", []int{501}},
			{"MAIL FROM:<a@b.example> FOO=bar\r\n", []int{555}},
			{"MAIL FROM:<a@b.example> SIZE=abc\r\n", []int{501}},
			{"MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n", []int{501}},
			{"MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n", []int{555}},
			{"MAIL FROM:<a@b.example> SMTPUTF8=yes\r\n", []int{501}},
			{"MAIL FROM:<a@b.example> AUTH=<>\r\n", []int{555}}, // AUTH not offered
			{"MAIL FROM:<" + long + "@b.example>\r\n", []int{500}},
			{"MAIL FROM:<a@b.example>\r\n", []int{250}},
			{"RCPT TO:<>\r\n", []int{501}},
			{"RCPT TO:<c@d.example> NOTIFY=NEVER\r\n", []int{555}},
			{"RCPT TO:c@d.example\r\n", []int{501}},
			{"RSET now\r\n", []int{501}},
			{"DATA now\r\n", []int{501}},
			{"QUIT now\r\n", []int{501}},
			{"FROB\r\n", []int{500}},
			{"EXPN list\r\n", []int{502}},
			{"VRFY\r\n", []int{501}},
		}, srv: func(s *Server) { s.MaxErrors = 100 }},
		{name: "harmless commands", steps: []stStep{
			{"NOOP\r\n", []int{250}},
			{"NOOP anything\r\n", []int{250}},
			{"HELP\r\n", []int{214}},
			{"VRFY someone\r\n", []int{252}},
			{"RSET\r\n", []int{250}},
			{"noop\r\n", []int{250}},
			{"QUIT\r\n", []int{221}},
		}},
		{name: "address forms", steps: []stStep{
			{"EHLO [192.0.2.1]\r\n", []int{250}},
			{"MAIL FROM:<>\r\n", []int{250}},
			{"RCPT TO:<@relay.example,@r2.example:user@d.example>\r\n", []int{250}},
			{"RCPT TO:<\"quoted >local\"@d.example>\r\n", []int{250}},
			{"RCPT TO:<u@[IPv6:2001:db8::1]>\r\n", []int{250}},
			{"RCPT TO:<u@[192.0.2.7]>\r\n", []int{250}},
			{"RCPT TO:<u@[300.1.1.1]>\r\n", []int{501}},
			{"rcpt to: <spaced@d.example>\r\n", []int{250}},
		}, check: func(t *testing.T, be *stBackend, _ []stReply) {
			// The transaction never reached DATA; the addresses were seen by
			// Rcpt only, checked through the next case.
		}},
		{name: "smtputf8", steps: []stStep{
			{"EHLO c.example\r\n", []int{250}},
			{"MAIL FROM:<jöran@bücher.example>\r\n", []int{553}},
			{"MAIL FROM:<jöran@bücher.example> SMTPUTF8\r\n", []int{250}},
			{"RCPT TO:<用户@例子.example>\r\n", []int{250}},
			{"DATA\r\n", []int{354}},
			{"Subject: ü\r\n\r\nü\r\n.\r\n", []int{250}},
			{"MAIL FROM:<a@b.example>\r\n", []int{250}},
			{"RCPT TO:<用户@例子.example>\r\n", []int{553}},
		}, check: func(t *testing.T, be *stBackend, _ []stReply) {
			m := be.messages()
			require.Len(t, m, 1)
			assert.Equal(t, "jöran@bücher.example", m[0].From)
			assert.True(t, m[0].Opts.UTF8)
			assert.Equal(t, []string{"用户@例子.example"}, m[0].To)
		}},
		{name: "size limit at MAIL and in DATA", srv: func(s *Server) { s.MaxMessageBytes = 50 }, steps: []stStep{
			{"EHLO c.example\r\n", []int{250}},
			{"MAIL FROM:<a@b.example> SIZE=51\r\n", []int{552}},
			{"MAIL FROM:<a@b.example> SIZE=99999999999999999999\r\n", []int{552}},
			{"MAIL FROM:<a@b.example> SIZE=50\r\n", []int{250}},
			{"RCPT TO:<c@d.example>\r\n", []int{250}},
			{"DATA\r\n", []int{354}},
			{strings.Repeat("0123456789\r\n", 10) + ".\r\n", []int{552}},
			{"MAIL FROM:<a@b.example>\r\n", []int{250}},
		}, check: func(t *testing.T, be *stBackend, r []stReply) {
			assert.Contains(t, r[1].Lines, "SIZE 50")
			m := be.messages()
			require.Len(t, m, 1)
			assert.ErrorIs(t, m[0].Err, ErrMessageTooLarge)
		}},
		{name: "too many recipients", srv: func(s *Server) { s.MaxRecipients = 2 }, steps: []stStep{
			{"EHLO c.example\r\n", []int{250}},
			{"MAIL FROM:<a@b.example>\r\n", []int{250}},
			{"RCPT TO:<1@d.example>\r\nRCPT TO:<2@d.example>\r\nRCPT TO:<3@d.example>\r\n", []int{250, 250, 452}},
			{"DATA\r\n", []int{354}},
			{"x\r\n.\r\n", []int{250}},
		}, check: func(t *testing.T, be *stBackend, _ []stReply) {
			assert.Equal(t, []string{"1@d.example", "2@d.example"}, be.messages()[0].To)
		}},
		{name: "session errors as sent, others generic", be: func(b *stBackend) {
			b.rejectRcpt = map[string]error{
				"nouser@d.example": &Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "No such user here"},
				"plain@d.example":  &Error{Code: 450, Message: "Try later"},
				"leak@d.example":   errors.New("secret internal failure at db01"),
				"multi@d.example":  &Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: "line one\nline two\r\ninjected"},
			}
		}, steps: []stStep{
			{"EHLO c.example\r\n", []int{250}},
			{"MAIL FROM:<a@b.example>\r\n", []int{250}},
			{"RCPT TO:<nouser@d.example>\r\n", []int{550}},
			{"RCPT TO:<plain@d.example>\r\n", []int{450}},
			{"RCPT TO:<leak@d.example>\r\n", []int{451}},
			{"RCPT TO:<multi@d.example>\r\n", []int{550}},
		}, check: func(t *testing.T, be *stBackend, r []stReply) {
			assert.Equal(t, []string{"5.1.1 No such user here"}, r[3].Lines)
			assert.Equal(t, []string{"4.0.0 Try later"}, r[4].Lines)
			assert.Equal(t, "4.3.0", r[5].Lines[0][:5])
			assert.NotContains(t, r[5].Lines[0], "secret")
			assert.Equal(t, []string{"5.7.1 line one", "5.7.1 line two?", "5.7.1 injected"}, r[6].Lines)
		}},
		{name: "data refused by session after partial read", be: func(b *stBackend) {
			b.readLimit = 3
			b.dataErr = &Error{Code: 554, EnhancedCode: [3]int{5, 7, 1}, Message: "Spam"}
		}, steps: []stStep{
			{"EHLO c.example\r\n", []int{250}},
			{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 354}},
			{"line one\r\nQUIT\r\nline three\r\n.\r\n", []int{554}},
			{"NOOP\r\n", []int{250}},
		}},
		{name: "max errors", srv: func(s *Server) { s.MaxErrors = 3 }, steps: []stStep{
			{"FROB\r\n", []int{500}},
			{"FROB\r\n", []int{500}},
			{"FROB\r\nNOOP\r\n", []int{500, 421}},
		}, check: nil},
		{name: "max refused recipients", be: func(b *stBackend) {
			b.rejectRcpt = map[string]error{"nobody@d.example": &Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "No such user"}}
		}, srv: func(s *Server) { s.MaxRefusedRecipients = 3; s.MaxRecipients = 1 }, steps: []stStep{
			{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n", []int{250, 250}},
			{"RCPT TO:<nobody@d.example>\r\nRCPT TO:<c@d.example>\r\n", []int{550, 250}},
			// Over MaxRecipients counts as refused too; the count spans
			// transactions.
			{"RCPT TO:<e@d.example>\r\nRSET\r\nMAIL FROM:<a@b.example>\r\n", []int{452, 250, 250}},
			{"RCPT TO:<nobody@d.example>\r\nNOOP\r\n", []int{550, 421}},
		}},
		{name: "greeting refused with 554 waits for QUIT", be: func(b *stBackend) {
			b.newErr = &Error{Code: 554, EnhancedCode: [3]int{5, 7, 1}, Message: "mx.test.example No SMTP service for you"}
		}, steps: []stStep{
			{"EHLO c.example\r\n", []int{503}},
			{"MAIL FROM:<a@b.example>\r\n", []int{503}},
			{"QUIT\r\n", []int{221}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be, c := stSetup(t, tc.be, tc.srv)
			g := c.read()
			var replies []stReply
			replies = append(replies, g)
			replies = append(replies, stRun(t, c, tc.steps)...)
			if tc.check != nil {
				tc.check(t, be, replies)
			}
		})
	}
}

// TestServerBasicDelivery walks one plain delivery and checks the
// replies' texts and what the Session received.
func TestServerBasicDelivery(t *testing.T) {
	be := &stBackend{}
	c := stDial(t, stStart(t, &Server{Backend: be}))
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
