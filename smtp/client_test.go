package smtp

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientHelloExtensions(t *testing.T) {
	tests := []struct {
		name     string
		ext      []string
		size     int64
		sizeOK   bool
		mechs    []string
		has      []string
		hasNot   []string
		sizeText string
	}{
		{
			name:   "full offer",
			ext:    []string{"PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8", "STARTTLS", "AUTH PLAIN LOGIN", "CHUNKING", "ENHANCEDSTATUSCODES"},
			size:   10240000,
			sizeOK: true,
			mechs:  []string{"PLAIN", "LOGIN"},
			has:    []string{"pipelining", "8BITMIME", "SMTPUTF8", "STARTTLS", "CHUNKING", "ENHANCEDSTATUSCODES"},
		},
		{
			name:   "smtp-sink style empty last line",
			ext:    []string{"PIPELINING", "8BITMIME", ""},
			has:    []string{"PIPELINING", "8BITMIME"},
			hasNot: []string{"SIZE", ""},
		},
		{
			name:   "old AUTH= form and lower case",
			ext:    []string{"auth=LOGIN", "AUTH PLAIN login", "size"},
			sizeOK: true,
			mechs:  []string{"LOGIN", "PLAIN"},
		},
		{
			name:   "non-numeric SIZE",
			ext:    []string{"SIZE lots"},
			sizeOK: true,
			hasNot: []string{"AUTH"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientDialFake(t, func(f *clientFake) {
				f.greetEHLO(tt.ext...)
				f.expect("QUIT")
				f.send("221 bye")
			})
			require.NoError(t, c.Hello(clientCtx(t), ""))
			assert.Equal(t, "fake.test ESMTP", c.Greeting())
			size, ok := c.MaxMessageSize()
			assert.Equal(t, tt.sizeOK, ok)
			assert.Equal(t, tt.size, size)
			assert.Equal(t, tt.mechs, c.AuthMechanisms())
			for _, kw := range tt.has {
				ok, _ := c.Extension(kw)
				assert.True(t, ok, kw)
			}
			for _, kw := range tt.hasNot {
				ok, _ := c.Extension(kw)
				assert.False(t, ok, kw)
			}
			require.NoError(t, c.Quit(clientCtx(t)))
			assert.ErrorIs(t, c.Noop(clientCtx(t)), ErrClientClosed)
		})
	}
}

func TestClientHelloFallback(t *testing.T) {
	tests := []struct {
		ehloReply string
		fallback  bool
		wantCode  int
	}{
		{"500 5.5.1 command unrecognized", true, 0},
		{"502 not implemented", true, 0},
		{"504 no", true, 0},
		{"550 go away", false, 550},
		{"421 4.3.2 shutting down", false, 421},
	}
	for _, tt := range tests {
		t.Run(tt.ehloReply, func(t *testing.T) {
			c := clientDialFake(t, func(f *clientFake) {
				f.send("220 old.test")
				f.expect("EHLO client.test")
				f.send(tt.ehloReply)
				if tt.fallback {
					f.steps("HELO client.test", "250 old.test",
						"MAIL FROM:<a@b.test>", "250 ok")
				}
			})
			err := c.Hello(clientCtx(t), "client.test")
			if !tt.fallback {
				var se *Error
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.wantCode, se.Code)
				return
			}
			require.NoError(t, err)
			ok, _ := c.Extension("PIPELINING")
			assert.False(t, ok)
			// No extension after HELO: parameters are not sent.
			require.NoError(t, c.Mail(clientCtx(t), "a@b.test", &MailOptions{Size: 100, Body: Body7Bit}))
		})
	}
}

func TestClientGreetingRefused(t *testing.T) {
	addr := clientFakeServe(t, func(f *clientFake) {
		f.send("554-5.7.1 no service for you", "554 5.7.1 go away")
	})
	c, err := Dial(clientCtx(t), addr)
	assert.Nil(t, c)
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 554, se.Code)
	assert.Equal(t, [3]int{5, 7, 1}, se.EnhancedCode)
	assert.Equal(t, "no service for you\ngo away", se.Message)
	assert.True(t, se.Permanent())
}

