package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"net"
	"strings"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
)

// recommendedRSABits is the RSA key size RFC 8301 §3.2 recommends.
const recommendedRSABits = 2048

// checkDKIM reads the key record of one selector (RFC 6376 §3.6.2.1).
func checkDKIM(ctx context.Context, res resolver.Resolver, r *Report, selector string) {
	k := DKIMReport{Selector: selector, Name: selector + "._domainkey." + r.Domain}
	defer func() { r.DKIM = append(r.DKIM, k) }()
	txts, err := res.LookupTXT(ctx, fqdn(k.Name))
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound || err == nil && len(txts) == 0 {
		r.add(Warning, "dkim", "selector %s: no key at %s", selector, k.Name)
		return
	}
	if err != nil {
		k.Error = errText(err)
		r.add(Error, "dkim", "selector %s: lookup failed: %v", selector, err)
		return
	}
	k.Found = true
	if len(txts) > 1 {
		r.add(Warning, "dkim", "selector %s: %d TXT records; verifiers may pick any of them", selector, len(txts))
	}
	rec, err := dkim.ParseKeyRecord(strings.Join(txts[:1], ""))
	if err != nil {
		k.Error = errText(err)
		r.add(Error, "dkim", "selector %s: %v", selector, err)
		return
	}
	k.KeyType = rec.KeyType
	k.Testing = rec.Testing()
	k.Revoked = rec.Revoked()
	switch pub := rec.PublicKey.(type) {
	case *rsa.PublicKey:
		k.Bits = pub.N.BitLen()
	case ed25519.PublicKey:
		k.Bits = 8 * len(pub)
	}
	switch {
	case k.Revoked:
		r.add(Info, "dkim", "selector %s is revoked (empty p=)", selector)
	case k.KeyType == dkim.KeyTypeRSA && k.Bits < 1024:
		r.add(Error, "dkim", "selector %s: %d-bit RSA key; verifiers refuse keys under 1024 bits (RFC 8301)", selector, k.Bits)
	case k.KeyType == dkim.KeyTypeRSA && k.Bits < recommendedRSABits:
		r.add(Warning, "dkim", "selector %s: %d-bit RSA key; 2048 bits are recommended", selector, k.Bits)
	}
	if k.Testing {
		r.add(Info, "dkim", "selector %s has t=y: the domain is testing DKIM", selector)
	}
}
