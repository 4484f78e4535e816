package smtp

// Tests of the delivery TLS policy: SendMail and Client.ApplyTLSPolicy
// against this package's Server on loopback, with certificates made here
// (self-signed, from a test CA, for the wrong name) and a server whose TLS
// handshake always fails.

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tpMXName is the MX host name the test certificates are made for.
const tpMXName = "mx1.example.test"

// tpCertKit holds the certificates of one TLS policy test.
type tpCertKit struct {
	roots      *x509.CertPool  // holds the test CA only
	caSigned   tls.Certificate // from the test CA, for tpMXName
	wrongName  tls.Certificate // from the test CA, for other.example.test
	selfSigned tls.Certificate // self-signed, for tpMXName
}

// tpCerts makes the certificates.
func tpCerts(t *testing.T) *tpCertKit {
	ca := testcert.NewCA(t, "mailsmith test CA")
	return &tpCertKit{
		roots:      ca.Pool(),
		caSigned:   ca.Valid(t, tpMXName),
		wrongName:  ca.Valid(t, "other.example.test"),
		selfSigned: testcert.SelfSigned(t, tpMXName),
	}
}

// tpServer is a Server on loopback for one test, with what the policy
// tests look at: connections accepted, the SNI names seen, the messages.
type tpServer struct {
	addr    string
	backend *stBackend
	conns   atomic.Int32
	sni     testcert.SNILog
}

// tpCountingListener counts accepted connections.
type tpCountingListener struct {
	net.Listener
	n *atomic.Int32
}

