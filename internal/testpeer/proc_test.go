package testpeer

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os/exec"
	"testing"
)

// TestProc keeps sh running over several calls: each request line comes
// back as the answer, the environment reaches the program, and an answer
// that is not JSON or a peer that has exited fails the test.
func TestProc(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	echo := Start(t, []string{"X=7"}, sh, "-c", `while read -r l; do echo "{\"x\":$X,\"req\":$l}"; done`)
	for i := range 3 {
		var resp struct{ X, Req int }
		echo.Call(t, i, &resp)
		if resp.X != 7 || resp.Req != i {
			t.Fatalf("call %d: answer %+v", i, resp)
		}
	}
	for name, script := range map[string]string{
		"not JSON": `read -r l; echo '{'`,
		"exits":    `exit 0`,
	} {
		p := Start(t, nil, sh, "-c", script)
		var resp any
		if f := run(func(tb testing.TB) { p.Call(tb, 1, &resp) }); f.failed == "" {
			t.Errorf("%s: Call did not fail the test", name)
		}
	}
	if f := run(func(tb testing.TB) { Start(tb, nil, "/nonexistent/peer") }); f.failed == "" {
		t.Errorf("a program that does not start: Start did not fail the test")
	}
}

// TestDkimpyKey: RSA keys as PKCS#1 PEM, Ed25519 keys as their base64
// seed, each decoding back to the key; other keys are an error.
func TestDkimpyKey(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	s, err := DkimpyKey(rk)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode([]byte(s))
	if b == nil || b.Type != "RSA PRIVATE KEY" {
		t.Fatalf("RSA: %q", s)
	}
	if back, err := x509.ParsePKCS1PrivateKey(b.Bytes); err != nil || !back.Equal(rk) {
		t.Fatalf("RSA: %v", err)
	}
	_, ek, _ := ed25519.GenerateKey(rand.Reader)
	s, err = DkimpyKey(ek)
	if err != nil {
		t.Fatal(err)
	}
	if seed, err := base64.StdEncoding.DecodeString(s); err != nil || !ed25519.NewKeyFromSeed(seed).Equal(ek) {
		t.Fatalf("Ed25519: %q %v", s, err)
	}
	ck, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := DkimpyKey(ck); err == nil {
		t.Fatal("ECDSA: no error")
	}
}