func TestClientSendPipelined(t *testing.T) {
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("PIPELINING", "ENHANCEDSTATUSCODES", "SIZE 1000000", "8BITMIME")
		// All commands must arrive before any reply is sent: a client that
		// waits for replies would leave this script blocked.
		for _, want := range []string{"MAIL FROM:<s@a.test> SIZE=11", "RCPT TO:<r1@b.test>", "RCPT TO:<r2@b.test>", "RCPT TO:<r3@b.test>", "DATA"} {
			if !f.expect(want) {
				return
			}
		}
		f.send("250 2.1.0 ok", "250 2.1.5 ok", "550-5.1.1 no such", "550 5.1.1 user", "251 2.1.5 will forward", "354 go")
		assert.Equal(t, "..x\r\nb\r\n", f.data())
		f.send("250 2.0.0 queued as X")
	})
	rcptErrs, err := c.Send(clientCtx(t), "s@a.test", []string{"r1@b.test", "r2@b.test", "r3@b.test"}, strings.NewReader(".x\nb"), &MailOptions{Size: 11})
	require.NoError(t, err)
	assert.Equal(t, []string{"", "550 5.1.1", ""}, rcptReplies(t, rcptErrs))
	var re *RecipientError
	require.ErrorAs(t, rcptErrs[1], &re)
	assert.Equal(t, "r2@b.test", re.Recipient)
	var se *Error
	require.ErrorAs(t, rcptErrs[1], &se)
	assert.Equal(t, Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such\nuser"}, *se)
}

func TestClientSendPipelinedManyRecipients(t *testing.T) {
	const n = 250
	var to []string
	for i := range n {
		to = append(to, "r"+strings.Repeat("x", i%7)+"@b.test")
	}
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("PIPELINING")
		got := 0
		f.expect("MAIL FROM:<s@a.test>")
		for batch := 0; got < n; batch++ {
			size := min(clientPipelineBatch, n-got)
			for range size {
				if l, _ := f.line(); !strings.HasPrefix(l, "RCPT TO:") {
					t.Errorf("got %q, want RCPT", l)
					return
				}
			}
			if batch == 0 {
				f.send("250 ok")
			}
			got += size
			if got == n {
				f.expect("DATA")
			}
			replies := make([]string, size)
			for i := range replies {
				replies[i] = "250 ok"
			}
			f.send(replies...)
		}
		f.send("354 go")
		f.data()
		f.send("250 ok")
	})
	rcptErrs, err := c.Send(clientCtx(t), "s@a.test", to, strings.NewReader("hi\r\n"), nil)
	require.NoError(t, err)
	assert.Len(t, rcptErrs, n)
}

func TestClientSendInTurn(t *testing.T) {
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("SIZE", "ENHANCEDSTATUSCODES")
		for _, step := range [][2]string{
			{"MAIL FROM:<>", "250 2.1.0 ok"},
			{"RCPT TO:<a@b.test>", "450 4.2.1 mailbox busy"},
			{"RCPT TO:<c@b.test>", "250 2.1.5 ok"},
			{"DATA", "354 go"},
		} {
			if !f.expect(step[0]) {
				return
			}
			if !f.quiet() {
				t.Errorf("client sent more after %q without waiting for the reply", step[0])
			}
			f.send(step[1])
		}
		assert.Equal(t, "Subject: x\r\n\r\nbody\r\n", f.data())
		f.send("250 2.0.0 ok")
		f.expect("NOOP")
		f.send("250 2.0.0 ok")
	})
	rcptErrs, err := c.Send(clientCtx(t), "", []string{"a@b.test", "c@b.test"}, strings.NewReader("Subject: x\r\n\r\nbody\r\n"), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"450 4.2.1", ""}, rcptReplies(t, rcptErrs))
	require.NoError(t, c.Noop(clientCtx(t)))
}

