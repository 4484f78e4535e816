package arc_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/dkim/arc"
)

// A fixed Ed25519 key (its signatures are deterministic) and the DNS that
// publishes it, in memory.
var (
	listKey = ed25519.NewKeyFromSeed([]byte("an example seed of 32 bytes.....")[:32])
	zone    = func() keyZone {
		rec, err := dkim.NewKeyRecord(listKey.Public())
		if err != nil {
			panic(err)
		}
		return keyZone{"arc._domainkey.lists.example.org.": {rec.String()}}
	}()
)

// keyZone is a Resolver answering TXT queries from a map (names arrive
// absolute, with the trailing dot).
type keyZone map[string][]string

func (z keyZone) LookupTXT(_ context.Context, name string) ([]string, error) {
	if txt, ok := z[name]; ok {
		return txt, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

const received = "From: Alice <alice@example.com>\r\n" +
	"To: list@lists.example.org\r\n" +
	"Subject: hello\r\n" +
	"\r\n" +
	"Hello, list.\r\n"

// A mailing list validates the incoming chain, records its results, adds a
// footer, and seals.
func ExampleSealer_Seal() {
	ctx := context.Background()
	v := &arc.Verifier{Resolver: zone}
	res, err := v.Verify(ctx, strings.NewReader(received))
	if err != nil {
		panic(err)
	}
	ar, err := authres.Build("lists.example.org", "spf=pass smtp.mailfrom=alice@example.com", res.AuthResult())
	if err != nil {
		panic(err)
	}
	msg := ar.Field() + received + "-- \r\nthe list footer\r\n"

	s := &arc.Sealer{
		Domain: "lists.example.org", Selector: "arc", Key: listKey,
		AuthServID: "lists.example.org",
		Headers:    []string{"From", "To", "Subject"},
		Resolver:   zone,
		Now:        func() time.Time { return time.Unix(1765000000, 0) },
	}
	set, err := s.Seal(ctx, strings.NewReader(msg))
	if err != nil {
		panic(err)
	}
	fmt.Print(strings.ReplaceAll(set, "\r\n", "\n"))

	res, err = v.Verify(ctx, strings.NewReader(set+msg))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.AuthResult())
	// Output:
	// ARC-Seal: a=ed25519-sha256;
	//  b=3IleOiCpNr7EWFYCV6okL0dnO0NwJATgLGQPOsa7AAmWlkqZ0njX08p40syCnn8dHVH6ApR2oa2Xc9sc+F2GBA==;
	//  cv=none; d=lists.example.org; i=1; s=arc; t=1765000000
	// ARC-Message-Signature: a=ed25519-sha256;
	//  b=oNj7GHKRynJXAJbKE9GRUea47aPiyY1/zgUYi1akNOoJ9yHZvJdltVT9FiV1N+NNgvbVg2/8UPmVVEns47PwAQ==;
	//  bh=Kj7Qyh9d+ZcYJvf/2j5umPEvMvOyDeFxSV1uuhlervA=; c=relaxed/relaxed;
	//  d=lists.example.org; h=from:to:subject; i=1; s=arc; t=1765000000
	// ARC-Authentication-Results: i=1; lists.example.org;
	// 	spf=pass smtp.mailfrom=alice@example.com;
	// 	arc=none
	// arc=pass (i=1 d=lists.example.org)
}

// A receiver reports the chain in its Authentication-Results and, when
// DMARC fails, may accept the message on the results of a sealer it trusts
// (RFC 8617 §7.2).
func ExampleResult_SealedBy() {
	ctx := context.Background()
	s := &arc.Sealer{Domain: "lists.example.org", Selector: "arc", Key: listKey,
		AuthServID: "lists.example.org", Resolver: zone}
	msg := "Authentication-Results: lists.example.org; arc=none;\r\n" +
		" dmarc=pass header.from=example.com\r\n" + received
	set, err := s.Seal(ctx, strings.NewReader(msg))
	if err != nil {
		panic(err)
	}

	v := &arc.Verifier{Resolver: zone}
	res, err := v.Verify(ctx, strings.NewReader(set+msg))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.AuthResult())
	if set, ok := res.SealedBy("lists.example.org"); ok {
		ar, err := set.Results()
		if err != nil {
			panic(err)
		}
		for _, r := range ar.Results {
			if r.Method == "dmarc" {
				fmt.Printf("i=%d %s saw dmarc=%s\n", set.Instance, ar.AuthServID, r.Value)
			}
		}
	}
	// Output:
	// arc=pass (i=1 d=lists.example.org)
	// i=1 lists.example.org saw dmarc=pass
}

// Verify reports the chain status; a message changed after the newest
// seal fails, and Err says where.
func ExampleVerifier_Verify() {
	ctx := context.Background()
	s := &arc.Sealer{Domain: "lists.example.org", Selector: "arc", Key: listKey,
		AuthServID: "lists.example.org", Resolver: zone}
	set, err := s.Seal(ctx, strings.NewReader(received))
	if err != nil {
		panic(err)
	}
	v := &arc.Verifier{Resolver: zone}
	for _, msg := range []string{received, set + received, set + received + "appended\r\n"} {
		res, err := v.Verify(ctx, strings.NewReader(msg))
		if err != nil {
			panic(err)
		}
		fmt.Println(res.Status, res.Sets, res.Err)
	}
	// Output:
	// none 0 <nil>
	// pass 1 <nil>
	// fail 1 arc: ARC-Message-Signature did not verify: i=1 (d=lists.example.org s=arc): dkim: body hash did not verify
}
