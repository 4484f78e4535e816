package smtp

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This file is a black-box protocol prober: it starts a Server on
// 127.0.0.1, speaks raw bytes over a net.Conn and checks every reply's
// basic and enhanced code, and that replies never fall out of step with
// the commands (each case ends with a NOOP that must get its own 250).

// prBackend returns the prober's backend, set up by prRules.
func prBackend() *stBackend {
	b := &stBackend{}
	prRules(b)
	return b
}

// prRules sets the prober's rules on b: recipients whose local part
// starts with "bad" are refused with 550 5.1.1; "alice" with "pw" can
// log in.
func prRules(b *stBackend) {
	b.users = map[string]string{"alice": "pw"}
	b.rcptCheck = func(to string) error {
		if strings.HasPrefix(to, "bad") {
			return &Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "No such user"}
		}
		return nil
	}
}

// prConn is the raw client of the prober.
type prConn struct{ *stConn }

func prDial(t *testing.T, addr string) *prConn { return &prConn{stDial(t, addr)} }

// reply reads one (possibly multi-line) reply and returns its code and
// the text of its last line.
func (c *prConn) reply() (int, string, error) {
	r, err := c.tryRead()
	if err != nil {
		return 0, "", err
	}
	return r.Code, r.Lines[len(r.Lines)-1], nil
}

// expect reads one reply per want. A want is "354" (the code only) or
// "250 2.1.5" (code and enhanced code, which must open the last line).
func (c *prConn) expect(what string, wants ...string) {
	c.t.Helper()
	for i, want := range wants {
		code, text, err := c.reply()
		require.NoError(c.t, err, "%s: reply %d of %d (want %s)", what, i+1, len(wants), want)
		wc, enh, _ := strings.Cut(want, " ")
		got := strconv.Itoa(code) + " " + text
		require.Equal(c.t, wc, strconv.Itoa(code), "%s: reply %d: got %q, want %s", what, i+1, got, want)
		if enh != "" {
			require.True(c.t, strings.HasPrefix(text, enh+" ") || text == enh, "%s: reply %d: got %q, want %s", what, i+1, got, want)
		}
	}
}

// inStep proves that no reply is left over: a NOOP must get the next
// reply, and it must be its own.
func (c *prConn) inStep(what string) {
	c.t.Helper()
	c.send("NOOP\r\n")
	c.expect(what+" (then NOOP)", "250 2.0.0")
}

// prStep sends bytes and expects replies.
type prStep struct {
	send  string
	wants []string
}

// prOneMessage checks that the Session received exactly one message, with
// data want.
func prOneMessage(want string) func(t *testing.T, b *stBackend) {
	return func(t *testing.T, b *stBackend) {
		_, _, msgs := b.snapshot()
		require.Len(t, msgs, 1)
		assert.Equal(t, want, string(msgs[0].Data))
	}
}

type prCase struct {
	name   string
	srv    func(*Server)
	noEHLO bool // steps start right after the greeting
	steps  []prStep
	closes bool // the last step ends the connection
	check  func(t *testing.T, b *stBackend)
}

const prTxn = "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n"

var prTxnWants = []string{"250 2.1.0", "250 2.1.5", "354"}

func prRun(t *testing.T, cases []prCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			be, sc := stSetup(t, prRules, tc.srv)
			c := &prConn{sc}
			c.expect("greeting", "220")
			if !tc.noEHLO {
				c.send("EHLO client.example\r\n")
				c.expect("EHLO", "250")
			}
			for i, st := range tc.steps {
				if st.send != "" {
					c.send(st.send)
				}
				c.expect("step "+strconv.Itoa(i)+" "+strconv.Quote(prShort(st.send)), st.wants...)
			}
			if tc.closes {
				assert.True(t, c.closed(), "connection should be closed")
			} else {
				c.inStep("end")
			}
			if tc.check != nil {
				tc.check(t, be)
			}
		})
	}
}