func TestClientSendRefused(t *testing.T) {
	tests := []struct {
		name      string
		pipelined bool
		replies   []string // to MAIL, RCPT, DATA in turn
		wantCode  int
		wantRSET  bool
		rcptErrs  int  // recipients with an error (not looked at when closes)
		closes    bool // 421: the client sends nothing more
	}{
		{"mail refused pipelined", true, []string{"550 no", "503 need MAIL", "503 need MAIL"}, 550, false, 0, false},
		{"mail refused in turn", false, []string{"550 no"}, 550, false, 0, false},
		{"rcpt refused pipelined", true, []string{"250 ok", "550 no user", "554 no valid recipients"}, 550, true, 1, false},
		{"rcpt refused in turn", false, []string{"250 ok", "550 no user"}, 550, true, 1, false},
		{"data refused pipelined", true, []string{"250 ok", "250 ok", "451 try later"}, 451, true, 0, false},
		{"data refused in turn", false, []string{"250 ok", "250 ok", "451 try later"}, 451, true, 0, false},
		{"broken server accepts DATA without recipients", true, []string{"250 ok", "550 no user", "354 go"}, 550, true, 1, false},
		{"service closing pipelined", true, []string{"250 ok", "421 4.3.2 shutting down"}, 421, false, 0, true},
		{"service closing in turn", false, []string{"250 ok", "421 4.3.2 shutting down"}, 421, false, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientDialFake(t, func(f *clientFake) {
				ext := []string{"8BITMIME"}
				if tt.pipelined {
					ext = append(ext, "PIPELINING")
				}
				f.greetEHLO(ext...)
				cmds := []string{"MAIL FROM:<s@a.test>", "RCPT TO:<r@b.test>", "DATA"}
				if tt.pipelined {
					for _, c := range cmds {
						f.expect(c)
					}
					f.send(tt.replies...)
				} else {
					for i, r := range tt.replies {
						f.expect(cmds[i])
						f.send(r)
					}
				}
				if tt.replies[len(tt.replies)-1] == "354 go" {
					assert.Equal(t, "", f.data())
					f.send("554 no recipients")
				}
				if tt.wantRSET {
					f.expect("RSET")
					f.send("250 ok")
				}
				if !tt.closes {
					f.expect("NOOP")
					f.send("250 ok")
				}
			})
			rcptErrs, err := c.Send(clientCtx(t), "s@a.test", []string{"r@b.test"}, strings.NewReader("x"), nil)
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.wantCode, se.Code)
			if tt.closes {
				assert.Equal(t, err, c.Noop(clientCtx(t)), "no command after 421")
				return
			}
			n := 0
			for _, e := range rcptErrs {
				if e != nil {
					n++
				}
			}
			assert.Equal(t, tt.rcptErrs, n)
			require.NoError(t, c.Noop(clientCtx(t)), "client must stay usable after a refusal")
		})
	}
}