func (l tpCountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// The kinds of TLS a test server has.
const (
	tpNoTLS      = "no STARTTLS"
	tpSelfSigned = "self-signed"
	tpCASigned   = "test CA"
	tpWrongName  = "test CA, wrong name"
	tpBroken     = "broken handshake"
)

// tpServe starts a Server whose STARTTLS (or implicit TLS) uses the
// certificate of kind, recording the SNI of every handshake.
func tpServe(t *testing.T, kit *tpCertKit, kind string, implicitTLS bool) *tpServer {
	t.Helper()
	s := &tpServer{backend: clientE2EBackend()}
	srv := &Server{Hostname: tpMXName, Backend: s.backend, ReadTimeout: 10 * time.Second}
	switch kind {
	case tpSelfSigned:
		srv.TLSConfig = s.sni.Config(&kit.selfSigned)
	case tpCASigned:
		srv.TLSConfig = s.sni.Config(&kit.caSigned)
	case tpWrongName:
		srv.TLSConfig = s.sni.Config(&kit.wrongName)
	case tpBroken:
		srv.TLSConfig = s.sni.Config(nil)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	stServe(t, srv, tpCountingListener{Listener: l, n: &s.conns}, implicitTLS)
	s.addr = l.Addr().String()
	return s
}

// send delivers a message "hi" from s@example.org to r@example.org to
// the server with SendMail and opts.
func (s *tpServer) send(t *testing.T, opts ...SendOption) error {
	return SendMail(clientCtx(t), s.addr, "s@example.org", []string{"r@example.org"}, strings.NewReader("hi\r\n"), opts...)
}

// tpRoots returns a config that trusts the test CA and checks tpMXName.
func tpRoots(kit *tpCertKit) *tls.Config {
	return &tls.Config{RootCAs: kit.roots, ServerName: tpMXName}
}

func TestSendMailTLSPolicy(t *testing.T) {
	kit := tpCerts(t)
	roots := &tls.Config{RootCAs: kit.roots, ServerName: tpMXName}
	policy := func(m TLSMode, cfg *tls.Config) SendOption { return WithTLSPolicy(TLSPolicy{Mode: m, Config: cfg}) }
	auth := WithAuth(PlainAuth("", "user", "secret"))
	tests := []struct {
		name    string
		server  string
		opts    []SendOption
		wantTLS bool   // delivered, over TLS
		wantErr string // else: the error names this policy ("" delivers)
		conns   int32  // connections the client made
	}{
		// The default for MX delivery, issue 12 point 4: STARTTLS when
		// offered, whatever the certificate.
		{"default, self-signed", tpSelfSigned, nil, true, "", 1},
		{"default, wrong name", tpWrongName, nil, true, "", 1},
		{"default, test CA, roots not given", tpCASigned, nil, true, "", 1},
		{"default, no STARTTLS", tpNoTLS, nil, false, "", 1},
		{"default, broken handshake: plain-text retry", tpBroken, nil, false, "", 2},
		{"default with old WithTLSConfig, self-signed", tpSelfSigned, []SendOption{WithTLSConfig(roots)}, true, "", 1},

		{"opportunistic, broken handshake: plain-text retry", tpBroken, []SendOption{policy(TLSOpportunistic, nil)}, false, "", 2},
		{"none, self-signed: plain text", tpSelfSigned, []SendOption{policy(TLSNone, nil)}, false, "", 1},
		{"WithoutSTARTTLS: plain text", tpCASigned, []SendOption{WithoutSTARTTLS()}, false, "", 1},

		{"required, self-signed", tpSelfSigned, []SendOption{policy(TLSRequired, nil)}, true, "", 1},
		{"required, wrong name", tpWrongName, []SendOption{policy(TLSRequired, nil)}, true, "", 1},
		{"required, no STARTTLS", tpNoTLS, []SendOption{policy(TLSRequired, nil)}, false, "required", 1},
		{"required, broken handshake: no retry", tpBroken, []SendOption{policy(TLSRequired, nil)}, false, "required", 1},

		{"verified, test CA", tpCASigned, []SendOption{policy(TLSVerified, roots)}, true, "", 1},
		{"verified, self-signed", tpSelfSigned, []SendOption{policy(TLSVerified, roots)}, false, "verified", 1},
		{"verified, self-signed, system roots", tpSelfSigned, []SendOption{policy(TLSVerified, nil)}, false, "verified", 1},
		{"verified, wrong name", tpWrongName, []SendOption{policy(TLSVerified, roots)}, false, "verified", 1},
		{"verified, name from dialled host (an IP) not on the certificate", tpCASigned,
			[]SendOption{policy(TLSVerified, &tls.Config{RootCAs: kit.roots})}, false, "verified", 1},
		{"verified, InsecureSkipVerify ignored", tpSelfSigned,
			[]SendOption{policy(TLSVerified, &tls.Config{InsecureSkipVerify: true})}, false, "verified", 1},
		{"verified, no STARTTLS", tpNoTLS, []SendOption{policy(TLSVerified, roots)}, false, "verified", 1},
		{"verified, broken handshake", tpBroken, []SendOption{policy(TLSVerified, roots)}, false, "verified", 1},
		{"WithRequireSTARTTLS, self-signed", tpSelfSigned, []SendOption{WithRequireSTARTTLS(), WithTLSConfig(roots)}, false, "verified", 1},
		{"WithRequireSTARTTLS and InsecureSkipVerify: required", tpSelfSigned,
			[]SendOption{WithRequireSTARTTLS(), WithTLSConfig(&tls.Config{InsecureSkipVerify: true})}, true, "", 1},
		{"WithRequireSTARTTLS and InsecureSkipVerify, no STARTTLS", tpNoTLS,
			[]SendOption{WithRequireSTARTTLS(), WithTLSConfig(&tls.Config{InsecureSkipVerify: true})}, false, "required", 1},

		// Submission defaults to TLSVerified.
		{"auth, test CA", tpCASigned, []SendOption{auth, WithTLSConfig(roots)}, true, "", 1},
		{"auth, self-signed", tpSelfSigned, []SendOption{auth, WithTLSConfig(roots)}, false, "verified", 1},
		{"auth, no STARTTLS", tpNoTLS, []SendOption{auth}, false, "verified", 1},
		{"auth, broken handshake: no retry", tpBroken, []SendOption{auth}, false, "verified", 1},
		{"auth with old InsecureSkipVerify: required", tpSelfSigned,
			[]SendOption{auth, WithTLSConfig(&tls.Config{InsecureSkipVerify: true})}, true, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tpServe(t, kit, tt.server, false)
			err := SendMail(clientCtx(t), s.addr, "s@example.org", []string{"r@example.org"},
				strings.NewReader("Subject: policy\r\n\r\nhi\r\n"), append([]SendOption{WithLocalName("client.test")}, tt.opts...)...)
			msgs := s.backend.messages()
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrTLSRequired)
				var pe *TLSPolicyError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tt.wantErr, pe.Mode.String())
				assert.Contains(t, err.Error(), "smtp: TLS required by policy "+tt.wantErr+": ")
				assert.Empty(t, msgs, "nothing delivered")
			} else {
				require.NoError(t, err)
				require.Len(t, msgs, 1)
				assert.Equal(t, tt.wantTLS, msgs[0].TLS, "delivered over TLS")
				assert.Equal(t, "Subject: policy\r\n\r\nhi\r\n", string(msgs[0].Data))
			}
			assert.Equal(t, tt.conns, s.conns.Load(), "connections")
		})
	}
}

