package mx

import (
	"context"
	"net"
	"strings"
)

// TXTResolver is the lookup LookupVersionedTXT needs. *net.Resolver
// satisfies it, as does any resolver with the same method signature.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// LookupVersionedTXT returns the TXT records at name that begin with the
// version tag (such as "v=STSv1" or "v=TLSRPTv1") followed by optional
// spaces or tabs and ";": the discovery step of the policy records that
// sit beside a domain's MX, MTA-STS (RFC 8461 §3.1) and SMTP TLS reporting
// (RFC 8460 §3), which discard every other record at the name. A record
// is the text of one TXT RR, its strings joined, as *net.Resolver gives it.
// The caller decides what none or several mean (both RFCs: no policy).
//
// A name that does not exist or has no TXT records gives no records and no
// error. Any other failure (SERVFAIL, a timeout, REFUSED, a network error,
// a cancelled context) is returned as an error in which errors.As finds a
// *net.DNSError with IsTemporary set, the resolver's own error still in
// its chain, as for Lookup's ErrTemporary; it carries no "mx:" text, so a
// caller can wrap it in its own package's error.
//
// Query an absolute name (with the trailing dot) so that no search domain
// is appended. A nil r is net.DefaultResolver.
func LookupVersionedTXT(ctx context.Context, r TXTResolver, name, version string) ([]string, error) {
	if r == nil {
		r = net.DefaultResolver
	}
	txts, err := r.LookupTXT(ctx, name)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, asTemporary(name, err)
	}
	var found []string
	for _, t := range txts {
		if hasVersion(t, version) {
			found = append(found, t)
		}
	}
	return found, nil
}

// hasVersion reports whether txt begins with version, then optional WSP
// and ";" (RFC 8461 §3.1 sts-field-delim = *WSP ";" *WSP, erratum 6285;
// RFC 8460 §3 tlsrpt-field-delim alike).
func hasVersion(txt, version string) bool {
	rest, ok := strings.CutPrefix(txt, version)
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	return rest != "" && rest[0] == ';'
}