func TestClientMailParameters(t *testing.T) {
	tests := []struct {
		name    string
		ext     []string
		from    string
		opts    *MailOptions
		want    string // MAIL line; "" when refused locally
		wantErr error
	}{
		{"none advertised", nil, "a@b.test", &MailOptions{Size: 5, Body: Body7Bit, Auth: "x"}, "MAIL FROM:<a@b.test>", nil},
		{"size", []string{"SIZE 100"}, "a@b.test", &MailOptions{Size: 100}, "MAIL FROM:<a@b.test> SIZE=100", nil},
		{"size too big", []string{"SIZE 100"}, "a@b.test", &MailOptions{Size: 101}, "", ErrServerSizeLimit},
		{"size without limit", []string{"SIZE"}, "a@b.test", &MailOptions{Size: 1 << 40}, "MAIL FROM:<a@b.test> SIZE=1099511627776", nil},
		{"negative size", []string{"SIZE"}, "a@b.test", &MailOptions{Size: -1}, "", ErrClientArgument},
		{"8bitmime", []string{"8BITMIME"}, "a@b.test", &MailOptions{Body: Body8BitMIME}, "MAIL FROM:<a@b.test> BODY=8BITMIME", nil},
		{"8bitmime not advertised", nil, "a@b.test", &MailOptions{Body: Body8BitMIME}, "", ErrNotAdvertised},
		{"unknown body", []string{"8BITMIME"}, "a@b.test", &MailOptions{Body: "BINARYMIME"}, "", ErrClientArgument},
		{"utf8 address", []string{"8BITMIME", "SMTPUTF8"}, "jörg@bücher.test", nil, "MAIL FROM:<jörg@bücher.test> BODY=8BITMIME SMTPUTF8", nil},
		{"utf8 address no 8bitmime", []string{"SMTPUTF8"}, "jörg@bücher.test", nil, "MAIL FROM:<jörg@bücher.test> SMTPUTF8", nil},
		{"utf8 address not advertised", []string{"8BITMIME"}, "jörg@bücher.test", nil, "", ErrNotAdvertised},
		{"utf8 requested not advertised", nil, "a@b.test", &MailOptions{UTF8: true}, "", ErrNotAdvertised},
		{"idn domain, not advertised: A-labels", []string{"8BITMIME"}, "a@bücher.test", nil, "MAIL FROM:<a@xn--bcher-kva.test>", nil},
		{"idn domain, advertised: U-labels", []string{"SMTPUTF8"}, "a@bücher.test", nil, "MAIL FROM:<a@bücher.test> SMTPUTF8", nil},
		{"invalid idn domain", nil, "a@bücher-.test", nil, "", ErrNotAdvertised},
		{"auth xtext", []string{"AUTH PLAIN"}, "a@b.test", &MailOptions{Auth: "a+b=c d@x"}, "MAIL FROM:<a@b.test> AUTH=a+2Bb+3Dc+20d@x", nil},
		{"auth null", []string{"AUTH PLAIN"}, "a@b.test", &MailOptions{Auth: "<>"}, "MAIL FROM:<a@b.test> AUTH=<>", nil},
		{"null path", nil, "", nil, "MAIL FROM:<>", nil},
		{"crlf injection", nil, "a@b.test>\r\nRCPT TO:<x@y", nil, "", ErrClientArgument},
		{"angle brackets", nil, "<a@b.test>", nil, "", ErrClientArgument},
		{"space", nil, "a b@c.test", nil, "", ErrClientArgument},
		{"quoted space", nil, `"a b"@c.test`, nil, `MAIL FROM:<"a b"@c.test>`, nil},
		{"invalid utf8", []string{"SMTPUTF8"}, "a\xff@b.test", nil, "", ErrClientArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientDialFake(t, func(f *clientFake) {
				f.greetEHLO(tt.ext...)
				if tt.want != "" {
					f.expect(tt.want)
					f.send("250 ok")
				}
				f.expect("QUIT")
				f.send("221 bye")
			})
			err := c.Mail(clientCtx(t), tt.from, tt.opts)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
			require.NoError(t, c.Quit(clientCtx(t)))
		})
	}
}

func TestClientRcptUTF8(t *testing.T) {
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("SMTPUTF8")
		f.steps("MAIL FROM:<a@b.test>", "250 ok",
			"RSET", "250 ok",
			"MAIL FROM:<a@b.test> SMTPUTF8", "250 ok",
			"RCPT TO:<δοκιμή@παράδειγμα.test>", "250 ok")
	})
	ctx := clientCtx(t)
	require.NoError(t, c.Mail(ctx, "a@b.test", nil))
	err := c.Rcpt(ctx, "δοκιμή@παράδειγμα.test", nil)
	assert.ErrorIs(t, err, ErrClientArgument, "MAIL without SMTPUTF8")
	require.NoError(t, c.Reset(ctx))
	require.NoError(t, c.Mail(ctx, "a@b.test", &MailOptions{UTF8: true}))
	require.NoError(t, c.Rcpt(ctx, "δοκιμή@παράδειγμα.test", nil))
}

