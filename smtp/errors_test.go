package smtp

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorPrefixOnce drives SendMail into each kind of failure and checks
// that the message names the package once, at its start, while errors.Is
// and errors.As still reach every cause the chain carries.
func TestErrorPrefixOnce(t *testing.T) {
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
		name  string
		addr  func(t *testing.T) string
		opts  []SendOption
		to    []string
		check func(t *testing.T, err error)
	}{{
		name: "550 to MAIL FROM",
		addr: func(t *testing.T) string {
			return clientFakeServe(t, func(f *clientFake) {
				f.greetEHLO("ENHANCEDSTATUSCODES")
				f.expect("MAIL FROM:<s@a.test>")
				f.send("550 5.7.1 sender refused")
			})
		},
		check: func(t *testing.T, err error) {
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 550, se.Code)
		},
	}, {
		name: "550 to the only RCPT",
		addr: transaction([]string{"r@b.test"}, []string{"250 ok", "550 5.1.1 unknown user", "554 5.5.1 no valid recipients"}, ""),
		check: func(t *testing.T, err error) {
			var re *RecipientError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "r@b.test", re.Recipient)
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, [3]int{5, 1, 1}, se.EnhancedCode)
		},
	}, {
		name: "both RCPTs refused",
		to:   []string{"r1@b.test", "r2@b.test"},
		addr: transaction([]string{"r1@b.test", "r2@b.test"},
			[]string{"250 ok", "550 5.1.1 unknown user", "450 4.2.1 try later", "554 5.5.1 no valid recipients"}, ""),
		check: func(t *testing.T, err error) {
			var re *RecipientError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "r1@b.test", re.Recipient)
		},
	}, {
		name: "one RCPT of two refused",
		to:   []string{"ok@b.test", "bad@b.test"},
		addr: transaction([]string{"ok@b.test", "bad@b.test"},
			[]string{"250 ok", "250 ok", "550 5.1.1 unknown user", "354 go"}, "250 queued"),
		check: func(t *testing.T, err error) {
			var re *RecipientError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "bad@b.test", re.Recipient)
		},
	}, {
		name: "550 after DATA",
		addr: transaction([]string{"r@b.test"}, []string{"250 ok", "250 ok", "354 go"}, "550 5.7.1 content refused"),
		check: func(t *testing.T, err error) {
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 550, se.Code)
		},
	}, {
		name: "TLS required, STARTTLS not offered",
		addr: func(t *testing.T) string {
			return clientFakeServe(t, func(f *clientFake) { f.greetEHLO("PIPELINING") })
		},
		opts: []SendOption{WithTLSPolicy(TLSPolicy{Mode: TLSRequired})},
		check: func(t *testing.T, err error) {
			var pe *TLSPolicyError
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, ErrTLSRequired)
			assert.ErrorIs(t, err, ErrNotAdvertised)
		},
	}, {
		name: "TLS verified, untrusted certificate",
		addr: func(t *testing.T) string {
			serverTLS, _ := tlsPair(t)
			return clientFakeServe(t, func(f *clientFake) {
				f.greetEHLO("STARTTLS")
				f.expect("STARTTLS")
				f.send("220 go")
				f.startTLSQuietly(serverTLS)
			})
		},
		opts: []SendOption{WithTLSPolicy(TLSPolicy{Mode: TLSVerified})},
		check: func(t *testing.T, err error) {
			var pe *TLSPolicyError
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, ErrTLSRequired)
			assert.ErrorIs(t, err, ErrTLSHandshake)
		},
	}, {
		name: "dial refused",
		addr: closedAddr,
		check: func(t *testing.T, err error) {
			var oe *net.OpError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, "dial", oe.Op)
		},
	}, {
		name: "implicit TLS dial refused",
		addr: closedAddr,
		opts: []SendOption{WithImplicitTLS()},
		check: func(t *testing.T, err error) {
			var oe *net.OpError
			require.ErrorAs(t, err, &oe)
		},
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
			tc.check(t, err)
		})
	}
}

// TestErrorfNesting checks errorf at depth: each level adds its words, the
// prefix stays single, and every error in the chain is still reachable.
func TestErrorfNesting(t *testing.T) {
	reply := &Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: "no"}
	rcpt := &RecipientError{Recipient: "r@b.test", Err: reply}
	err := errorf("outer: %w", errorf("%w: middle: %w", ErrClientArgument, rcpt))
	assert.Equal(t, "smtp: outer: invalid argument: middle: recipient <r@b.test>: 550 5.7.1 no", err.Error())
	assert.ErrorIs(t, err, ErrClientArgument)
	var re *RecipientError
	require.ErrorAs(t, err, &re)
	assert.Same(t, rcpt, re)
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Same(t, reply, se)
	assert.Nil(t, inner(nil))
	plain := errors.New("dial tcp: refused")
	assert.Equal(t, "smtp: dial: dial tcp: refused", errorf("dial: %w", plain).Error())
}
