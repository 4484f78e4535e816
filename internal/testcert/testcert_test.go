package testcert

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"testing"
	"time"
)

// TestChains checks the certificates against Go's verifier: a CA's
// issued, expired and self-signed certificates, and a path length
// constraint, each with the outcome the Spec asks for.
func TestChains(t *testing.T) {
	ca := NewCA(t, "test CA")
	now := time.Now()
	inter0 := Make(t, Spec{CN: "inter", CA: true, MaxPath: 0}, ca)
	inter1 := Make(t, Spec{CN: "inter2", CA: true, MaxPath: 0}, inter0)
	leafUnder := func(p *Cert) *x509.Certificate {
		return Make(t, Spec{CN: "mx.example.com", DNSNames: []string{"mx.example.com"}}, p).Cert
	}
	cases := []struct {
		name  string
		leaf  *x509.Certificate
		inter []*x509.Certificate
		want  error // nil: verifies; otherwise the error type's zero value
	}{
		{"valid", parse(t, ca.Valid(t, "mx.example.com").Certificate[0]), nil, nil},
		{"expired", parse(t, ca.Issue(t, now.Add(-2*time.Hour), now.Add(-time.Hour), "mx.example.com").Certificate[0]), nil, x509.CertificateInvalidError{}},
		{"wrong name", parse(t, ca.Valid(t, "other.example.com").Certificate[0]), nil, x509.HostnameError{}},
		{"self-signed", parse(t, SelfSigned(t, "mx.example.com").Certificate[0]), nil, x509.UnknownAuthorityError{}},
		{"under intermediate", leafUnder(inter0), Chain(inter0), nil},
		{"path too long", leafUnder(inter1), Chain(inter1, inter0), x509.CertificateInvalidError{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inter := x509.NewCertPool()
			for _, i := range c.inter {
				inter.AddCert(i)
			}
			_, err := c.leaf.Verify(x509.VerifyOptions{DNSName: "mx.example.com", Roots: ca.Pool(), Intermediates: inter})
			switch want := c.want.(type) {
			case nil:
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
			case x509.CertificateInvalidError:
				if !errors.As(err, &want) {
					t.Fatalf("Verify: %v, want %T", err, want)
				}
			case x509.HostnameError:
				if !errors.As(err, &want) {
					t.Fatalf("Verify: %v, want %T", err, want)
				}
			case x509.UnknownAuthorityError:
				if !errors.As(err, &want) {
					t.Fatalf("Verify: %v, want %T", err, want)
				}
			}
		})
	}
}

// TestTLS checks that TLS serves the chain in order with the leaf's key.
func TestTLS(t *testing.T) {
	ca := NewCA(t, "test CA")
	leaf := Make(t, Spec{CN: "a"}, ca)
	tc := leaf.TLS(ca)
	if len(tc.Certificate) != 2 || string(tc.Certificate[0]) != string(leaf.Cert.Raw) || string(tc.Certificate[1]) != string(ca.Cert.Raw) {
		t.Fatalf("chain not leaf, CA")
	}
	if tc.PrivateKey != leaf.Key || tc.Leaf != leaf.Cert {
		t.Fatalf("key or leaf not the certificate's")
	}
}