func prShort(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// prNoSmuggle checks that exactly the first MAIL reached the Session
// and no message carries the smuggled transaction.
func prNoSmuggle(t *testing.T, b *stBackend) {
	mails, _, msgs := b.snapshot()
	assert.Equal(t, []string{"a@b.example"}, mails, "the smuggled MAIL must never run")
	for _, m := range msgs {
		assert.NotContains(t, string(m.Data), "evil@x.example", "the Session must not receive the smuggled transaction")
	}
}

const prSmuggled = "MAIL FROM:<evil@x.example>\r\nRCPT TO:<victim@d.example>\r\nDATA\r\nsmuggled\r\n"

func TestProbeSmuggling(t *testing.T) {
	var cases []prCase
	// Every sequence a lenient receiver might take for the end of the
	// data; only CRLF.CRLF may end it, and in strict mode a bare CR or
	// LF refuses the message once the real end has been read.
	for _, seq := range []string{"\n.\n", "\r.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r\n.\n", "\r\n.\r\r\n", "\n.\r\r\n"} {
		cases = append(cases, prCase{
			name:  "strict " + strconv.Quote(seq),
			steps: []prStep{{prTxn, prTxnWants}, {"Subject: hi\r\n\r\nbody" + seq + prSmuggled + ".\r\n", []string{"554 5.6.0"}}},
			check: func(t *testing.T, b *stBackend) {
				prNoSmuggle(t, b)
				_, _, msgs := b.snapshot()
				require.Len(t, msgs, 1)
				assert.ErrorIs(t, msgs[0].Err, ErrBareLineEnding)
			},
		})
		cases = append(cases, prCase{
			name:  "lenient " + strconv.Quote(seq),
			srv:   func(s *Server) { s.AllowBareLineEndings = true },
			steps: []prStep{{prTxn, prTxnWants}, {"Subject: hi\r\n\r\nbody" + seq + prSmuggled + ".\r\n", []string{"250 2.0.0"}}},
			check: func(t *testing.T, b *stBackend) {
				// One message holding everything: the lenient mode
				// passes bare line endings on but never ends data on
				// them, so nothing runs as a command.
				mails, _, msgs := b.snapshot()
				assert.Equal(t, []string{"a@b.example"}, mails)
				require.Len(t, msgs, 1)
				want := "Subject: hi\r\n\r\nbody" + seq + prSmuggled
				if strings.HasPrefix(seq, "\r\n.") {
					// A dot at the start of a line is a transparency
					// dot (RFC 5321 §4.5.2) and goes.
					want = "Subject: hi\r\n\r\nbody\r\n" + seq[3:] + prSmuggled
				}
				assert.Equal(t, want, string(msgs[0].Data))
			},
		})
	}
	cases = append(cases,
		prCase{
			name: "NUL is data, never an end",
			steps: []prStep{{prTxn, prTxnWants},
				{"a\r\n\x00.\r\n" + "b\r\n.\x00\r\n" + "c\r\n.\r\n", []string{"250 2.0.0"}}},
			check: prOneMessage("a\r\n\x00.\r\nb\r\n\x00\r\nc\r\n"),
		},
		prCase{
			name:  "end marker right at the start is an empty message",
			steps: []prStep{{prTxn, prTxnWants}, {".\r\n", []string{"250 2.0.0"}}},
			check: prOneMessage(""),
		},
		prCase{
			name: "dot without CRLF before it is text",
			steps: []prStep{{prTxn, prTxnWants},
				// "abc.\r\n" does not end the data; the NOOP line is data.
				{"abc.\r\nNOOP\r\n", nil},
				{"..dot\r\n.\r\n", []string{"250 2.0.0"}}},
			check: prOneMessage("abc.\r\nNOOP\r\n.dot\r\n"),
		},
		prCase{
			name:  "bare LF command line is one line, refused",
			steps: []prStep{{"NOOP\nMAIL FROM:<evil@x.example>\r\n", []string{"500 5.5.2"}}},
			check: func(t *testing.T, b *stBackend) {
				mails, _, _ := b.snapshot()
				assert.Empty(t, mails)
			},
		},
		prCase{
			name:  "bare CR command line refused",
			steps: []prStep{{"NOOP\rMAIL FROM:<evil@x.example>\r\n", []string{"500 5.5.2"}}},
		},
	)
	prRun(t, cases)
}

func TestProbePipelining(t *testing.T) {
	long := strings.Repeat("x", 600)
	prRun(t, []prCase{
		{
			name:   "whole transaction in one write, good and bad recipients",
			noEHLO: true,
			steps: []prStep{
				{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<ok1@d.example>\r\nRCPT TO:<bad1@d.example>\r\n" +
					"RCPT TO:<ok2@d.example>\r\nRCPT TO:<bad2@d.example>\r\nDATA\r\n",
					[]string{"250", "250 2.1.0", "250 2.1.5", "550 5.1.1", "250 2.1.5", "550 5.1.1", "354"}},
				{"hello\r\n.\r\n", []string{"250 2.0.0"}},
			},
			check: func(t *testing.T, b *stBackend) {
				_, _, msgs := b.snapshot()
				require.Len(t, msgs, 1)
				assert.Equal(t, []string{"ok1@d.example", "ok2@d.example"}, msgs[0].To)
			},
		},
		{
			name: "all recipients refused: DATA gets 554",
			steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<bad1@d.example>\r\nDATA\r\n",
				[]string{"250 2.1.0", "550 5.1.1", "554 5.5.1"}}},
		},
		{
			name: "several transactions after RSET",
			steps: []prStep{
				{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nRSET\r\nMAIL FROM:<e@b.example>\r\nRCPT TO:<f@d.example>\r\nRSET\r\n" +
					"MAIL FROM:<g@b.example>\r\nRCPT TO:<h@d.example>\r\nDATA\r\n",
					[]string{"250 2.1.0", "250 2.1.5", "250 2.0.0", "250 2.1.0", "250 2.1.5", "250 2.0.0", "250 2.1.0", "250 2.1.5", "354"}},
				{"m\r\n.\r\n", []string{"250 2.0.0"}},
			},
			check: func(t *testing.T, b *stBackend) {
				_, _, msgs := b.snapshot()
				require.Len(t, msgs, 1)
				assert.Equal(t, "g@b.example", msgs[0].From)
				assert.Equal(t, []string{"h@d.example"}, msgs[0].To)
			},
		},
		{
			name:   "commands after QUIT are ignored",
			steps:  []prStep{{"QUIT\r\nMAIL FROM:<a@b.example>\r\nNOOP\r\n", []string{"221 2.0.0"}}},
			closes: true,
			check: func(t *testing.T, b *stBackend) {
				mails, _, _ := b.snapshot()
				assert.Empty(t, mails)
			},
		},
		{
			name: "over-long command lines in a batch get one 500 each",
			steps: []prStep{{
				"NOOP " + long + "\r\n" +
					"MAIL FROM:<a@b.example>\r\n" +
					"RCPT TO:<c@d.example> " + long + "\r\n" +
					"XYZZ " + strings.Repeat("y", 5000) + "\r\n" +
					"RCPT TO:<c@d.example>\r\n" +
					"NOOP\r\n",
				[]string{"500 5.5.2", "250 2.1.0", "500 5.5.2", "500 5.5.2", "250 2.1.5", "250 2.0.0"}}},
		},
		{
			name: "over-long MAIL lines are too long, not syntax errors",
			steps: []prStep{{
				"MAIL FROM:<" + long + "@b.example>\r\n" +
					"MAIL FROM:<a@b.example> X-" + long + "\r\n" +
					"MAIL FROM:<a@b.example> " + long + "=1\r\n" +
					"MAIL FROM:<a@b.example>\r\n",
				[]string{"500 5.5.2", "500 5.5.2", "500 5.5.2", "250 2.1.0"}}},
		},
		{
			name: "MAIL may use what SIZE adds to the line",
			steps: []prStep{{
				"MAIL FROM:<a@b.example> SIZE=1" + strings.Repeat(" ", 490) + "\r\n",
				[]string{"250 2.1.0"}}},
		},
		{
			name: "over-long text line in DATA",
			steps: []prStep{{prTxn, prTxnWants},
				{"short\r\n" + strings.Repeat("z", 1200) + "\r\nRSET\r\nMAIL FROM:<evil@x.example>\r\n.\r\n", []string{"500 5.6.0"}}},
			check: prNoSmuggle,
		},
		{
			name:  "text line of exactly 1000 octets with CRLF is fine",
			steps: []prStep{{prTxn, prTxnWants}, {strings.Repeat("z", 998) + "\r\n.\r\n", []string{"250 2.0.0"}}},
		},
		{
			name:  "header bomb: the whole message one line",
			steps: []prStep{{prTxn, prTxnWants}, {"Subject: " + strings.Repeat("h", 200<<10) + "\r\n.\r\n", []string{"500 5.6.0"}}},
		},
		{
			name:  "message data pipelined before 354 is read as the message",
			steps: []prStep{{prTxn + "early\r\n.\r\n", []string{"250 2.1.0", "250 2.1.5", "354", "250 2.0.0"}}},
			check: prOneMessage("early\r\n"),
		},
		{
			name: "message pipelined behind a refused DATA never runs as commands",
			steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<bad@d.example>\r\nDATA\r\n" + prSmuggled + ".\r\n",
				[]string{"250 2.1.0", "550 5.1.1", "554 5.5.1", "421 4.5.0"}}},
			closes: true,
			check:  prNoSmuggle,
		},
		{
			name:  "BDAT chunks pipelined",
			steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 5\r\nhelloBDAT 3 LAST\r\nabc", []string{"250 2.1.0", "250 2.1.5", "250 2.0.0", "250 2.0.0"}}},
			check: prOneMessage("helloabc"),
		},
	})
}