// TestSendMailSelfSignedMXDefault is issue 12 point 4: the README promises
// "STARTTLS when offered" for MX delivery, so a self-signed certificate on
// the MX must not stop delivery by default; TLSVerified refuses it.
func TestSendMailSelfSignedMXDefault(t *testing.T) {
	kit := tpCerts(t)
	s := tpServe(t, kit, tpSelfSigned, false)
	require.NoError(t, s.send(t))
	msgs := s.backend.messages()
	require.Len(t, msgs, 1)
	assert.True(t, msgs[0].TLS, "STARTTLS was used")

	err := s.send(t, WithTLSPolicy(TLSPolicy{Mode: TLSVerified, Config: &tls.Config{ServerName: tpMXName}}))
	require.ErrorIs(t, err, ErrTLSRequired)
	assert.ErrorContains(t, err, "policy verified")
	var ua x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &ua, "the x509 error is reachable for TLS reporting")
	assert.Len(t, s.backend.messages(), 1, "nothing more delivered")
}

func TestSendMailTLSPolicyImplicitTLS(t *testing.T) {
	kit := tpCerts(t)
	tests := []struct {
		name    string
		server  string
		opts    []SendOption
		wantErr string
	}{
		{"default verified, test CA", tpCASigned, []SendOption{WithTLSConfig(&tls.Config{RootCAs: kit.roots, ServerName: tpMXName})}, ""},
		{"default verified, self-signed", tpSelfSigned, nil, "verified"},
		{"required, self-signed", tpSelfSigned, []SendOption{WithTLSPolicy(TLSPolicy{Mode: TLSRequired})}, ""},
		{"required, broken", tpBroken, []SendOption{WithTLSPolicy(TLSPolicy{Mode: TLSRequired})}, "required"},
		{"opportunistic, self-signed", tpSelfSigned, []SendOption{WithTLSPolicy(TLSPolicy{})}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tpServe(t, kit, tt.server, true)
			err := s.send(t, append([]SendOption{WithImplicitTLS()}, tt.opts...)...)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrTLSRequired)
				require.ErrorIs(t, err, ErrTLSHandshake)
				assert.ErrorContains(t, err, "policy "+tt.wantErr)
				assert.Empty(t, s.backend.messages())
				return
			}
			require.NoError(t, err)
			msgs := s.backend.messages()
			require.Len(t, msgs, 1)
			assert.True(t, msgs[0].TLS)
		})
	}
	t.Run("none refused", func(t *testing.T) {
		err := SendMail(clientCtx(t), "127.0.0.1:1", "s@example.org", []string{"r@example.org"}, strings.NewReader("hi\r\n"),
			WithImplicitTLS(), WithoutSTARTTLS())
		assert.ErrorIs(t, err, ErrClientArgument)
	})
}

// TestSendMailTLSPolicySNI checks the name the client sends as Server Name
// Indication: the MX host name when one is known, none for an IP address.
func TestSendMailTLSPolicySNI(t *testing.T) {
	kit := tpCerts(t)
	tests := []struct {
		name   string
		policy TLSPolicy
		want   string
	}{
		{"opportunistic, MX name in ServerName", TLSPolicy{Config: &tls.Config{ServerName: tpMXName}}, tpMXName},
		{"required, MX name in ServerName", TLSPolicy{Mode: TLSRequired, Config: &tls.Config{ServerName: tpMXName}}, tpMXName},
		{"verified, MX name in ServerName", TLSPolicy{Mode: TLSVerified, Config: tpRoots(kit)}, tpMXName},
		{"opportunistic, dialled by IP address: no SNI", TLSPolicy{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tpServe(t, kit, tpCASigned, false)
			require.NoError(t, s.send(t, WithTLSPolicy(tt.policy)))
			assert.Equal(t, []string{tt.want}, s.sni.Names())
		})
	}
}

