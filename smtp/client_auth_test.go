package smtp

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientSteps is a test SASL mechanism that answers each challenge with
// the next response and records the challenges.
type clientSteps struct {
	name       string
	ir         []byte
	responses  []string
	challenges []string
	failAt     int // 1-based challenge whose Next fails; 0 never
}

func (m *clientSteps) Start() (string, []byte, error) { return m.name, m.ir, nil }

func (m *clientSteps) Next(ch []byte) ([]byte, error) {
	m.challenges = append(m.challenges, string(ch))
	if len(m.challenges) == m.failAt {
		return nil, errors.New("mechanism gives up")
	}
	if len(m.responses) == 0 {
		return nil, errors.New("no more responses")
	}
	r := m.responses[0]
	m.responses = m.responses[1:]
	return []byte(r), nil
}

func TestClientAuth(t *testing.T) {
	longIR := strings.Repeat("x", 600)
	tests := []struct {
		name     string
		mech     func() SASLClient
		dialogue []string // alternating: expected client line, server reply
		wantCode int      // *Error code expected, 0 for success
		wantErr  string   // other error text expected
	}{
		{"plain", func() SASLClient { return PlainAuth("", "u", "p") },
			[]string{"AUTH PLAIN " + b64("\x00u\x00p"), "235 2.7.0 ok"}, 0, ""},
		{"plain with identity", func() SASLClient { return PlainAuth("admin", "u", "p") },
			[]string{"AUTH PLAIN " + b64("admin\x00u\x00p"), "235 ok"}, 0, ""},
		{"plain refused", func() SASLClient { return PlainAuth("", "u", "wrong") },
			[]string{"AUTH PLAIN " + b64("\x00u\x00wrong"), "535 5.7.8 credentials invalid"}, 535, ""},
		{"login", func() SASLClient { return LoginAuth("u", "p") },
			[]string{"AUTH LOGIN", "334 " + b64("Username:"), b64("u"), "334 " + b64("Password:"), b64("p"), "235 ok"}, 0, ""},
		{"login odd prompts", func() SASLClient { return LoginAuth("u", "p") },
			[]string{"AUTH LOGIN", "334 " + b64("who?"), b64("u"), "334 " + b64("secret?"), b64("p"), "235 ok"}, 0, ""},
		{"empty initial response", func() SASLClient { return &clientSteps{name: "X-EMPTY", ir: []byte{}} },
			[]string{"AUTH X-EMPTY =", "235 ok"}, 0, ""},
		{"initial response too long for the line", func() SASLClient { return &clientSteps{name: "X-LONG", ir: []byte(longIR)} },
			[]string{"AUTH X-LONG", "334 ", b64(longIR), "235 ok"}, 0, ""},
		{"multi-step", func() SASLClient { return &clientSteps{name: "X-STEPS", responses: []string{"one", "two"}} },
			[]string{"AUTH X-STEPS", "334 " + b64("c1"), b64("one"), "334 " + b64("c2"), b64("two"), "235 ok"}, 0, ""},
		{"mechanism gives up", func() SASLClient { return &clientSteps{name: "X-STEPS", failAt: 1} },
			[]string{"AUTH X-STEPS", "334 " + b64("c1"), "*", "501 5.7.0 cancelled"}, 501, "mechanism gives up"},
		{"challenge not base64", func() SASLClient { return &clientSteps{name: "X-STEPS"} },
			[]string{"AUTH X-STEPS", "334 !!!", "*", "501 cancelled"}, 501, "not base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientDialFake(t, func(f *clientFake) {
				f.greetEHLO("AUTH PLAIN LOGIN X-EMPTY X-LONG X-STEPS", "ENHANCEDSTATUSCODES")
				if f.steps(tt.dialogue...) {
					f.steps("NOOP", "250 ok")
				}
			})
			err := c.Auth(clientCtx(t), tt.mech())
			if tt.wantCode == 0 {
				require.NoError(t, err)
			} else {
				var se *Error
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.wantCode, se.Code)
				if tt.wantErr != "" {
					assert.Contains(t, err.Error(), tt.wantErr)
				}
				assert.NotContains(t, err.Error(), "wrong", "credentials must not appear in errors")
			}
			require.NoError(t, c.Noop(clientCtx(t)), "client stays usable")
		})
	}
}

func TestClientAuthRefusedLocally(t *testing.T) {
	c := clientDialFake(t, func(f *clientFake) {
		f.greetEHLO("AUTH PLAIN")
		f.expect("QUIT")
		f.send("221 bye")
	})
	ctx := clientCtx(t)
	require.NoError(t, c.Hello(ctx, ""))
	assert.ErrorIs(t, c.Auth(ctx, LoginAuth("u", "p")), ErrNotAdvertised, "LOGIN not offered")
	assert.ErrorIs(t, c.Auth(ctx, PlainAuth("", "u\x00", "p")), ErrClientArgument)
	require.NoError(t, c.Quit(ctx))
}

// clientRemoteConn pretends to be connected to a remote host.
type clientRemoteConn struct{ net.Conn }

func (clientRemoteConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 587}
}

func TestClientAuthInsecure(t *testing.T) {
	addr := clientFakeServe(t, func(f *clientFake) {
		f.greetEHLO("AUTH PLAIN")
		f.expect("AUTH PLAIN " + b64("\x00u\x00p"))
		f.send("235 ok")
	})
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	c := NewClient(clientRemoteConn{conn}, "mx.test")
	defer c.Close()
	ctx := clientCtx(t)
	require.NoError(t, c.Hello(ctx, ""))
	err = c.Auth(ctx, PlainAuth("", "u", "p"))
	require.ErrorIs(t, err, ErrInsecureAuth)
	assert.NotContains(t, err.Error(), "\x00u\x00p")
	c.AllowInsecureAuth = true
	require.NoError(t, c.Auth(ctx, PlainAuth("", "u", "p")))
}
