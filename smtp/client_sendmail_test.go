package smtp

import (
	"bytes"
	"errors"
	"net"
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
		f.expect("AUTH PLAIN " + b64("\x00u\x00p"))
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
	t.Run("declined", func(t *testing.T) {
		addr := clientFakeServe(t, func(f *clientFake) {
			f.greetEHLO("STARTTLS", "SIZE")
			f.steps("MAIL FROM:<s@a.test> SIZE=99", "250 ok",
				"RCPT TO:<r@b.test>", "250 ok",
				"DATA", "354 go")
			f.data()
			f.send("250 ok")
			f.expect("QUIT")
			f.send("221 bye")
		})
		err := SendMail(clientCtx(t), addr, "s@a.test", []string{"r@b.test"}, bytes.NewBufferString("x"), WithoutSTARTTLS(),
			WithMailOptions(MailOptions{Size: 99}))
		require.NoError(t, err)
	})
	t.Run("opportunistic: STARTTLS refused with 454, plain text on the same connection", func(t *testing.T) {
		addr := clientFakeServe(t, func(f *clientFake) {
			f.greetEHLO("STARTTLS")
			f.steps("STARTTLS", "454 4.7.0 TLS not available due to temporary reason",
				"MAIL FROM:<s@a.test>", "250 ok",
				"RCPT TO:<r@b.test>", "250 ok",
				"DATA", "354 go")
			assert.Equal(t, "x\r\n", f.data())
			f.send("250 ok")
			f.expect("QUIT")
			f.send("221 bye")
		})
		err := SendMail(clientCtx(t), addr, "s@a.test", []string{"r@b.test"}, strings.NewReader("x"))
		require.NoError(t, err)
	})
}

