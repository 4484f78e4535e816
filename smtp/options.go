package smtp

// BodyType is the value of the MAIL BODY= parameter (RFC 6152 §2).
type BodyType string

// Body types a MAIL command may declare. The empty BodyType means the
// parameter was absent, which RFC 6152 treats as 7BIT.
const (
	Body7Bit     BodyType = "7BIT"
	Body8BitMIME BodyType = "8BITMIME"
)

// MailOptions holds the ESMTP parameters of a MAIL command. The server
// fills it for Session.Mail; the client sends the parameters it holds
// when the server advertised the matching extension.
type MailOptions struct {
	// Size is the declared message size in octets (SIZE=, RFC 1870);
	// zero when absent.
	Size int64
	// Body is the declared body type (BODY=, RFC 6152); empty when absent.
	Body BodyType
	// UTF8 is true when the SMTPUTF8 parameter was given (RFC 6531 §3.4).
	UTF8 bool
	// Auth is the xtext-decoded AUTH= parameter (RFC 4954 §5): the
	// identity that submitted the message, or "<>" when unknown. The
	// server only passes it on from an authenticated client; otherwise
	// it is empty.
	Auth string
}

// RcptOptions holds the ESMTP parameters of a RCPT command. No RCPT
// parameters are supported yet; the type exists so that adding some
// (for example DSN's NOTIFY=) does not change any signature.
type RcptOptions struct{}
