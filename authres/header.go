package authres

import (
	"errors"
	"strconv"
)

// Header is the value of one Authentication-Results header field
// (RFC 8601 §2.2).
type Header struct {
	// AuthServID is the authentication service identifier (§2.5) as
	// written: its case is kept and a quoted-string is unquoted. It is
	// empty only for the two shapes that Parse tolerates without one (an
	// empty value, and a list of results with no authserv-id in front of
	// it, as Microsoft 365 writes).
	AuthServID string
	// Version is the authres-version after the authserv-id (§2.2); 0
	// when absent, which means 1. Parse reads any version; what to do
	// with one it does not know is the caller's decision.
	Version int
	// Results are the method results in order; empty for "none" (§2.2).
	Results []Result
}

// Result is one resinfo of the field: a method, its result and what it
// evaluated (RFC 8601 §2.2, §2.3, §2.7).
type Result struct {
	// Method is the method name in lower case, "dkim", "spf" (§2.7).
	Method string
	// MethodVersion is the method-version after a "/" ("dkim/1"); 0 when
	// absent.
	MethodVersion int
	// Value is the result keyword in lower case, "pass", "fail" (§2.7),
	// or the unquoted value Parse tolerates in its place.
	Value string
	// Reason is the reasonspec's value, unquoted (§2.2); "" when absent.
	Reason string
	// Props are the propspecs in order (§2.3).
	Props []Property
	// Text is the resinfo as it was written (parsed, or given to Add),
	// from its first character after the ";" to its last before the next
	// one, comments included, with line folding removed (RFC 5322
	// §2.2.3) and without surrounding white space. An ARC sealer copies it
	// into the ARC-Authentication-Results field. String writes Text in
	// place of the fields while Text still says what the fields say, so
	// comments survive; after a field has been changed it formats the
	// fields instead.
	Text string
}

// Property is one propspec, "header.d=example.org" (RFC 8601 §2.3).
type Property struct {
	// Type is the ptype in lower case: "smtp", "header", "body",
	// "policy", or an extension ptype, which is kept. It is empty for a
	// bare "name=value" after the result (Microsoft 365 writes
	// "action=none", Fastmail "x-bits=2048"), which Parse tolerates.
	Type string
	// Name is the property in lower case, "d", "mailfrom".
	Name string
	// Value is the pvalue: a quoted-string comes back unquoted; a mailbox
	// whose local-part is a quoted-string ("\"a b\"@example.org") is
	// kept as written, quotes included; RFC 2047 encoded-words are not
	// decoded.
	Value string
}

// Limits on what a sender controls in a field value. Parse fails with an
// error wrapping ErrLimit beyond them.
const (
	// MaxValueLen is the longest field value Parse reads, in bytes.
	MaxValueLen = 32 * 1024
	// MaxResults is the most resinfos in one field.
	MaxResults = 100
	// MaxProps is the most properties in one resinfo.
	MaxProps = 64
	// MaxCommentDepth is the deepest nesting of comments.
	MaxCommentDepth = 8
)

var (
	// ErrSyntax is wrapped by every error for a value that does not
	// follow the grammar of RFC 8601 §2.2.
	ErrSyntax = errors.New("authres: syntax error")
	// ErrLimit is wrapped by every error for a value beyond one of the
	// package's limits (MaxValueLen, MaxResults, MaxProps,
	// MaxCommentDepth, and the Stripper's limits).
	ErrLimit = errors.New("authres: limit exceeded")
)

// ParseError says where a value went wrong. It wraps ErrSyntax or
// ErrLimit.
type ParseError struct {
	// Offset is the byte offset in the value where the problem is.
	Offset int
	// Msg says what was expected or what was wrong.
	Msg string
	// Err is ErrSyntax or ErrLimit.
	Err error
}

// Error returns "authres: at byte N: msg".
func (e *ParseError) Error() string {
	return "authres: at byte " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// Unwrap returns ErrSyntax or ErrLimit.
func (e *ParseError) Unwrap() error { return e.Err }