// TestSendMailTLSPolicyVerifyConnection checks that Config.VerifyConnection
// (where DANE plugs in) runs under every mode that starts TLS, and that its
// refusal counts as a failed handshake.
func TestSendMailTLSPolicyVerifyConnection(t *testing.T) {
	kit := tpCerts(t)
	tests := []struct {
		mode    TLSMode
		refuse  bool
		wantTLS bool
		wantErr bool
		conns   int32
	}{
		{TLSOpportunistic, false, true, false, 1},
		{TLSOpportunistic, true, false, false, 2}, // refused: plain-text retry
		{TLSRequired, false, true, false, 1},
		{TLSRequired, true, false, true, 1},
		{TLSVerified, false, true, false, 1},
		{TLSVerified, true, false, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+map[bool]string{true: ", refused", false: ", accepted"}[tt.refuse], func(t *testing.T) {
			s := tpServe(t, kit, tpCASigned, false)
			var calls atomic.Int32
			var sawName string
			cfg := &tls.Config{RootCAs: kit.roots, ServerName: tpMXName, VerifyConnection: func(cs tls.ConnectionState) error {
				calls.Add(1)
				sawName = cs.PeerCertificates[0].Subject.CommonName
				if tt.refuse {
					return errors.New("no TLSA record matches")
				}
				return nil
			}}
			err := s.send(t, WithTLSPolicy(TLSPolicy{Mode: tt.mode, Config: cfg}))
			assert.Equal(t, int32(1), calls.Load(), "VerifyConnection calls")
			assert.Equal(t, tpMXName, sawName)
			assert.Equal(t, tt.conns, s.conns.Load(), "connections")
			if tt.wantErr {
				require.ErrorIs(t, err, ErrTLSRequired)
				assert.ErrorContains(t, err, "no TLSA record matches")
				assert.ErrorContains(t, err, "policy "+tt.mode.String())
				return
			}
			require.NoError(t, err)
			msgs := s.backend.messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, tt.wantTLS, msgs[0].TLS)
		})
	}
}

func TestSendMailTLSPolicyOptions(t *testing.T) {
	insecure := &tls.Config{InsecureSkipVerify: true}
	roots := &tls.Config{ServerName: "x.test"}
	auth := WithAuth(PlainAuth("", "u", "p"))
	tests := []struct {
		name       string
		opts       []SendOption
		want       TLSMode
		wantConfig *tls.Config
	}{
		{"nothing: delivery", nil, TLSOpportunistic, nil},
		{"WithTLSConfig: delivery", []SendOption{WithTLSConfig(roots)}, TLSOpportunistic, roots},
		{"WithTLSConfig insecure: delivery", []SendOption{WithTLSConfig(insecure)}, TLSOpportunistic, insecure},
		{"WithAuth: submission", []SendOption{auth}, TLSVerified, nil},
		{"WithImplicitTLS: submission", []SendOption{WithImplicitTLS()}, TLSVerified, nil},
		{"WithAuth, WithTLSConfig insecure", []SendOption{auth, WithTLSConfig(insecure)}, TLSRequired, insecure},
		{"WithRequireSTARTTLS", []SendOption{WithRequireSTARTTLS()}, TLSVerified, nil},
		{"WithRequireSTARTTLS, WithTLSConfig insecure", []SendOption{WithTLSConfig(insecure), WithRequireSTARTTLS()}, TLSRequired, insecure},
		{"WithoutSTARTTLS", []SendOption{WithoutSTARTTLS()}, TLSNone, nil},
		{"WithoutSTARTTLS with auth", []SendOption{auth, WithoutSTARTTLS()}, TLSNone, nil},
		{"WithTLSPolicy zero with auth", []SendOption{auth, WithTLSPolicy(TLSPolicy{})}, TLSOpportunistic, nil},
		{"WithTLSPolicy verified, insecure config", []SendOption{WithTLSPolicy(TLSPolicy{Mode: TLSVerified, Config: insecure})}, TLSVerified, insecure},
		{"WithTLSPolicy then WithTLSConfig", []SendOption{WithTLSPolicy(TLSPolicy{Mode: TLSRequired}), WithTLSConfig(roots)}, TLSRequired, roots},
		{"last mode wins", []SendOption{WithTLSPolicy(TLSPolicy{Mode: TLSVerified}), WithoutSTARTTLS()}, TLSNone, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg clientSendConfig
			for _, o := range tt.opts {
				o(&cfg)
			}
			p := cfg.tlsPolicy()
			assert.Equal(t, tt.want, p.Mode)
			assert.Same(t, tt.wantConfig, p.Config)
		})
	}
}