// TestProbeEarlyTalker: commands sent before the greeting. The server
// does not refuse early talkers (Postfix's smtpd does not either; that
// is postscreen's job): the greeting still comes first and every command
// gets its reply in order.
func TestProbeEarlyTalker(t *testing.T) {
	addr := stStart(t, &Server{Backend: prBackend()})
	c := prDial(t, addr)
	c.send("EHLO c.example\r\nNOOP\r\n")
	c.expect("early talker", "220", "250", "250 2.0.0")
	c.inStep("early talker")
}

func TestProbeInjection(t *testing.T) {
	mailed := func(want ...string) func(t *testing.T, b *stBackend) {
		return func(t *testing.T, b *stBackend) {
			mails, _, _ := b.snapshot()
			assert.Equal(t, want, mails)
		}
	}
	rcpted := func(want ...string) func(t *testing.T, b *stBackend) {
		return func(t *testing.T, b *stBackend) {
			_, rcpts, _ := b.snapshot()
			assert.Equal(t, want, rcpts)
		}
	}
	long64 := strings.Repeat("l", 64)
	prRun(t, []prCase{
		{name: "EHLO with bare CR", noEHLO: true, steps: []prStep{{"EHLO a\rb.example\r\n", []string{"500 5.5.2"}}}},
		{name: "EHLO with control character", noEHLO: true, steps: []prStep{{"EHLO a\x01b.example\r\n", []string{"501 5.5.4"}}}},
		{name: "EHLO with NUL", noEHLO: true, steps: []prStep{{"EHLO a\x00b.example\r\n", []string{"501 5.5.4"}}}},
		{name: "EHLO without argument", noEHLO: true, steps: []prStep{{"EHLO\r\n", []string{"501 5.5.4"}}}},
		{name: "EHLO address literal", noEHLO: true, steps: []prStep{{"EHLO [192.0.2.1]\r\nEHLO [IPv6:2001:db8::1]\r\n", []string{"250", "250"}}}},
		{name: "MAIL with space in address", steps: []prStep{{"MAIL FROM:<a b@c.example>\r\n", []string{"501 5.1.7"}}}, check: mailed()},
		{name: "MAIL without brackets", steps: []prStep{{"MAIL FROM:a@c.example\r\n", []string{"501 5.1.7"}}}},
		{name: "MAIL with space after colon is accepted", steps: []prStep{{"MAIL FROM: <a@b.example>\r\n", []string{"250 2.1.0"}}}, check: mailed("a@b.example")},
		{name: "SIZE not a number", steps: []prStep{{"MAIL FROM:<a@b.example> SIZE=abc\r\n", []string{"501 5.5.4"}}}},
		{name: "SIZE without value", steps: []prStep{{"MAIL FROM:<a@b.example> SIZE\r\n", []string{"501 5.5.4"}}}},
		{name: "unknown MAIL parameter", steps: []prStep{{"MAIL FROM:<a@b.example> FOO=bar\r\n", []string{"555 5.5.4"}}}},
		{name: "unknown RCPT parameter", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> NOTIFY=NEVER\r\n", []string{"250 2.1.0", "555 5.5.4"}}}},
		{name: "duplicate parameter", steps: []prStep{{"MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n", []string{"501 5.5.4"}}}},
		{name: "parameter on HELO session", noEHLO: true, steps: []prStep{{"HELO c.example\r\nMAIL FROM:<a@b.example> BODY=8BITMIME\r\n", []string{"250", "555 5.5.4"}}}},
		{name: "source route stripped", steps: []prStep{{"MAIL FROM:<@r1.example,@r2.example:user@b.example>\r\nRCPT TO:<@r1.example:c@d.example>\r\n", []string{"250 2.1.0", "250 2.1.5"}}},
			check: func(t *testing.T, b *stBackend) {
				mailed("user@b.example")(t, b)
				rcpted("c@d.example")(t, b)
			}},
		{name: "quoted local part", steps: []prStep{{"MAIL FROM:<\"a b>c\"@b.example>\r\n", []string{"250 2.1.0"}}}, check: mailed("\"a b>c\"@b.example")},
		{name: "quoted local part with control character", steps: []prStep{{"MAIL FROM:<\"a\x01b\"@b.example>\r\n", []string{"501 5.1.7"}}}},
		{name: "postmaster without domain", steps: []prStep{{"MAIL FROM:<>\r\nRCPT TO:<postmaster>\r\nRCPT TO:<PostMaster>\r\n", []string{"250 2.1.0", "250 2.1.5", "250 2.1.5"}}},
			check: rcpted("postmaster", "PostMaster")},
		{name: "other local part without domain", steps: []prStep{{"MAIL FROM:<>\r\nRCPT TO:<root>\r\n", []string{"250 2.1.0", "501 5.1.3"}}}},
		{name: "null path as recipient", steps: []prStep{{"MAIL FROM:<>\r\nRCPT TO:<>\r\n", []string{"250 2.1.0", "501 5.1.3"}}}},
		{name: "8-bit address without SMTPUTF8", steps: []prStep{{"MAIL FROM:<jürgen@b.example>\r\n", []string{"553 5.6.7"}}}, check: mailed()},
		{name: "8-bit recipient without SMTPUTF8", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@dä.example>\r\n", []string{"250 2.1.0", "553 5.6.7"}}}},
		{name: "8-bit address with SMTPUTF8", steps: []prStep{{"MAIL FROM:<jürgen@b.example> SMTPUTF8\r\nRCPT TO:<c@dä.example>\r\n", []string{"250 2.1.0", "250 2.1.5"}}}},
		{name: "invalid UTF-8 address", steps: []prStep{{"MAIL FROM:<j\xffrgen@b.example> SMTPUTF8\r\n", []string{"501 5.1.7"}}}},
		{name: "local part of 64 octets", steps: []prStep{{"MAIL FROM:<" + long64 + "@b.example>\r\n", []string{"250 2.1.0"}}}},
		{name: "local part of 65 octets", steps: []prStep{{"MAIL FROM:<" + long64 + "l@b.example>\r\n", []string{"501 5.1.7"}}}},
		{name: "domain over 255 octets", steps: []prStep{{"MAIL FROM:<a@" + strings.Repeat("abcdefghi.", 26) + "example>\r\n", []string{"501 5.1.7"}}}},
		{name: "label over 63 octets", steps: []prStep{{"MAIL FROM:<a@" + strings.Repeat("d", 64) + ".example>\r\n", []string{"501 5.1.7"}}}},
		{name: "IP literals", steps: []prStep{{"MAIL FROM:<a@[192.0.2.1]>\r\nRCPT TO:<c@[IPv6:2001:db8::1]>\r\nRCPT TO:<c@[300.1.1.1]>\r\nRCPT TO:<c@[IPv6:192.0.2.1]>\r\n",
			[]string{"250 2.1.0", "250 2.1.5", "501 5.1.3", "501 5.1.3"}}}},
		{name: "BODY values", steps: []prStep{{"MAIL FROM:<a@b.example> BODY=8BITMIME\r\nRSET\r\nMAIL FROM:<a@b.example> body=7bit\r\nRSET\r\n" +
			"MAIL FROM:<a@b.example> BODY=BINARYMIME\r\nMAIL FROM:<a@b.example> BODY=9BIT\r\n",
			[]string{"250 2.1.0", "250 2.0.0", "250 2.1.0", "250 2.0.0", "555 5.5.4", "501 5.5.4"}}}},
		{name: "SMTPUTF8 with a value", steps: []prStep{{"MAIL FROM:<a@b.example> SMTPUTF8=yes\r\n", []string{"501 5.5.4"}}}},
		{name: "AUTH before EHLO", noEHLO: true, srv: func(s *Server) { s.AllowInsecureAuth = true },
			steps: []prStep{{"AUTH PLAIN " + b64("\x00alice\x00pw") + "\r\n", []string{"503 5.5.1"}}}},
		{name: "AUTH during a transaction", srv: func(s *Server) { s.AllowInsecureAuth = true },
			steps: []prStep{{"MAIL FROM:<a@b.example>\r\nAUTH PLAIN " + b64("\x00alice\x00pw") + "\r\n", []string{"250 2.1.0", "503 5.5.1"}}}},
		{name: "AUTH without TLS", steps: []prStep{{"AUTH PLAIN " + b64("\x00alice\x00pw") + "\r\n", []string{"538 5.7.11"}}}},
		{name: "AUTH bad base64", srv: func(s *Server) { s.AllowInsecureAuth = true },
			steps: []prStep{{"AUTH PLAIN %%%\r\n", []string{"501 5.5.2"}}, {"AUTH PLAIN\r\n", []string{"334"}}, {"###\r\n", []string{"501 5.5.2"}}}},
		{name: "AUTH PLAIN authzid mismatch", srv: func(s *Server) { s.AllowInsecureAuth = true },
			steps: []prStep{{"AUTH PLAIN " + b64("admin\x00alice\x00pw") + "\r\n", []string{"535 5.7.8"}}},
			check: func(t *testing.T, b *stBackend) { assert.Empty(t, b.authed) }},
		{name: "AUTH PLAIN good, then twice", srv: func(s *Server) { s.AllowInsecureAuth = true },
			steps: []prStep{{"AUTH PLAIN " + b64("\x00alice\x00pw") + "\r\n", []string{"235 2.7.0"}}, {"AUTH PLAIN " + b64("\x00alice\x00pw") + "\r\n", []string{"503 5.5.1"}}}},
		{name: "AUTH wrong password", srv: func(s *Server) { s.AllowInsecureAuth = true },
			steps: []prStep{{"AUTH PLAIN " + b64("\x00alice\x00nope") + "\r\n", []string{"535 5.7.8"}}}},
		{name: "AUTH cancel", srv: func(s *Server) { s.AllowInsecureAuth = true },
			steps: []prStep{{"AUTH LOGIN\r\n", []string{"334"}}, {"*\r\n", []string{"501 5.7.0"}}}},
		{name: "AUTH unknown mechanism", srv: func(s *Server) { s.AllowInsecureAuth = true },
			steps: []prStep{{"AUTH GSSAPI\r\n", []string{"504 5.5.4"}}}},
	})
}

// TestProbeSTARTTLSInjection: plaintext pipelined behind STARTTLS must be
// thrown away (RFC 3207 §4.2, CVE-2011-0411 class).
func TestProbeSTARTTLSInjection(t *testing.T) {
	be := prBackend()
	addr := stStart(t, &Server{Backend: be, TLSConfig: tlsServer(t)})
	c := prDial(t, addr)
	c.expect("greeting", "220")
	c.send("EHLO c.example\r\n")
	c.expect("EHLO", "250")
	c.send("STARTTLS\r\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<v@d.example>\r\n")
	c.expect("STARTTLS", "220 2.0.0")
	require.Zero(t, c.br.Buffered(), "nothing may follow the 220 in plaintext")
	c.startTLS()
	// The state was reset: MAIL needs a new EHLO, and no MAIL is open.
	c.send("MAIL FROM:<a@b.example>\r\n")
	c.expect("MAIL before EHLO after TLS", "503 5.5.1")
	c.send("EHLO c.example\r\nRCPT TO:<c@d.example>\r\nMAIL FROM:<a@b.example>\r\n")
	c.expect("after TLS", "250", "503 5.5.1", "250 2.1.0")
	c.inStep("after TLS")
	mails, _, _ := be.snapshot()
	assert.Equal(t, []string{"a@b.example"}, mails)
}

func TestProbeLimits(t *testing.T) {
	prRun(t, []prCase{
		{
			name: "too many recipients: 452 4.5.3 (RFC 5321 §4.5.3.1.10)",
			srv:  func(s *Server) { s.MaxRecipients = 2 },
			steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<r1@d.example>\r\nRCPT TO:<r2@d.example>\r\nRCPT TO:<r3@d.example>\r\nDATA\r\n",
				[]string{"250 2.1.0", "250 2.1.5", "250 2.1.5", "452 4.5.3", "354"}}, {"x\r\n.\r\n", []string{"250 2.0.0"}}},
			check: func(t *testing.T, b *stBackend) {
				_, _, msgs := b.snapshot()
				require.Len(t, msgs, 1)
				assert.Equal(t, []string{"r1@d.example", "r2@d.example"}, msgs[0].To)
			},
		},
		{
			name:  "declared SIZE too big",
			srv:   func(s *Server) { s.MaxMessageBytes = 100 },
			steps: []prStep{{"MAIL FROM:<a@b.example> SIZE=101\r\nMAIL FROM:<a@b.example> SIZE=100\r\n", []string{"552 5.3.4", "250 2.1.0"}}},
		},
		{
			name:  "absurd SIZE",
			steps: []prStep{{"MAIL FROM:<a@b.example> SIZE=99999999999999999999\r\n", []string{"552 5.3.4"}}},
		},
		{
			name: "undeclared overflow while streaming",
			srv:  func(s *Server) { s.MaxMessageBytes = 100 },
			steps: []prStep{{prTxn, prTxnWants},
				{strings.Repeat("0123456789\r\n", 30) + "RSET\r\n.\r\n", []string{"552 5.3.4"}},
				{prTxn, prTxnWants}, {strings.Repeat("x", 98) + "\r\n.\r\n", []string{"250 2.0.0"}}},
		},
		{
			name: "BDAT over the limit",
			srv:  func(s *Server) { s.MaxMessageBytes = 100 },
			steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 200 LAST\r\n" + strings.Repeat("y", 200),
				[]string{"250 2.1.0", "250 2.1.5", "552 5.3.4"}}},
		},
		{
			name:   "too many errors",
			srv:    func(s *Server) { s.MaxErrors = 3 },
			steps:  []prStep{{"XXXX\r\nYYYY\r\nZZZZ\r\nNOOP\r\n", []string{"500 5.5.1", "500 5.5.1", "500 5.5.1", "421 4.7.0"}}},
			closes: true,
		},
		{
			name:   "idle timeout",
			srv:    func(s *Server) { s.ReadTimeout = 150 * time.Millisecond },
			steps:  []prStep{{"", []string{"421 4.4.2"}}},
			closes: true,
		},
		{
			name:   "a short ReadTimeout bounds data reads too",
			srv:    func(s *Server) { s.ReadTimeout = 150 * time.Millisecond },
			steps:  []prStep{{prTxn, prTxnWants}, {"partial", []string{"421 4.4.2"}}},
			closes: true,
		},
		{
			name:   "data timeout",
			srv:    func(s *Server) { s.DataTimeout = 150 * time.Millisecond },
			steps:  []prStep{{prTxn, prTxnWants}, {"partial", []string{"421 4.4.2"}}},
			closes: true,
		},
	})
}

