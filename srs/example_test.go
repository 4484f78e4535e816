package srs_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/mailsmith/mailsmith/srs"
)

func fixedClock() time.Time { return time.Unix(1700000000, 0) } // 2023-11-14

func ExampleRewriter_Forward() {
	rw := &srs.Rewriter{
		Domain:  "forwarder.example",
		Secrets: [][]byte{[]byte("public-test-secret-1")},
		Now:     fixedClock,
	}
	for _, sender := range []string{
		"user@example.org",
		"SRS0=GzLP=G3=origin.example=alice@hop1.example", // already rewritten once
		"owner@forwarder.example",                        // our own domain
		"",                                               // a bounce: stays null
	} {
		out, err := rw.Forward(sender)
		fmt.Printf("%q %v\n", out, err)
	}
	// Output:
	// "SRS0=APu3=G3=example.org=user@forwarder.example" <nil>
	// "SRS1=De3J=hop1.example==GzLP=G3=origin.example=alice@forwarder.example" <nil>
	// "owner@forwarder.example" <nil>
	// "" <nil>
}

func ExampleRewriter_Reverse() {
	rw := &srs.Rewriter{
		Domain:  "forwarder.example",
		Secrets: [][]byte{[]byte("public-test-secret-1")},
		Now:     fixedClock,
	}
	for _, rcpt := range []string{
		"SRS0=APu3=G3=example.org=user@forwarder.example",
		"SRS0=APU3=G3=EXAMPLE.ORG=USER@FORWARDER.EXAMPLE", // case smashed on the way
		"SRS0=AAAA=G3=example.org=user@forwarder.example", // forged
		"postmaster@forwarder.example",
	} {
		orig, err := rw.Reverse(rcpt)
		switch {
		case errors.Is(err, srs.ErrNotSRS):
			fmt.Println("not SRS: deliver locally")
		case errors.Is(err, srs.ErrBadHash):
			fmt.Println("forged: reject")
		case err != nil:
			fmt.Println("other error:", err)
		default:
			fmt.Println("bounce to", orig)
		}
	}
	// Output:
	// bounce to user@example.org
	// bounce to USER@EXAMPLE.ORG
	// forged: reject
	// not SRS: deliver locally
}

// Key rotation: put the new secret first; addresses signed with the old
// one keep verifying until they expire.
func ExampleRewriter_secretRotation() {
	before := &srs.Rewriter{Domain: "fwd.example", Secrets: [][]byte{[]byte("old-secret")}, Now: fixedClock}
	addr, _ := before.Forward("user@example.org")

	after := &srs.Rewriter{Domain: "fwd.example", Secrets: [][]byte{[]byte("new-secret"), []byte("old-secret")}, Now: fixedClock}
	orig, err := after.Reverse(addr)
	fmt.Println(orig, err)
	// Output: user@example.org <nil>
}

// Expiry: SRS0 addresses are valid for MaxAge (21 days by default).
func ExampleRewriter_maxAge() {
	rw := &srs.Rewriter{Domain: "fwd.example", Secrets: [][]byte{[]byte("s3cret")}, Now: fixedClock}
	addr, _ := rw.Forward("user@example.org")
	rw.Now = func() time.Time { return fixedClock().Add(22 * 24 * time.Hour) }
	_, err := rw.Reverse(addr)
	fmt.Println(errors.Is(err, srs.ErrExpired))
	// Output: true
}

// LimitLocalPart turns rewrites longer than RFC 5321's 64-octet local part
// into an error the caller can act on.
func ExampleRewriter_limitLocalPart() {
	rw := &srs.Rewriter{
		Domain:         "fwd.example",
		Secrets:        [][]byte{[]byte("s3cret")},
		Now:            fixedClock,
		LimitLocalPart: true,
	}
	_, err := rw.Forward("a.rather.long.local.part@a-long-subdomain.example-organisation.example")
	fmt.Println(errors.Is(err, srs.ErrTooLong))
	// Output: true
}

func ExampleIsSRS() {
	fmt.Println(srs.IsSRS("SRS0=APu3=G3=example.org=user@forwarder.example"), srs.IsSRS("user@example.org"))
	// Output: true false
}

// A message from user@example.org is forwarded by forwarder.example; later
// a bounce comes back to the rewritten address.
func Example() {
	rw := &srs.Rewriter{
		Domain:  "forwarder.example",
		Secrets: [][]byte{[]byte("public-test-secret-1")},
		Now:     fixedClock,
	}
	mailFrom, err := rw.Forward("user@example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("MAIL FROM:<" + mailFrom + ">")

	bounceTo, err := rw.Reverse(mailFrom)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("bounce goes to", bounceTo)
	// Output:
	// MAIL FROM:<SRS0=APu3=G3=example.org=user@forwarder.example>
	// bounce goes to user@example.org
}