func TestClientSendUTF8NotAdvertised(t *testing.T) {
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("PIPELINING", "8BITMIME")
		f.expect("QUIT") // nothing of the transaction is sent
		f.send("221 bye")
	})
	_, err := c.Send(clientCtx(t), "a@b.test", []string{"ok@b.test", "jörg@bücher.test"}, strings.NewReader("x"), nil)
	require.ErrorIs(t, err, ErrNotAdvertised)
	assert.Contains(t, err.Error(), `SMTPUTF8, needed for address "jörg@bücher.test"`)
	require.NoError(t, c.Quit(clientCtx(t)))
}

func TestClientSendIDNDomains(t *testing.T) {
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("PIPELINING", "8BITMIME")
		f.expectAll("MAIL FROM:<a@xn--bcher-kva.test>", "RCPT TO:<ok@b.test>", "RCPT TO:<info@xn--mnchen-3ya.test>", "DATA")
		f.send("250 ok", "250 ok", "250 ok", "354 go")
		f.data()
		f.send("250 ok")
		f.steps("MAIL FROM:<a@b.test>", "250 ok",
			"RCPT TO:<info@xn--mnchen-3ya.test>", "250 ok")
	})
	rcptErrs, err := c.Send(clientCtx(t), "a@bücher.test", []string{"ok@b.test", "info@münchen.test"}, strings.NewReader("x"), nil)
	require.NoError(t, err)
	assert.Equal(t, []error{nil, nil}, rcptErrs)
	require.NoError(t, c.Mail(clientCtx(t), "a@b.test", nil))
	require.NoError(t, c.Rcpt(clientCtx(t), "info@münchen.test", nil))
	assert.ErrorIs(t, c.Rcpt(clientCtx(t), "jörg@münchen.test", nil), ErrNotAdvertised)
}

func TestClientErrorCodes(t *testing.T) {
	tests := []struct {
		name string
		ext  []string
		rep  []string
		want Error
	}{
		{"enhanced advertised", []string{"ENHANCEDSTATUSCODES"}, []string{"550 5.7.1 relaying denied"}, Error{550, [3]int{5, 7, 1}, "relaying denied"}},
		{"temporary", nil, []string{"421 4.4.2 timeout"}, Error{421, [3]int{4, 4, 2}, "timeout"}},
		{"no enhanced code", []string{"ENHANCEDSTATUSCODES"}, []string{"452 too many"}, Error{452, [3]int{}, "too many"}},
		{"multi-line", []string{"ENHANCEDSTATUSCODES"}, []string{"553-5.1.3 bad", "553-5.1.3 address", "553 5.1.3 syntax"}, Error{553, [3]int{5, 1, 3}, "bad\naddress\nsyntax"}},
		{"unexpected success class", nil, []string{"354 what"}, Error{354, [3]int{}, "what"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientDialFake(t, func(f *clientFake) {
				f.greetEHLO(tt.ext...)
				f.expect("MAIL FROM:<a@b.test>")
				f.send(tt.rep...)
			})
			err := c.Mail(clientCtx(t), "a@b.test", nil)
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.want, *se)
		})
	}
}

func TestClientDataWriter(t *testing.T) {
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("8BITMIME")
		f.steps("MAIL FROM:<a@b.test>", "250 ok",
			"RCPT TO:<c@d.test>", "250 ok",
			"DATA", "354 go")
		assert.Equal(t, "..\r\nline\r\n..dots\r\nbare\r\ncr\r\nend\r\n", f.data())
		f.send("554 5.6.0 content refused")
	})
	ctx := clientCtx(t)
	require.NoError(t, c.Mail(ctx, "a@b.test", nil))
	require.NoError(t, c.Rcpt(ctx, "c@d.test", nil))
	w, err := c.Data(ctx)
	require.NoError(t, err)
	assert.ErrorIs(t, c.Noop(ctx), ErrClientArgument, "no command while the writer is open")
	for _, chunk := range []string{".", "\r", "\nline\r", "\n.", "dots\nbare\rcr\r", "\nend"} {
		n, err := io.WriteString(w, chunk)
		require.NoError(t, err)
		assert.Equal(t, len(chunk), n)
	}
	err = w.Close()
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 554, se.Code)
	assert.Equal(t, [3]int{5, 6, 0}, se.EnhancedCode)
	_, err = w.Write([]byte("more"))
	assert.ErrorIs(t, err, ErrClientArgument)
}

