package dkim_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/dkim"
)

// staticResolver serves key records from memory; a *net.Resolver works
// the same way.
type staticResolver map[string]string

func (r staticResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if txt, ok := r[name]; ok {
		return []string{txt}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

const message = "From: Joe SixPack <joe@football.example.com>\r\n" +
	"To: Suzie Q <suzie@shopping.example.net>\r\n" +
	"Subject: Is dinner ready?\r\n" +
	"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n" +
	"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n" +
	"\r\n" +
	"Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n"

// The RFC 8463 Appendix A Ed25519 key.
var seed = []byte{0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60}

func ExampleSigner_Sign() {
	s := &dkim.Signer{
		Domain:   "football.example.com",
		Selector: "brisbane",
		Key:      ed25519.NewKeyFromSeed(seed),
		Headers:  []string{"From", "To", "Subject", "Date", "Message-ID"},
		Now:      func() time.Time { return time.Unix(1528637909, 0) },
	}
	field, err := s.Sign(strings.NewReader(message))
	if err != nil {
		panic(err)
	}
	// The field is folded with CRLF TAB; print it on one line.
	fmt.Println(strings.NewReplacer("\r\n\t", " ", "\r\n", "").Replace(field))
	// Output:
	// DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=football.example.com; s=brisbane; t=1528637909; h=from:from:to:subject: date:message-id; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b= vN2NNEfK15VgbHaLjoKjG/9fYxD0eXnQVAvPD1OAuTUzeOu8StmCds5zgQLN7zVs+HMBtsIVo0B XDnMicHpyBQ==
}

func ExampleVerifier_Verify() {
	key := ed25519.NewKeyFromSeed(seed)
	rec, _ := dkim.NewKeyRecord(key.Public())
	s := &dkim.Signer{Domain: "football.example.com", Selector: "brisbane", Key: key}
	field, _ := s.Sign(strings.NewReader(message))

	v := &dkim.Verifier{Resolver: staticResolver{
		"brisbane._domainkey.football.example.com.": rec.String(),
	}}
	results, err := v.Verify(context.Background(), strings.NewReader(field+message))
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println(r.Result, r.Domain, r.Algorithm)
	}
	// A changed body is a fail, and Err says which hash did not match.
	results, _ = v.Verify(context.Background(), strings.NewReader(field+strings.Replace(message, "hungry", "thirsty", 1)))
	fmt.Println(results[0].Result, results[0].Err)
	// Output:
	// pass football.example.com ed25519-sha256
	// fail dkim: body hash did not verify (d=football.example.com s=brisbane)
}

func ExampleNewKeyRecord() {
	rec, err := dkim.NewKeyRecord(ed25519.NewKeyFromSeed(seed).Public())
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.String())
	fmt.Println(rec.ZoneText("brisbane", "football.example.com"))
	// Output:
	// v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
	// brisbane._domainkey.football.example.com. 3600 IN TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
}

func ExampleParseKeyRecord() {
	rec, err := dkim.ParseKeyRecord("v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.KeyType, rec.Testing(), rec.Revoked())
	// Output: ed25519 true false
}

func ExampleSignMulti() {
	rsaKey, _ := dkim.GenerateKey(dkim.KeyTypeRSA, 2048)
	edKey := ed25519.NewKeyFromSeed(seed)
	fields, err := dkim.SignMulti(strings.NewReader(message),
		&dkim.Signer{Domain: "football.example.com", Selector: "test", Key: rsaKey},
		&dkim.Signer{Domain: "football.example.com", Selector: "brisbane", Key: edKey},
	)
	if err != nil {
		panic(err)
	}
	for _, f := range fields {
		sig, _ := dkim.ParseSignature(f)
		fmt.Println(sig.Algorithm, sig.Selector)
	}
	// Output:
	// rsa-sha256 test
	// ed25519-sha256 brisbane
}

func ExampleAuthResults() {
	v := &dkim.Verifier{Resolver: staticResolver{}}
	// An unsigned message: no Verification, and "dkim=none" for
	// authres.Build (RFC 8601 §2.7.1).
	results, err := v.Verify(context.Background(), strings.NewReader(message))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(results), dkim.AuthResults(results))
	// Output:
	// 0 [dkim=none]
}
