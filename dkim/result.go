package dkim

// Result is the outcome of verifying one signature, named with the RFC 8601
// §2.7.1 result words.
type Result string

// Results (RFC 8601 §2.7.1).
const (
	// None: the message was not signed.
	None Result = "none"
	// Pass: the signature verified.
	Pass Result = "pass"
	// Fail: the signature or the body hash did not verify.
	Fail Result = "fail"
	// Neutral: the signature could not be evaluated for a reason that is
	// neither a failure nor an error. This package does not produce it
	// itself; it exists for callers that downgrade results.
	Neutral Result = "neutral"
	// Policy: the signature verified but is not acceptable to local policy.
	// This package does not produce it itself.
	Policy Result = "policy"
	// TempError: a temporary failure, usually the key lookup.
	TempError Result = "temperror"
	// PermError: the signature cannot be evaluated (syntax, key problems,
	// expiry, forbidden algorithms).
	PermError Result = "permerror"
)
