package spf

import "strconv"

// SyntaxError reports a malformed record or term. It wraps ErrSyntax.
type SyntaxError struct {
	Term   string // the offending term as written ("" for the record as a whole)
	Reason string // what is wrong with it
}

// Error implements error.
func (e *SyntaxError) Error() string {
	if e.Term == "" {
		return "spf: invalid record: " + e.Reason
	}
	return "spf: invalid term " + strconv.Quote(e.Term) + ": " + e.Reason
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

func syntaxErr(term, reason string) error { return &SyntaxError{Term: term, Reason: reason} }
