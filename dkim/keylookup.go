package dkim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

// checkKey applies the key record's constraints to the signature
// (RFC 6376 §3.6.1, §6.1.2; RFC 8301 §3.2).
func checkKey(key *KeyRecord, sig *Signature, minRSABits, maxRSABits int) error {
	if key.Revoked() {
		return fmt.Errorf("%w: %s._domainkey.%s has an empty p=", ErrKeyRevoked, sig.Selector, sig.Domain)
	}
	if err := checkKeyAlgorithm(key, sig.Algorithm); err != nil {
		return err
	}
	if key.Strict() {
		at := strings.LastIndexByte(sig.Identity, '@')
		if !strings.EqualFold(strings.TrimSuffix(sig.Identity[at+1:], "."), sig.Domain) {
			return fmt.Errorf("%w: i=%s, d=%s", ErrStrictIdentity, sig.Identity, sig.Domain)
		}
	}
	if err := key.CheckRSASize(minRSABits, maxRSABits); err != nil {
		return fmt.Errorf("%w (%s._domainkey.%s)", err, sig.Selector, sig.Domain)
	}
	return nil
}

// checkKeyAlgorithm checks the key's k=, h= and s= against a signature's
// a= (lower-cased).
func checkKeyAlgorithm(key *KeyRecord, algorithm Algorithm) error {
	alg, hashName, _ := strings.Cut(algorithm, "-")
	if key.KeyType != alg {
		return fmt.Errorf("%w: key is k=%s, signature a=%s", ErrKeyMismatch, key.KeyType, algorithm)
	}
	if key.HashAlgorithms != nil {
		found := false
		for _, h := range key.HashAlgorithms {
			found = found || h == hashName
		}
		if !found {
			return fmt.Errorf("%w: key h=%s excludes %s", ErrKeyMismatch, strings.Join(key.HashAlgorithms, ":"), hashName)
		}
	}
	if key.Services != nil {
		found := false
		for _, s := range key.Services {
			found = found || s == "*" || s == "email"
		}
		if !found {
			return fmt.Errorf("%w: key s=%s is not for email", ErrKeyMismatch, strings.Join(key.Services, ":"))
		}
	}
	return nil
}

// lookupKey fetches and parses the key record at
// <selector>._domainkey.<domain>. (RFC 6376 §3.6.2.2).
func lookupKey(ctx context.Context, res Resolver, selector, domain string) (*KeyRecord, error) {
	name := selector + "._domainkey." + domain + "."
	txts, err := res.LookupTXT(ctx, name)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			return nil, fmt.Errorf("%w: %s", ErrKeyNotFound, name)
		}
		return nil, temporary(name, err)
	}
	if len(txts) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrKeyNotFound, name)
	}
	var firstErr error
	for _, txt := range txts {
		k, err := ParseKeyRecord(txt)
		if err == nil {
			return k, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("%s: %w", name, firstErr)
}