func TestClientMessageSourceFails(t *testing.T) {
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("PIPELINING")
		f.expect("MAIL FROM:<a@b.test>")
		f.expect("RCPT TO:<c@d.test>")
		f.expect("DATA")
		f.send("250 ok", "250 ok", "354 go")
		// The connection closes; a partial message may arrive, but never
		// the final dot that would deliver it.
		for {
			l, err := f.line()
			if err != nil {
				break
			}
			if l == "." {
				t.Errorf("client terminated a partial message")
			}
		}
	})
	src := io.MultiReader(strings.NewReader("partial\r\n"), iotest.ErrReader(errors.New("disk on fire")))
	_, err := c.Send(clientCtx(t), "a@b.test", []string{"c@d.test"}, src, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk on fire")
	assert.False(t, isReply(err))
	assert.Error(t, c.Noop(clientCtx(t)), "client is unusable")
}

func TestClientContextDeadline(t *testing.T) {
	release := make(chan struct{})
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO()
		f.expect("NOOP")
		<-release // never answers in time
	})
	defer close(release)
	require.NoError(t, c.Hello(clientCtx(t), ""))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := c.Noop(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// The client is now unusable and says so.
	err2 := c.Noop(clientCtx(t))
	assert.ErrorIs(t, err2, context.DeadlineExceeded)
}

func TestClientContextCancel(t *testing.T) {
	release := make(chan struct{})
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO()
		f.expect("NOOP")
		<-release
	})
	defer close(release)
	require.NoError(t, c.Hello(clientCtx(t), ""))
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	err := c.Noop(ctx)
	require.ErrorIs(t, err, context.Canceled)
	// An already-cancelled context fails at once and leaves the client as is.
	c2 := clientDialFake(t, func(f *clientFake) { f.greetEHLO() })
	require.NoError(t, c2.Hello(clientCtx(t), ""))
	assert.ErrorIs(t, c2.Noop(ctx), context.Canceled)
}

func TestClientHostileServer(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  error
	}{
		{"endless line", "250 " + strings.Repeat("A", 1<<20), ErrReplyTooLong},
		{"endless continuation", strings.Repeat("250-AAAA\r\n", 100000), ErrReplyTooLong},
		{"garbage", "HTTP/1.1 400 Bad Request\r\n", ErrReplyMalformed},
		{"disconnect mid-reply", "250-half", io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientDialFake(t, func(f *clientFake) {
				f.send("220 hostile")
				f.expect("EHLO localhost")
				f.conn.Write([]byte(tt.reply))
			})
			err := c.Hello(clientCtx(t), "")
			require.ErrorIs(t, err, tt.want)
			assert.Error(t, c.Noop(clientCtx(t)))
		})
	}
}