// TestServerSpec: names that are IP addresses become IP SANs, the others
// DNS names, and the certificate New makes verifies for each of them and
// for no other; serial numbers differ between certificates.
func TestServerSpec(t *testing.T) {
	ca := NewCA(t, "test CA")
	c, err := New(ServerSpec("mx.example.com", "127.0.0.1", "::1"), ca)
	if err != nil {
		t.Fatal(err)
	}
	if c.Cert.Subject.CommonName != "mx.example.com" || len(c.Cert.DNSNames) != 1 || len(c.Cert.IPAddresses) != 2 {
		t.Fatalf("CN %q, DNS names %v, IPs %v", c.Cert.Subject.CommonName, c.Cert.DNSNames, c.Cert.IPAddresses)
	}
	for name, ok := range map[string]bool{"mx.example.com": true, "127.0.0.1": true, "::1": true, "127.0.0.2": false, "mx.example.net": false} {
		_, err := c.Cert.Verify(x509.VerifyOptions{DNSName: name, Roots: ca.Pool()})
		if (err == nil) != ok {
			t.Errorf("%s: Verify: %v, want success %v", name, err, ok)
		}
	}
	if c.Cert.SerialNumber.Cmp(ca.Cert.SerialNumber) == 0 {
		t.Errorf("CA and leaf share serial %v", c.Cert.SerialNumber)
	}
	if _, err := New(Spec{CN: "bad", NotBefore: time.Now(), NotAfter: time.Now()}, &Cert{Cert: ca.Cert, Key: SelfSigned(t, "x").PrivateKey.(crypto.Signer)}); err == nil {
		t.Errorf("New with a parent key not matching its certificate: no error")
	}
}

func parse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServe makes handshakes with the served certificate: one that
// trusts the CA succeeds, one that trusts only another CA fails.
func TestServe(t *testing.T) {
	ca := NewCA(t, "test CA")
	addr := Serve(t, ca.Valid(t, "mx.example.com"))
	if !addr.IP.IsLoopback() {
		t.Fatalf("Serve listens on %v, want loopback", addr)
	}
	for _, c := range []struct {
		name  string
		roots *x509.Certificate
		ok    bool
	}{
		{"trusted", ca.Cert, true},
		{"other CA", NewCA(t, "other").Cert, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			pool := x509.NewCertPool()
			pool.AddCert(c.roots)
			conn, err := tls.Dial("tcp", addr.String(), &tls.Config{RootCAs: pool, ServerName: "mx.example.com"})
			if err == nil {
				conn.Close()
			}
			if (err == nil) != c.ok {
				t.Fatalf("handshake error %v, want success %v", err, c.ok)
			}
		})
	}
}

// TestIPs checks that a certificate made with IPs verifies for those
// addresses and for no other.
func TestIPs(t *testing.T) {
	ca := NewCA(t, "test CA")
	leaf := Make(t, Spec{CN: "mx.test", DNSNames: []string{"mx.test"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}}, ca).Cert
	for _, c := range []struct {
		name string
		ok   bool
	}{{"127.0.0.1", true}, {"::1", true}, {"mx.test", true}, {"127.0.0.2", false}} {
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: c.name, Roots: ca.Pool()})
		var he x509.HostnameError
		if c.ok && err != nil || !c.ok && !errors.As(err, &he) {
			t.Errorf("Verify for %s: %v, want success %v", c.name, err, c.ok)
		}
	}
}

// TestSNILog makes handshakes with and without a server name against a
// config that serves a certificate and one that has none: each name is
// recorded in order, and the config without a certificate fails them.
func TestSNILog(t *testing.T) {
	ca := NewCA(t, "test CA")
	cert := ca.Valid(t, "mx.example.com")
	for _, c := range []struct {
		name string
		cert *tls.Certificate
	}{{"serving", &cert}, {"no certificate", nil}} {
		t.Run(c.name, func(t *testing.T) {
			var log SNILog
			for _, sni := range []string{"mx.example.com", ""} {
				client, server := net.Pipe()
				done := make(chan error, 1)
				go func() { done <- tls.Server(server, log.Config(c.cert)).Handshake(); server.Close() }()
				err := tls.Client(client, &tls.Config{RootCAs: ca.Pool(), ServerName: sni, InsecureSkipVerify: sni == ""}).Handshake()
				client.Close()
				serr := <-done
				if (err == nil) != (c.cert != nil) || (serr == nil) != (c.cert != nil) {
					t.Fatalf("SNI %q: client %v, server %v; want success %v", sni, err, serr, c.cert != nil)
				}
			}
			if got := log.Names(); len(got) != 2 || got[0] != "mx.example.com" || got[1] != "" {
				t.Fatalf("Names() = %q, want [mx.example.com \"\"]", got)
			}
		})
	}
}