func TestProbeCommands(t *testing.T) {
	prRun(t, []prCase{
		{name: "HELO then EHLO resets the transaction", noEHLO: true,
			steps: []prStep{{"HELO c.example\r\nMAIL FROM:<a@b.example>\r\nEHLO c.example\r\nRCPT TO:<c@d.example>\r\nMAIL FROM:<a@b.example>\r\n",
				[]string{"250", "250 2.1.0", "250", "503 5.5.1", "250 2.1.0"}}}},
		{name: "RSET mid-transaction", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nRSET\r\nDATA\r\n",
			[]string{"250 2.1.0", "250 2.1.5", "250 2.0.0", "503 5.5.1"}}}},
		{name: "RSET with argument", steps: []prStep{{"RSET x\r\n", []string{"501 5.5.4"}}}},
		{name: "VRFY", steps: []prStep{{"VRFY postmaster\r\nVRFY\r\n", []string{"252 2.0.0", "501 5.5.4"}}}},
		{name: "EXPN", steps: []prStep{{"EXPN list\r\n", []string{"502 5.5.1"}}}},
		{name: "HELP", steps: []prStep{{"HELP\r\nHELP MAIL\r\n", []string{"214 2.0.0", "214 2.0.0"}}}},
		{name: "NOOP with arguments", steps: []prStep{{"NOOP hello there\r\n", []string{"250 2.0.0"}}}},
		{name: "case-insensitive verbs", steps: []prStep{{"mail from:<a@b.example>\r\nrCpT tO:<c@d.example>\r\nnoop\r\nrset\r\n",
			[]string{"250 2.1.0", "250 2.1.5", "250 2.0.0", "250 2.0.0"}}}},
		{name: "trailing spaces", steps: []prStep{{"NOOP  \r\nRSET \r\nMAIL FROM:<a@b.example> \r\nRCPT TO:<c@d.example>  \r\nDATA \r\n",
			[]string{"250 2.0.0", "250 2.0.0", "250 2.1.0", "250 2.1.5", "354"}}, {".\r\n", []string{"250 2.0.0"}}}},
		{name: "empty line", steps: []prStep{{"\r\n", []string{"500 5.5.1"}}}},
		{name: "unknown verb", steps: []prStep{{"FOOBARBAZ\r\n", []string{"500 5.5.1"}}}},
		{name: "QUIT", steps: []prStep{{"QUIT\r\n", []string{"221 2.0.0"}}}, closes: true},
		{name: "QUIT with argument", steps: []prStep{{"QUIT now\r\n", []string{"501 5.5.4"}}}},
		{name: "MAIL before EHLO", noEHLO: true, steps: []prStep{{"MAIL FROM:<a@b.example>\r\n", []string{"503 5.5.1"}}}},
		{name: "nested MAIL", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nMAIL FROM:<a@b.example>\r\n", []string{"250 2.1.0", "503 5.5.1"}}}},
		{name: "DATA without MAIL", steps: []prStep{{"DATA\r\n", []string{"503 5.5.1"}}}},
		{name: "DATA without RCPT", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nDATA\r\n", []string{"250 2.1.0", "503 5.5.1"}}}},
		{name: "DATA with argument", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA x\r\n", []string{"250 2.1.0", "250 2.1.5", "501 5.5.4"}}}},
		{name: "RCPT without MAIL", steps: []prStep{{"RCPT TO:<c@d.example>\r\n", []string{"503 5.5.1"}}}},
		{name: "BDAT then DATA", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 5\r\nhello", []string{"250 2.1.0", "250 2.1.5", "250 2.0.0"}},
			{"DATA\r\n", []string{"503 5.5.1"}}, {"BDAT 0 LAST\r\n", []string{"250 2.0.0"}}},
			check: prOneMessage("hello")},
		{name: "BDAT 0 LAST alone", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 0 LAST\r\n", []string{"250 2.1.0", "250 2.1.5", "250 2.0.0"}}},
			check: prOneMessage("")},
		{name: "BDAT without transaction reads its chunk", steps: []prStep{{"BDAT 6 LAST\r\nQUIT\r\n", []string{"503 5.5.1"}}}},
		{name: "BDAT size overflow", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 99999999999999999999999 LAST\r\n",
			[]string{"250 2.1.0", "250 2.1.5", "501 5.5.4"}}}, closes: true},
		{name: "BDAT with RSET between chunks", steps: []prStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 3\r\nabcRSET\r\nDATA\r\n",
			[]string{"250 2.1.0", "250 2.1.5", "250 2.0.0", "250 2.0.0", "503 5.5.1"}}},
			check: func(t *testing.T, b *stBackend) {
				_, _, msgs := b.snapshot()
				for _, m := range msgs {
					assert.Error(t, m.Err, "an aborted BDAT message is not complete")
				}
			}},
	})
}