func TestClientArguments(t *testing.T) {
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO()
		f.expect("QUIT")
		f.send("221 bye")
	})
	ctx := clientCtx(t)
	assert.ErrorIs(t, c.Hello(ctx, "bad name"), ErrClientArgument)
	assert.ErrorIs(t, c.Hello(ctx, "x\r\nRSET"), ErrClientArgument)
	require.NoError(t, c.Hello(ctx, ""))
	assert.ErrorIs(t, c.Rcpt(ctx, "", nil), ErrClientArgument)
	assert.ErrorIs(t, c.Rcpt(ctx, "a@b\nc", nil), ErrClientArgument)
	_, err := c.Send(ctx, "a@b.test", nil, strings.NewReader(""), nil)
	assert.ErrorIs(t, err, ErrClientArgument)
	_, err = c.Send(ctx, "a@b.test", []string{"c@d.test"}, nil, nil)
	assert.ErrorIs(t, err, ErrClientArgument)
	_, err = c.Send(ctx, "a@b.test", []string{"c@d.test", "e@f\r\n.test"}, strings.NewReader(""), nil)
	assert.ErrorIs(t, err, ErrClientArgument)
	assert.ErrorIs(t, c.StartTLS(ctx, nil), ErrNotAdvertised)
	assert.ErrorIs(t, c.Auth(ctx, PlainAuth("", "u", "p")), ErrNotAdvertised)
	require.NoError(t, c.Quit(ctx))
	assert.NoError(t, c.Close(), "Close after Quit")
}

func TestClientStartTLS(t *testing.T) {
	serverTLS, clientTLS := tlsPair(t)
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("STARTTLS", "PIPELINING")
		f.expect("STARTTLS")
		f.send("220 2.0.0 ready")
		if !f.startTLS(serverTLS) {
			return
		}
		f.expect("EHLO localhost")
		f.send("250-fake.test", "250-AUTH PLAIN", "250 PIPELINING")
		f.expect("AUTH PLAIN " + b64("\x00user\x00secret"))
		f.send("235 2.7.0 ok")
		f.expect("QUIT")
		f.send("221 bye")
	})
	ctx := clientCtx(t)
	require.NoError(t, c.Hello(ctx, ""))
	cfg := tlsConfigFor(clientTLS, "mx.test")
	require.NoError(t, c.StartTLS(ctx, cfg))
	state, ok := c.TLSConnectionState()
	require.True(t, ok)
	assert.True(t, state.HandshakeComplete)
	ok, _ = c.Extension("STARTTLS")
	assert.False(t, ok, "extensions must be those of the EHLO after TLS")
	assert.Equal(t, []string{"PLAIN"}, c.AuthMechanisms())
	assert.ErrorIs(t, c.StartTLS(ctx, cfg), ErrClientArgument)
	require.NoError(t, c.Auth(ctx, PlainAuth("", "user", "secret")))
	require.NoError(t, c.Quit(ctx))
}

func TestClientStartTLSFailures(t *testing.T) {
	serverTLS, _ := tlsPair(t)
	t.Run("untrusted certificate", func(t *testing.T) {
		c := clientDialFake(t, func(f *clientFake) {
			f.greetEHLO("STARTTLS")
			f.steps("STARTTLS", "220 ready")
			// The handshake fails on the client side: it does not trust
			// the certificate.
			f.startTLSQuietly(serverTLS)
		})
		err := c.StartTLS(clientCtx(t), nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "TLS handshake")
		assert.Error(t, c.Noop(clientCtx(t)))
	})
	t.Run("injected plaintext after 220", func(t *testing.T) {
		c := clientDialFake(t, func(f *clientFake) {
			f.greetEHLO("STARTTLS")
			f.expect("STARTTLS")
			f.send("220 ready", "250-injected", "250 AUTH PLAIN")
		})
		err := c.StartTLS(clientCtx(t), nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "after its STARTTLS reply")
	})
	t.Run("refused", func(t *testing.T) {
		c := clientDialFake(t, func(f *clientFake) {
			f.greetEHLO("STARTTLS")
			f.steps("STARTTLS", "454 4.7.0 TLS not available",
				"NOOP", "250 ok")
		})
		var se *Error
		require.ErrorAs(t, c.StartTLS(clientCtx(t), nil), &se)
		assert.Equal(t, 454, se.Code)
		require.NoError(t, c.Noop(clientCtx(t)))
	})
}