// TestSendMailErrors drives SendMail into each kind of failure and checks
// that the message names the package once, at its start, says what
// failed, and that errors.Is and errors.As still reach every cause the
// chain carries.
func TestSendMailErrors(t *testing.T) {
	closedAddr := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		return addr
	}
	// transaction answers a pipelined MAIL FROM:<s@a.test>, RCPT TO each
	// of to and DATA with replies; after a 354 it reads the message and
	// answers with final, after a refused DATA the RSET that follows.
	transaction := func(to []string, replies []string, final string) func(t *testing.T) string {
		return func(t *testing.T) string {
			return clientFakeServe(t, func(f *clientFake) {
				f.greetEHLO("PIPELINING", "ENHANCEDSTATUSCODES")
				want := []string{"MAIL FROM:<s@a.test>"}
				for _, r := range to {
					want = append(want, "RCPT TO:<"+r+">")
				}
				f.expectAll(append(want, "DATA")...)
				f.send(replies...)
				if !strings.HasPrefix(replies[len(replies)-1], "354") {
					f.expect("RSET")
					f.send("250 ok")
					return
				}
				f.data()
				f.send(final)
				if strings.HasPrefix(final, "250") {
					f.expect("QUIT")
					f.send("221 bye")
				}
			})
		}
	}
	cases := []struct {
		name   string
		addr   func(t *testing.T) string
		opts   []SendOption
		to     []string
		reply  string   // the reply an *Error in the chain carries, as "550 5.1.1"
		rcpt   string   // the recipient of a RecipientError in the chain
		policy bool     // a *TLSPolicyError in the chain
		is     []error  // causes errors.Is reaches
		dial   bool     // a *net.OpError of a dial in the chain
		text   []string // in the message
	}{{
		name: "550 to MAIL FROM",
		addr: func(t *testing.T) string {
			return clientFakeServe(t, func(f *clientFake) {
				f.greetEHLO("ENHANCEDSTATUSCODES")
				f.steps("MAIL FROM:<s@a.test>", "550 5.7.1 sender refused")
			})
		},
		reply: "550 5.7.1",
	}, {
		name:  "550 to the only RCPT",
		addr:  transaction([]string{"r@b.test"}, []string{"250 ok", "550 5.1.1 unknown user", "554 5.5.1 no valid recipients"}, ""),
		reply: "550 5.1.1", rcpt: "r@b.test",
	}, {
		name: "both RCPTs refused",
		to:   []string{"r1@b.test", "r2@b.test"},
		addr: transaction([]string{"r1@b.test", "r2@b.test"},
			[]string{"250 ok", "550 5.1.1 unknown user", "450 4.2.1 try later", "554 5.5.1 no valid recipients"}, ""),
		rcpt: "r1@b.test",
	}, {
		name: "one RCPT of two refused",
		to:   []string{"ok@b.test", "bad@b.test"},
		addr: transaction([]string{"ok@b.test", "bad@b.test"},
			[]string{"250 ok", "250 ok", "550 5.1.1 unknown user", "354 go"}, "250 queued"),
		rcpt: "bad@b.test",
	}, {
		name:  "550 after DATA",
		addr:  transaction([]string{"r@b.test"}, []string{"250 ok", "250 ok", "354 go"}, "550 5.7.1 content refused"),
		reply: "550 5.7.1",
	}, {
		name: "TLS required, STARTTLS not offered",
		addr: func(t *testing.T) string {
			return clientFakeServe(t, func(f *clientFake) { f.greetEHLO("PIPELINING") })
		},
		opts:   []SendOption{WithTLSPolicy(TLSPolicy{Mode: TLSRequired})},
		policy: true, is: []error{ErrTLSRequired, ErrNotAdvertised},
		text: []string{"smtp: TLS required by policy required: "},
	}, {
		name: "WithRequireSTARTTLS, STARTTLS not offered",
		addr: func(t *testing.T) string {
			return clientFakeServe(t, func(f *clientFake) { f.greetEHLO("PIPELINING") })
		},
		opts:   []SendOption{WithRequireSTARTTLS()},
		policy: true, is: []error{ErrTLSRequired, ErrNotAdvertised},
		text: []string{"policy verified"},
	}, {
		name: "WithRequireSTARTTLS, STARTTLS refused with 454",
		addr: func(t *testing.T) string {
			return clientFakeServe(t, func(f *clientFake) {
				f.greetEHLO("STARTTLS")
				f.steps("STARTTLS", "454 4.7.0 TLS not available due to temporary reason")
			})
		},
		opts:   []SendOption{WithRequireSTARTTLS()},
		reply:  "454 4.7.0",
		policy: true, is: []error{ErrTLSRequired},
		text: []string{"policy verified"},
	}, {
		name: "TLS verified, untrusted certificate",
		addr: func(t *testing.T) string {
			serverTLS, _ := tlsPair(t)
			return clientFakeServe(t, func(f *clientFake) {
				f.greetEHLO("STARTTLS")
				f.steps("STARTTLS", "220 go")
				f.startTLSQuietly(serverTLS)
			})
		},
		opts:   []SendOption{WithTLSPolicy(TLSPolicy{Mode: TLSVerified})},
		policy: true, is: []error{ErrTLSRequired, ErrTLSHandshake},
		text: []string{"certificate", "policy verified"},
	}, {
		name: "dial refused",
		addr: closedAddr,
		dial: true,
	}, {
		name: "implicit TLS dial refused",
		addr: closedAddr,
		opts: []SendOption{WithImplicitTLS()},
		dial: true,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			to := tc.to
			if to == nil {
				to = []string{"r@b.test"}
			}
			err := SendMail(clientCtx(t), tc.addr(t), "s@a.test", to, strings.NewReader("x"), tc.opts...)
			require.Error(t, err)
			msg := err.Error()
			t.Log(msg)
			assert.True(t, strings.HasPrefix(msg, "smtp: "), "message does not start with the prefix: %q", msg)
			assert.Equal(t, 1, strings.Count(msg, "smtp:"), "prefix repeated in %q", msg)
			if tc.reply != "" {
				assert.Equal(t, tc.reply, replyOf(err))
			}
			if tc.rcpt != "" {
				var re *RecipientError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tc.rcpt, re.Recipient)
			}
			var pe *TLSPolicyError
			assert.Equal(t, tc.policy, errors.As(err, &pe), "TLSPolicyError in the chain")
			for _, cause := range tc.is {
				assert.ErrorIs(t, err, cause)
			}
			var oe *net.OpError
			assert.Equal(t, tc.dial, errors.As(err, &oe) && oe.Op == "dial", "dial error in the chain")
			for _, s := range tc.text {
				assert.Contains(t, msg, s)
			}
		})
	}
}