func TestTLSPolicyClientConfig(t *testing.T) {
	base := &tls.Config{ServerName: "", InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}
	tests := []struct {
		policy       TLSPolicy
		host         string
		wantName     string
		wantInsecure bool
	}{
		{TLSPolicy{}, "mx.example.test", "mx.example.test", true},
		{TLSPolicy{Mode: TLSRequired}, "192.0.2.1", "192.0.2.1", true},
		{TLSPolicy{Mode: TLSVerified}, "mx.example.test", "mx.example.test", false},
		{TLSPolicy{Mode: TLSVerified, Config: base}, "mx.example.test", "mx.example.test", false},
		{TLSPolicy{Mode: TLSVerified, Config: &tls.Config{ServerName: "given.test"}}, "192.0.2.1", "given.test", false},
		{TLSPolicy{Mode: TLSOpportunistic, Config: &tls.Config{ServerName: "given.test"}}, "192.0.2.1", "given.test", true},
	}
	for _, tt := range tests {
		t.Run(tt.policy.Mode.String()+" "+tt.host, func(t *testing.T) {
			cfg := tt.policy.tlsConfig(tt.host)
			assert.Equal(t, tt.wantName, cfg.ServerName)
			assert.Equal(t, tt.wantInsecure, cfg.InsecureSkipVerify)
			if tt.policy.Config != nil {
				assert.NotSame(t, tt.policy.Config, cfg, "the caller's config is cloned")
				assert.Equal(t, tt.policy.Config.MinVersion, cfg.MinVersion)
			}
		})
	}
	assert.True(t, base.InsecureSkipVerify, "the caller's config is not changed")
	assert.Empty(t, base.ServerName)
}

func TestTLSModeString(t *testing.T) {
	for m, want := range map[TLSMode]string{
		TLSOpportunistic: "opportunistic", TLSNone: "none", TLSRequired: "required",
		TLSVerified: "verified", TLSMode(9): "TLSMode(9)",
	} {
		assert.Equal(t, want, m.String())
	}
	assert.Equal(t, TLSOpportunistic, TLSPolicy{}.Mode, "the zero policy is opportunistic")
}

