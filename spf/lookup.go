package spf

import (
	"context"
	"fmt"
	"net"
)

// selectRecord picks the SPF record among a domain's TXT strings (RFC 7208
// §4.5): the one that starts with "v=spf1" followed by a space or the end.
// found is false when there is none; more than one is ErrMultipleRecords.
func selectRecord(domain string, txts []string) (record string, found bool, err error) {
	for _, t := range txts {
		if isSPF(t) {
			if found {
				return "", false, fmt.Errorf("%w at %s", ErrMultipleRecords, domain)
			}
			record, found = t, true
		}
	}
	return record, found, nil
}

// Lookup fetches the SPF record of domain and selects it as check_host()
// does (RFC 7208 §4.4 record lookup, §4.5 selection), then parses it. It
// returns the record and its text as published.
//
// A domain that publishes no SPF record (NXDOMAIN, NODATA, or TXT records
// none of which is "v=spf1"), or a name that is no usable domain (RFC
// 7208 §4.3), gives (nil, "", nil): check_host() would return none. Errors
// wrap ErrMultipleRecords when there is more than one SPF record, ErrSyntax
// when the record does not parse (the text is returned with it), and
// ErrTemporary (with a *net.DNSError) when the TXT query failed: the
// results permerror and temperror of §4.4 and §4.5.
//
// Lookup makes one DNS query; it does not follow include or redirect.
func (c *Checker) Lookup(ctx context.Context, domain string) (*Record, string, error) {
	d, ok := identityDomain(domain)
	if !ok {
		return nil, "", nil
	}
	var r Resolver = net.DefaultResolver
	if c.Resolver != nil {
		r = c.Resolver
	}
	e := evaluator{ctx: ctx, r: r}
	txts, notFound, err := e.lookupTXT(d)
	if err != nil {
		return nil, "", err
	}
	if notFound {
		return nil, "", nil
	}
	text, found, err := selectRecord(d, txts)
	if err != nil || !found {
		return nil, "", err
	}
	rec, err := Parse(text)
	if err != nil {
		return nil, text, fmt.Errorf("%w (in the record of %s)", err, d)
	}
	return rec, text, nil
}
