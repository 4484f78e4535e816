package demozone

import (
	"bytes"
	"fmt"

	"github.com/mailsmith/mailsmith/dkim"
)

// Sign signs msg with every key published for domain (for example.org, one
// RSA and one Ed25519 signature) and returns it with the DKIM-Signature
// fields on top.
func (z *Zone) Sign(domain string, msg []byte) ([]byte, error) {
	var signers []*dkim.Signer
	for _, k := range z.Keys {
		if k.Domain == domain {
			signers = append(signers, &dkim.Signer{Domain: k.Domain, Selector: k.Selector, Key: k.Signer})
		}
	}
	if len(signers) == 0 {
		return nil, fmt.Errorf("demo zone: no DKIM key for %s", domain)
	}
	fields, err := dkim.SignMulti(bytes.NewReader(msg), signers...)
	if err != nil {
		return nil, fmt.Errorf("sign for %s: %w", domain, err)
	}
	var b bytes.Buffer
	for _, f := range fields {
		b.WriteString(f)
	}
	b.Write(msg)
	return b.Bytes(), nil
}