// TestClientApplyTLSPolicy drives a Client command by command.
func TestClientApplyTLSPolicy(t *testing.T) {
	kit := tpCerts(t)
	dial := func(t *testing.T, s *tpServer, host string) *Client {
		conn, err := net.Dial("tcp", s.addr)
		require.NoError(t, err)
		c := NewClient(conn, host)
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("verified with the MX name from NewClient, SNI sent", func(t *testing.T) {
		s := tpServe(t, kit, tpCASigned, false)
		c := dial(t, s, tpMXName)
		require.NoError(t, c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{Mode: TLSVerified, Config: &tls.Config{RootCAs: kit.roots}}))
		st, ok := c.TLSConnectionState()
		require.True(t, ok)
		assert.NotEmpty(t, st.VerifiedChains)
		assert.Equal(t, []string{tpMXName}, s.sni.Names())
		_, err := c.Send(clientCtx(t), "s@example.org", []string{"r@example.org"}, strings.NewReader("hi\r\n"), nil)
		require.NoError(t, err)
		require.NoError(t, c.Quit(clientCtx(t)))
		require.Len(t, s.backend.messages(), 1)
		assert.True(t, s.backend.messages()[0].TLS)
	})
	t.Run("opportunistic, self-signed", func(t *testing.T) {
		s := tpServe(t, kit, tpSelfSigned, false)
		c := dial(t, s, tpMXName)
		require.NoError(t, c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{}))
		_, ok := c.TLSConnectionState()
		assert.True(t, ok)
		assert.Equal(t, []string{tpMXName}, s.sni.Names())
	})
	t.Run("opportunistic, not offered: plain text, nil", func(t *testing.T) {
		s := tpServe(t, kit, tpNoTLS, false)
		c := dial(t, s, tpMXName)
		require.NoError(t, c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{}))
		_, ok := c.TLSConnectionState()
		assert.False(t, ok)
		require.NoError(t, c.Noop(clientCtx(t)))
	})
	t.Run("opportunistic, broken handshake: ErrTLSHandshake, no policy error", func(t *testing.T) {
		s := tpServe(t, kit, tpBroken, false)
		c := dial(t, s, tpMXName)
		err := c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{})
		require.ErrorIs(t, err, ErrTLSHandshake)
		assert.NotErrorIs(t, err, ErrTLSRequired)
		assert.Error(t, c.Noop(clientCtx(t)), "the connection is closed")
	})
	t.Run("none: nothing sent", func(t *testing.T) {
		s := tpServe(t, kit, tpSelfSigned, false)
		c := dial(t, s, tpMXName)
		require.NoError(t, c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{Mode: TLSNone}))
		_, ok := c.TLSConnectionState()
		assert.False(t, ok)
		assert.Empty(t, s.sni.Names())
	})
	t.Run("required, not offered", func(t *testing.T) {
		s := tpServe(t, kit, tpNoTLS, false)
		c := dial(t, s, tpMXName)
		err := c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{Mode: TLSRequired})
		var pe *TLSPolicyError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, TLSRequired, pe.Mode)
		assert.ErrorIs(t, err, ErrNotAdvertised)
	})
	t.Run("verified, implicit TLS not verified", func(t *testing.T) {
		s := tpServe(t, kit, tpSelfSigned, true)
		c, err := DialTLS(clientCtx(t), s.addr, &tls.Config{InsecureSkipVerify: true})
		require.NoError(t, err)
		defer c.Close()
		err = c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{Mode: TLSVerified})
		require.ErrorIs(t, err, ErrTLSRequired)
		assert.ErrorContains(t, err, "not verified")
		assert.NoError(t, c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{Mode: TLSRequired}))
	})
	t.Run("unknown mode", func(t *testing.T) {
		s := tpServe(t, kit, tpNoTLS, false)
		c := dial(t, s, tpMXName)
		assert.ErrorIs(t, c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{Mode: 7}), ErrClientArgument)
	})
}

func TestVerifyCertificate(t *testing.T) {
	kit := tpCerts(t)
	leaf := func(c tls.Certificate) []*x509.Certificate {
		x, err := x509.ParseCertificate(c.Certificate[0])
		require.NoError(t, err)
		return []*x509.Certificate{x}
	}
	tests := []struct {
		name     string
		certs    []*x509.Certificate
		host     string
		wantType any // nil: passes
	}{
		{"test CA, right name", leaf(kit.caSigned), tpMXName, nil},
		{"test CA, name case-insensitive", leaf(kit.caSigned), "MX1.Example.Test", nil},
		{"test CA, wrong name", leaf(kit.wrongName), tpMXName, x509.HostnameError{}},
		{"self-signed", leaf(kit.selfSigned), tpMXName, x509.UnknownAuthorityError{}},
		{"no certificate", nil, tpMXName, errors.New("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyCertificate(tls.ConnectionState{PeerCertificates: tt.certs}, kit.roots, tt.host)
			switch want := tt.wantType.(type) {
			case nil:
				assert.NoError(t, err)
			case x509.HostnameError:
				assert.ErrorAs(t, err, &want)
				assert.ErrorContains(t, err, "smtp: certificate of "+tt.host)
			case x509.UnknownAuthorityError:
				assert.ErrorAs(t, err, &want)
			default:
				assert.ErrorContains(t, err, "no server certificate")
			}
		})
	}
	t.Run("after an opportunistic STARTTLS", func(t *testing.T) {
		for _, kind := range []string{tpCASigned, tpWrongName} {
			s := tpServe(t, kit, kind, false)
			conn, err := net.Dial("tcp", s.addr)
			require.NoError(t, err)
			c := NewClient(conn, tpMXName)
			defer c.Close()
			require.NoError(t, c.ApplyTLSPolicy(clientCtx(t), TLSPolicy{}))
			st, ok := c.TLSConnectionState()
			require.True(t, ok)
			err = VerifyCertificate(st, kit.roots, tpMXName)
			if kind == tpCASigned {
				assert.NoError(t, err)
			} else {
				var he x509.HostnameError
				assert.ErrorAs(t, err, &he)
			}
		}
	})
}