func TestClientDialTLS(t *testing.T) {
	serverTLS, clientTLS := tlsPair(t)
	addr := clientFakeServe(t, func(f *clientFake) {
		if !f.startTLS(serverTLS) || !f.greetEHLO("AUTH LOGIN") {
			return
		}
		f.steps("AUTH LOGIN", "334 "+b64("Username:"),
			b64("user"), "334 "+b64("Password:"),
			b64("pw"), "235 ok",
			"QUIT", "221 bye")
	})
	c, err := DialTLS(clientCtx(t), addr, clientTLS)
	require.NoError(t, err)
	defer c.Close()
	_, ok := c.TLSConnectionState()
	require.True(t, ok)
	require.NoError(t, c.Hello(clientCtx(t), ""))
	require.NoError(t, c.Auth(clientCtx(t), LoginAuth("user", "pw")))
	require.NoError(t, c.Quit(clientCtx(t)))
}

func TestClientSplitAddr(t *testing.T) {
	tests := []struct{ in, port, addr, host string }{
		{"mx.example.org:587", "25", "mx.example.org:587", "mx.example.org"},
		{"mx.example.org", "25", "mx.example.org:25", "mx.example.org"},
		{"mx.example.org", "465", "mx.example.org:465", "mx.example.org"},
		{"192.0.2.1", "25", "192.0.2.1:25", "192.0.2.1"},
		{"::1", "25", "[::1]:25", "::1"},
		{"[2001:db8::1]", "25", "[2001:db8::1]:25", "2001:db8::1"},
		{"[2001:db8::1]:2525", "25", "[2001:db8::1]:2525", "2001:db8::1"},
	}
	for _, tt := range tests {
		addr, host := splitAddr(tt.in, tt.port)
		assert.Equal(t, tt.addr, addr, tt.in)
		assert.Equal(t, tt.host, host, tt.in)
	}
}

func TestClientDataRefusedAndCancelled(t *testing.T) {
	t.Run("DATA refused", func(t *testing.T) {
		c := clientDialFake(t, func(f *clientFake) {
			f.greetEHLO()
			f.steps("DATA", "503 5.5.1 need RCPT first",
				"NOOP", "250 ok")
		})
		require.NoError(t, c.Hello(clientCtx(t), ""))
		w, err := c.Data(clientCtx(t))
		assert.Nil(t, w)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 503, se.Code)
		require.NoError(t, c.Noop(clientCtx(t)))
	})
	t.Run("context cancelled while writing", func(t *testing.T) {
		release := make(chan struct{})
		c := clientDialFake(t, func(f *clientFake) {
			f.greetEHLO()
			f.expect("DATA")
			f.send("354 go")
			<-release // reads nothing more: the client's writes block
		})
		defer close(release)
		require.NoError(t, c.Hello(clientCtx(t), ""))
		ctx, cancel := context.WithCancel(t.Context())
		w, err := c.Data(ctx)
		require.NoError(t, err)
		go func() {
			time.Sleep(50 * time.Millisecond)
			cancel()
		}()
		chunk := []byte(strings.Repeat("x", 1<<16) + "\r\n")
		for err == nil {
			_, err = w.Write(chunk)
		}
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, w.Close(), context.Canceled)
		assert.Error(t, c.Noop(clientCtx(t)))
	})
	t.Run("Quit with an open writer", func(t *testing.T) {
		c := clientDialFake(t, func(f *clientFake) {
			f.greetEHLO()
			f.expect("DATA")
			f.send("354 go")
			for {
				l, err := f.line()
				if err != nil {
					return
				}
				if l == "QUIT" || l == "." {
					t.Errorf("client sent %q inside the message", l)
				}
			}
		})
		require.NoError(t, c.Hello(clientCtx(t), ""))
		w, err := c.Data(clientCtx(t))
		require.NoError(t, err)
		io.WriteString(w, "partial\r\n")
		assert.ErrorIs(t, c.Quit(clientCtx(t)), ErrClientArgument)
		assert.ErrorIs(t, c.Noop(clientCtx(t)), ErrClientClosed)
	})
}
