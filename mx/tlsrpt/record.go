package tlsrpt

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mailsmith/mailsmith/mx"
	"github.com/mailsmith/mailsmith/mx/internal/txtfields"
)

// Resolver is the DNS lookup Lookup need: LookupTXT, with the method
// signature of *net.Resolver, which satisfies it, as does any resolver with
// the same method. It is the parent package's mx.TXTResolver, as the
// discovery of the record is mx.LookupVersionedTXT.
type Resolver = mx.TXTResolver

// Extension is a record field RFC 8460 does not define, kept in order.
type Extension struct {
	Key, Value string
}

// Record is a parsed _smtp._tls TXT record (RFC 8460 §3), such as
// "v=TLSRPTv1; rua=mailto:tlsrpt@example.com".
type Record struct {
	// RUA lists where reports go, in order: "mailto:" and "https:" URIs
	// (RFC 8460 §3); several rua fields add up.
	RUA []string
	// Extensions holds the other fields, in order.
	Extensions []Extension
}

// ParseRecord parses the text of one _smtp._tls TXT record by the grammar
// of RFC 8460 §3: "v=TLSRPTv1" first, ";"-separated fields with WSP
// around the ";", a trailing ";" allowed, at least one rua field with one or
// more URIs separated by ",". Each URI must have a scheme and parse as an
// RFC 3986 URI. Trailing WSP at the end is tolerated. Errors wrap
// ErrRecordSyntax.
func ParseRecord(txt string) (*Record, error) {
	rec := &Record{}
	haveRUA := false
	err := recordSyntax.Walk(txt, func(name, value string) error {
		if name != "rua" {
			rec.Extensions = append(rec.Extensions, Extension{Key: name, Value: value})
			return nil
		}
		uris, err := parseRUA(value)
		if err != nil {
			return err
		}
		rec.RUA = append(rec.RUA, uris...)
		haveRUA = true
		return nil
	})
	if err == nil && !haveRUA {
		err = errors.New("missing rua field")
	}
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrRecordSyntax, cut(txt), err)
	}
	return rec, nil
}

// recordSyntax is the field grammar of RFC 8460 §3 (that of RFC 8461
// §3.1), with rua's URI list running to the next ";" and white space
// after the last field tolerated.
var recordSyntax = txtfields.Syntax{Version: "v=TLSRPTv1", ListField: "rua", TrailingWSP: true}

// parseRUA splits tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri).
func parseRUA(v string) ([]string, error) {
	var out []string
	for _, u := range strings.Split(v, ",") {
		u = strings.Trim(u, " \t")
		if u == "" {
			return nil, fmt.Errorf("empty URI in rua")
		}
		if strings.ContainsAny(u, " \t!") {
			return nil, fmt.Errorf("rua URI %q contains a space or an unencoded \"!\"", cut(u))
		}
		pu, err := url.Parse(u)
		if err != nil {
			return nil, fmt.Errorf("rua URI %q: %v", cut(u), err)
		}
		if pu.Scheme == "" {
			return nil, fmt.Errorf("rua URI %q has no scheme", cut(u))
		}
		out = append(out, u)
	}
	return out, nil
}

// cut shortens s for an error message.
func cut(s string) string { return txtfields.Cut(s) }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// String formats the record as it is published.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=TLSRPTv1")
	if len(r.RUA) > 0 {
		txtfields.WriteField(&b, "rua", strings.Join(r.RUA, ","))
	}
	for _, e := range r.Extensions {
		txtfields.WriteField(&b, e.Key, e.Value)
	}
	return b.String()
}

// Lookup reads the TLSRPT record of domain at _smtp._tls.<domain> (RFC 8460
// §3). TXT records that do not begin with "v=TLSRPTv1;" are ignored; none,
// several or an invalid one is ErrNoRecord (wrapping also
// ErrMultipleRecords or ErrRecordSyntax). A temporary DNS failure wraps
// ErrTemporary and a *net.DNSError. A nil r is net.DefaultResolver; the
// name is queried absolute.
func Lookup(ctx context.Context, r Resolver, domain string) (*Record, error) {
	d, err := mx.NormalizeDomain(domain)
	if err != nil {
		// mx says what is wrong; this package's prefix goes in front instead.
		return nil, fmt.Errorf("%w: %s", ErrInvalidDomain, strings.TrimPrefix(err.Error(), mx.ErrInvalidDomain.Error()+": "))
	}
	name := "_smtp._tls." + d + "."
	found, err := mx.LookupVersionedTXT(ctx, r, name, "v=TLSRPTv1")
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: TXT lookup %s: %w", ErrTemporary, name, err)
	case len(found) == 0:
		return nil, fmt.Errorf("%w: no \"v=TLSRPTv1;\" TXT record at %s", ErrNoRecord, name)
	case len(found) > 1:
		return nil, fmt.Errorf("%w: %w: %d records at %s", ErrNoRecord, ErrMultipleRecords, len(found), name)
	}
	rec, err := ParseRecord(found[0])
	if err != nil {
		return nil, fmt.Errorf("%w: at %s: %w", ErrNoRecord, name, err)
	}
	return rec, nil
}

// Destinations splits the rua URIs into mailto addresses (without
// "mailto:" and without any "?" header part) and https URLs, the two
// schemes RFC 8460 §3 defines; other schemes are left out.
func (r *Record) Destinations() (mailto, https []string) {
	for _, u := range r.RUA {
		scheme, rest, _ := strings.Cut(u, ":")
		switch strings.ToLower(scheme) {
		case "mailto":
			addr, _, _ := strings.Cut(rest, "?")
			if a, err := url.PathUnescape(addr); err == nil {
				addr = a
			}
			if addr != "" {
				mailto = append(mailto, addr)
			}
		case "https":
			https = append(https, u)
		}
	}
	return mailto, https
}
