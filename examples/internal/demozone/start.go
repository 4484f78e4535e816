package demozone

import (
	"crypto"
	"crypto/tls"
	"fmt"
	"sync"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/examples/internal/securedns"
	"github.com/mailsmith/mailsmith/examples/internal/tlscert"
	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// Key is a DKIM signing key published in the zone (example.net's seals
// ARC sets, which use the same key records, RFC 8617 §4.1).
type Key struct {
	Domain, Selector string
	Signer           crypto.Signer
	Record           string // the TXT data published
}

// Zone is the running demo zone.
type Zone struct {
	Server *dnstest.Server
	Keys   []Key
	// DANECert is the STARTTLS certificate of ForwarderMX, self-signed:
	// its key is pinned by the TLSA record published at
	// _25._tcp.mx.example.net (RFC 7672), which is all DANE needs.
	DANECert tls.Certificate
}

// Signed are the zones the demo treats as DNSSEC-signed (see
// DANEResolver).
var Signed = []string{ForwarderDomain}

// keySpecs are the keys Start generates and publishes.
var keySpecs = []struct {
	domain, selector, keyType string
}{
	{SenderDomain, SelectorRSA, dkim.KeyTypeRSA},
	{SenderDomain, SelectorEd25519, dkim.KeyTypeEd25519},
	{ReceiverDomain, SelectorBounce, dkim.KeyTypeEd25519},
	{ForwarderDomain, SelectorARC, dkim.KeyTypeRSA},
}

// Start generates the DKIM keys, starts a DNS server on 127.0.0.1 with the
// demo zone and publishes the keys in it. Close stops it.
func Start() (*Zone, error) {
	keys := make([]Key, len(keySpecs))
	errs := make([]error, len(keySpecs))
	var wg sync.WaitGroup
	for i, ks := range keySpecs {
		wg.Go(func() {
			keys[i], errs[i] = newKey(ks.domain, ks.selector, ks.keyType)
		})
	}
	srv, err := dnstest.Start(Text)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("demo zone: %w", err)
	}
	z := &Zone{Server: srv, Keys: keys}
	if err := z.publishTLSA(); err != nil {
		srv.Close()
		return nil, err
	}
	for i, k := range keys {
		if errs[i] != nil {
			srv.Close()
			return nil, errs[i]
		}
		rec, err := dkim.NewKeyRecord(k.Signer.Public())
		if err != nil {
			srv.Close()
			return nil, fmt.Errorf("key record for %s: %w", k.Domain, err)
		}
		if err := srv.Add(rec.ZoneText(k.Selector, k.Domain)); err != nil {
			srv.Close()
			return nil, fmt.Errorf("publish key %s._domainkey.%s: %w", k.Selector, k.Domain, err)
		}
	}
	return z, nil
}

func newKey(domain, selector, keyType string) (Key, error) {
	signer, err := dkim.GenerateKey(keyType, 2048)
	if err != nil {
		return Key{}, fmt.Errorf("generate %s key for %s: %w", keyType, domain, err)
	}
	rec, err := dkim.NewKeyRecord(signer.Public())
	if err != nil {
		return Key{}, fmt.Errorf("key record for %s: %w", domain, err)
	}
	return Key{Domain: domain, Selector: selector, Signer: signer, Record: rec.String()}, nil
}

// Key returns the key for domain and selector, or nil.
func (z *Zone) Key(domain, selector string) *Key {
	for i := range z.Keys {
		if z.Keys[i].Domain == domain && z.Keys[i].Selector == selector {
			return &z.Keys[i]
		}
	}
	return nil
}

// Selectors returns the selectors published for domain.
func (z *Zone) Selectors(domain string) []string {
	var s []string
	for _, k := range z.Keys {
		if k.Domain == domain {
			s = append(s, k.Selector)
		}
	}
	return s
}

// publishTLSA makes the forwarder MX's certificate and publishes its
// "3 1 1" TLSA record.
func (z *Zone) publishTLSA() error {
	cert, err := tlscert.SelfSigned(ForwarderMX)
	if err != nil {
		return fmt.Errorf("certificate of %s: %w", ForwarderMX, err)
	}
	rec, err := tlscert.TLSARecord(&tls.Config{Certificates: []tls.Certificate{cert}}, ForwarderMX)
	if err != nil {
		return err
	}
	if err := z.Server.Add(rec); err != nil {
		return fmt.Errorf("publish TLSA of %s: %w", ForwarderMX, err)
	}
	z.DANECert = cert
	return nil
}

// DANEResolver returns a resolver for mx/dane that asks the demo zone's
// server and calls the answers for the Signed zones secure: a stand-in
// for a validating resolver (see package securedns), which an unsigned
// zone on loopback cannot have.
func (z *Zone) DANEResolver() *securedns.Resolver {
	return securedns.New(z.Server.Addr(), Signed...)
}

// Close stops the DNS server.
func (z *Zone) Close() { z.Server.Close() }

// Resolver returns a resolver that asks only the demo zone's server (reverse
// lookups included, see resolver.Direct).
func (z *Zone) Resolver() resolver.Resolver {
	return resolver.Direct(z.Server.Resolver(), z.Server.Addr())
}