// TestProbeLastReplySurvivesPipelinedInput: a client that pipelined far
// past the command that ends the session must still read the final
// reply; closing a socket with unread input would reset it away.
func TestProbeLastReplySurvivesPipelinedInput(t *testing.T) {
	flood := strings.Repeat("NOOP\r\n", 30000) // 180 KB, more than the server buffers
	for _, tc := range []struct {
		name  string
		srv   func(*Server)
		send  string
		wants []string
	}{
		{"QUIT", nil, "QUIT\r\n", []string{"221 2.0.0"}},
		{"too many errors", func(s *Server) { s.MaxErrors = 2 }, "X\r\nY\r\n", []string{"500 5.5.1", "500 5.5.1", "421 4.7.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{Backend: prBackend()}
			if tc.srv != nil {
				tc.srv(s)
			}
			addr := stStart(t, s)
			c := prDial(t, addr)
			c.expect("greeting", "220")
			go io.WriteString(c.nc, tc.send+flood) // may fail once the server hangs up
			c.expect(tc.name, tc.wants...)
			assert.True(t, c.closed())
		})
	}
}

// TestProbeLineEdges: over-long lines that arrive in drips or overflow
// the buffer, the exact command limit, a CR at a buffer boundary, and
// a partial line that must not hold back the replies before it.
func TestProbeLineEdges(t *testing.T) {
	addr := stStart(t, &Server{Backend: prBackend()})
	c := prDial(t, addr)
	c.expect("g", "220")
	c.send("EHLO c.example\r\n")
	c.expect("e", "250")
	long := "NOOP " + strings.Repeat("a", 700) + "\r\n"
	for i := 0; i < len(long); i += 7 {
		j := min(i+7, len(long))
		c.send(long[i:j])
		time.Sleep(time.Millisecond)
	}
	c.expect("drip", "500 5.5.2")
	c.send("NOOP " + strings.Repeat("b", 100000) + "\r\nNOOP\r\n")
	c.expect("100k", "500 5.5.2", "250 2.0.0")
	m := "MAIL FROM:<a@b.example>"
	c.send(m + strings.Repeat(" ", 510-len(m)) + "\r\n")
	c.expect("512", "250 2.1.0")
	c.send("RSET\r\n" + m + strings.Repeat(" ", 511-len(m)) + "\r\n")
	c.expect("513", "250 2.0.0", "500 5.5.2")
	c.send(strings.Repeat("c", 32767) + "\r")
	time.Sleep(10 * time.Millisecond)
	c.send("\nNOOP\r\n")
	c.expect("cr boundary", "500 5.5.2", "250 2.0.0")
	c.send(prTxn + "a\nb\r\n.\r\n")
	c.expect("early bare", "250 2.1.0", "250 2.1.5", "354", "554 5.6.0")
	c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 31 LAST\r\nx\r\n.\r\nMAIL FROM:<e@x.example>\r\n")
	c.expect("bdat", "250 2.1.0", "250 2.1.5", "250 2.0.0")
	c.inStep("bdat")
	c.send("NOOP\r\nNO")
	c.expect("partial line behind", "250 2.0.0")
	c.send("OP\r\n")
	c.expect("rest of the line", "250 2.0.0")
}

// prTrickleListener hands out connections whose reads return at most
// one octet, so nothing the client sent is ever buffered ahead.
type prTrickleListener struct{ net.Listener }

func (l prTrickleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return prTrickleConn{c}, nil
}

type prTrickleConn struct{ net.Conn }

func (c prTrickleConn) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return c.Conn.Read(p)
}

// TestProbeEarlyDataNotYetBuffered: a message sent behind a refused DATA
// must not run as commands even when the server has not read it yet.
func TestProbeEarlyDataNotYetBuffered(t *testing.T) {
	be := prBackend()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	stServe(t, &Server{Backend: be}, prTrickleListener{l}, false)
	c := prDial(t, l.Addr().String())
	c.expect("greeting", "220")
	c.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bad@d.example>\r\nDATA\r\n" + prSmuggled + ".\r\n")
	c.expect("refused DATA with early data", "250", "250 2.1.0", "550 5.1.1", "554 5.5.1", "421 4.5.0")
	assert.True(t, c.closed())
	prNoSmuggle(t, be)
}
