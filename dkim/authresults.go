package dkim

import (
	"errors"
	"strings"
)

// NoSignature is the Authentication-Results method string for a message
// without any DKIM-Signature: RFC 8601 §2.7.1 gives the dkim method the
// result "none" for it. Pass it to authres.Build (or Header.Add) where
// Verify returned no Verification; AuthResults does so by itself.
const NoSignature = "dkim=none"

// AuthResults returns the Authentication-Results method strings of the
// signatures Verify checked, one per signature in order (each its
// AuthResult), or the single NoSignature when there are none: what
// authres.Build takes for the dkim method.
func AuthResults(vs []Verification) []string {
	if len(vs) == 0 {
		return []string{NoSignature}
	}
	out := make([]string, len(vs))
	for i := range vs {
		out[i] = vs[i].AuthResult()
	}
	return out
}

// String returns AuthResult.
func (v *Verification) String() string { return v.AuthResult() }

// AuthResult formats the result as an RFC 8601 Authentication-Results method
// entry, e.g. "dkim=pass header.d=example.org header.s=sel
// header.i=@example.org header.a=rsa-sha256 header.b=AbCdEfGh". The other
// packages of the suite give theirs under the same name.
func (v *Verification) AuthResult() string {
	var b strings.Builder
	b.WriteString("dkim=" + string(v.Result))
	if v.Err != nil {
		b.WriteString(" (" + reason(v.Err) + ")")
	} else if v.Testing {
		b.WriteString(" (test mode)")
	}
	if v.Domain != "" {
		b.WriteString(" header.d=" + arValue(v.Domain))
	}
	if v.Selector != "" {
		b.WriteString(" header.s=" + arValue(v.Selector))
	}
	if v.Signature != nil {
		b.WriteString(" header.i=" + arValue(v.Identity))
	}
	if v.Algorithm != "" {
		b.WriteString(" header.a=" + arValue(v.Algorithm))
	}
	if v.Signature != nil && len(v.Signature.B64) >= 8 {
		b.WriteString(" header.b=" + arValue(v.Signature.B64[:8]))
	}
	return b.String()
}

// arValue quotes an Authentication-Results property value when it holds
// characters that cannot appear unquoted there (RFC 8601 §2.2).
func arValue(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`"();\,<>[]`, c) >= 0 {
			return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
		}
	}
	return s
}

// sentinels lists the package's errors from the most to the least
// specific, for naming the reason of a result.
var sentinels = []error{
	ErrBodyHashMismatch, ErrSignatureMismatch, ErrBodyTooShort,
	ErrKeyNotFound, ErrTemporary, ErrKeyRevoked, ErrMalformedKey, ErrKeyMismatch,
	ErrKeyTooSmall, ErrStrictIdentity, ErrInsecureAlgorithm, ErrUnsupportedAlgorithm,
	ErrUnsupportedVersion, ErrUnsupportedCanonicalization, ErrUnsupportedQueryMethod,
	ErrFromNotSigned, ErrIdentityMismatch, ErrExpired, ErrMissingTag, ErrMalformedSignature,
}

// reason is a short comment for Authentication-Results: the sentinel's
// text, or the error text made safe for a comment.
func reason(err error) string {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return strings.TrimPrefix(s.Error(), "dkim: ")
		}
	}
	return clip(strings.Map(func(r rune) rune {
		if r == '(' || r == ')' || r == '\\' || r < ' ' || r > '~' {
			return '_'
		}
		return r
	}, err.Error()))
}
