package mtasts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mailsmith/mailsmith/mx"
	"github.com/mailsmith/mailsmith/mx/internal/txtfields"
)

// Resolver is the DNS lookup LookupRecord and Client need: LookupTXT, with the method
// signature of *net.Resolver, which satisfies it, as does any resolver with
// the same method. It is the parent package's mx.TXTResolver, as the
// discovery of the record is mx.LookupVersionedTXT.
type Resolver = mx.TXTResolver

// Extension is a field of a TXT record or policy that RFC 8461 does not
// define, kept in the order it appeared (RFC 8461 §3.1, §3.2: unknown
// fields are ignored, but not lost).
type Extension struct {
	Key, Value string
}

// Record is a parsed _mta-sts TXT record (RFC 8461 §3.1), such as
// "v=STSv1; id=20160831085700Z;".
type Record struct {
	// ID identifies the current policy: 1 to 32 letters and digits. A
	// changed ID tells senders to fetch the policy again.
	ID string
	// Extensions holds the other fields, in order.
	Extensions []Extension
}

// maxIDLen is the longest id RFC 8461 §3.1 allows: 1*32(ALPHA / DIGIT).
const maxIDLen = 32

// ParseRecord parses the text of one _mta-sts TXT record (its strings
// already concatenated, as RFC 8461 §3.1 says). The grammar is that of
// §3.1: "v=STSv1" first, then ";"-separated fields, WSP around the ";"
// allowed, a trailing ";" allowed; names and the version are
// case-sensitive. When "id" appears more than once the first one counts
// (§3.2: duplicated non-repeated fields are ignored). Errors wrap
// ErrRecordSyntax and say where the record went wrong.
func ParseRecord(txt string) (*Record, error) {
	rec := &Record{}
	haveID := false
	err := recordSyntax.Walk(txt, func(name, value string) error {
		switch {
		case name == "id" && !haveID:
			if !isID(value) {
				return fmt.Errorf("invalid id %q: want 1 to 32 letters and digits", value)
			}
			rec.ID, haveID = value, true
		case name == "id":
			// A repeated id: the first one counts (RFC 8461 §3.2).
		default:
			rec.Extensions = append(rec.Extensions, Extension{Key: name, Value: value})
		}
		return nil
	})
	if err == nil && !haveID {
		err = errors.New("missing id field")
	}
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrRecordSyntax, cut(txt), err)
	}
	return rec, nil
}

// recordSyntax is the field grammar of RFC 8461 §3.1, which RFC 8460 §3
// shares.
var recordSyntax = txtfields.Syntax{Version: "v=STSv1"}

// cut shortens s for an error message.
func cut(s string) string { return txtfields.Cut(s) }

func isID(s string) bool {
	if len(s) == 0 || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

// String formats the record as it is published: "v=STSv1; id=...", then the
// extensions in order.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=STSv1; id=")
	b.WriteString(r.ID)
	for _, e := range r.Extensions {
		txtfields.WriteField(&b, e.Key, e.Value)
	}
	return b.String()
}

// LookupRecord reads the _mta-sts TXT record of domain (RFC 8461 §3.1).
// Records that do not begin with "v=STSv1;" are ignored; none, several or
// an invalid one is ErrNoPolicy (wrapping also ErrMultipleRecords or
// ErrRecordSyntax). A temporary DNS failure wraps ErrTemporary and a
// *net.DNSError. CNAMEs are followed as the resolver does. A nil r is
// net.DefaultResolver. The query is for the absolute name, so no search
// domain is appended.
func LookupRecord(ctx context.Context, r Resolver, domain string) (*Record, error) {
	d, err := normalizeDomain(domain)
	if err != nil {
		return nil, err
	}
	name := "_mta-sts." + d + "."
	found, err := mx.LookupVersionedTXT(ctx, r, name, "v=STSv1")
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: TXT lookup %s: %w", ErrTemporary, name, err)
	case len(found) == 0:
		return nil, fmt.Errorf("%w: no \"v=STSv1;\" TXT record at %s", ErrNoPolicy, name)
	case len(found) > 1:
		return nil, fmt.Errorf("%w: %w: %d records at %s", ErrNoPolicy, ErrMultipleRecords, len(found), name)
	}
	rec, err := ParseRecord(found[0])
	if err != nil {
		return nil, fmt.Errorf("%w: at %s: %w", ErrNoPolicy, name, err)
	}
	return rec, nil
}
