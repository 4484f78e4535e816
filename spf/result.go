package spf

// Result is the outcome of an SPF evaluation (RFC 7208 §2.6). Its value is
// the lowercase word the RFC uses, suitable for Received-SPF and
// Authentication-Results header fields.
type Result string

// The results of RFC 7208 §2.6.
const (
	None      Result = "none"      // no record, or no usable domain to check
	Neutral   Result = "neutral"   // the domain makes no assertion
	Pass      Result = "pass"      // the client is authorized
	Fail      Result = "fail"      // the client is not authorized
	SoftFail  Result = "softfail"  // probably not authorized
	TempError Result = "temperror" // a transient (generally DNS) error
	PermError Result = "permerror" // the published records could not be interpreted
)

// String returns the result word.
func (r Result) String() string { return string(r) }

// Qualifier is the prefix of a mechanism that says which result a match
// gives (RFC 7208 §4.6.2).
type Qualifier byte

// The four qualifiers. A mechanism written without a qualifier has
// Qualifier 0, which means QualifierPass.
const (
	QualifierPass     Qualifier = '+'
	QualifierFail     Qualifier = '-'
	QualifierSoftFail Qualifier = '~'
	QualifierNeutral  Qualifier = '?'
)

// Result returns the result a mechanism with this qualifier produces when it
// matches. The zero Qualifier (none written) means Pass.
func (q Qualifier) Result() Result {
	switch q {
	case QualifierFail:
		return Fail
	case QualifierSoftFail:
		return SoftFail
	case QualifierNeutral:
		return Neutral
	}
	return Pass
}
