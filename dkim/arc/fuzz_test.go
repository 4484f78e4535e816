package arc

import (
	"context"
	"strings"
	"testing"
)

// FuzzParseFields: the three ARC field parsers never panic, and what they
// accept is within the limits.
func FuzzParseFields(f *testing.F) {
	for _, s := range []string{
		"a=rsa-sha256; b=AAAA; cv=none; d=example.org; i=1; s=dummy; t=12345",
		"i=2; a=ed25519-sha256; c=relaxed/simple; d=example.org; s=s; h=from:to; bh=AAAA; b=AAAA; l=10",
		"i=1; lists.example.org; spf=pass smtp.mailfrom=a@example.org",
		"i=51; x", " i = 1 ;;", "i=01; cv=PASS", "h=arc-seal; i=1",
		"ARC-Seal: i=1; a=rsa-sha1; b=; cv=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if seal, err := ParseSeal(s); err == nil {
			if seal.Instance < 1 || seal.Instance > MaxInstance || len(seal.Signature) == 0 {
				t.Fatalf("accepted %q as %+v", s, seal)
			}
			switch seal.ChainStatus {
			case None, Pass, Fail:
			default:
				t.Fatalf("cv=%q accepted", seal.ChainStatus)
			}
		}
		if ams, err := ParseMessageSignature(s); err == nil {
			if ams.Instance < 1 || ams.Instance > MaxInstance || len(ams.Headers) == 0 || len(ams.Headers) > maxSignedHeaders {
				t.Fatalf("accepted %q as %+v", s, ams)
			}
		}
		if i, _, err := ParseAuthenticationResults(s); err == nil && (i < 1 || i > MaxInstance) {
			t.Fatalf("accepted i=%d", i)
		}
	})
}

// FuzzVerify: any message gets a verdict without panicking, and the
// verdict is consistent with Err. Seeds: the suite's validation messages.
func FuzzVerify(f *testing.F) {
	scenarios, v := validationSuite(f)
	for _, sc := range scenarios {
		for _, name := range sortedKeys(sc.Tests) {
			f.Add(crlf(sc.Tests[name].Message))
		}
	}
	f.Fuzz(func(t *testing.T, msg string) {
		res, err := v.Verify(context.Background(), strings.NewReader(msg))
		if err != nil {
			return
		}
		switch res.Status {
		case None, Pass:
			if res.Err != nil {
				t.Fatalf("%s with Err %v", res.Status, res.Err)
			}
		case Fail:
			if res.Err == nil {
				t.Fatal("fail without Err")
			}
		default:
			t.Fatalf("status %q", res.Status)
		}
		if res.Status == Pass && (res.OldestPass < 1 || res.OldestPass > res.Sets) {
			t.Fatalf("oldest pass %d of %d", res.OldestPass, res.Sets)
		}
		_ = res.AuthResult()
	})
}
