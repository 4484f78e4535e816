package smtp

import "io"

// Backend creates a Session for every connection the Server accepts.
//
// NewSession is called before the 220 greeting, which makes it the hook
// for refusing a connection: returning an *Error sends that reply instead
// of the greeting. A 4yz reply closes the connection at once; a 5yz reply
// (normally 554, RFC 5321 §3.1) keeps it open, answers every further
// command with 503 and waits for QUIT. Any other error closes the
// connection with 421 4.3.0.
type Backend interface {
	NewSession(c *Conn) (Session, error)
}

// BackendFunc adapts a function to the Backend interface.
type BackendFunc func(c *Conn) (Session, error)

// NewSession calls f(c).
func (f BackendFunc) NewSession(c *Conn) (Session, error) { return f(c) }

// Session is one client's conversation with the server. Its methods are
// called from the connection's goroutine, one at a time.
//
// A method that returns an *Error has the server send exactly that reply
// (a missing enhanced code becomes class.0.0). Any other non-nil error is
// logged and answered with a generic 451 4.3.0, so internal text never
// reaches the client.
type Session interface {
	// Mail starts a transaction with the reverse-path ("" for the null
	// path <>) and the MAIL parameters.
	Mail(from string, opts *MailOptions) error
	// Rcpt adds a recipient (the forward-path without angle brackets and
	// without any source route).
	Rcpt(to string, opts *RcptOptions) error
	// Data receives the message: r yields the octets exactly as the
	// client sent them, dot-unstuffed, with the end-of-data marker
	// removed and nothing added. The same holds for BDAT chunks.
	//
	// Read returns an error if the message breaks a rule (bare CR or LF,
	// an over-long line, the size limit), without the octets of the
	// block that broke it; the server then refuses the message whatever
	// Data returns. Data should read r to io.EOF before
	// accepting: the server reads any rest itself before it replies.
	Data(r io.Reader) error
	// Reset discards the current transaction (RSET, a new EHLO, STARTTLS,
	// or the end of a DATA or BDAT transaction).
	Reset()
	// Logout is called once when the connection ends.
	Logout() error
}

// AuthSession is a Session that can authenticate clients. When the
// session implements it, the server advertises AUTH PLAIN LOGIN
// (RFC 4954) once TLS is active, or at once when
// Server.AllowInsecureAuth is set.
type AuthSession interface {
	Session
	// AuthPlain checks a password. identity is the authorization
	// identity of AUTH PLAIN (RFC 4616), empty when the client asked for
	// none (or for its own username) or used LOGIN; a different identity
	// only arrives when Server.AllowAuthzID is set, and the session must
	// then decide whether username may act as it. Return nil to accept, ErrAuthFailed (or an
	// *Error) to refuse. Any other error gives 454 4.7.0.
	AuthPlain(identity, username, password string) error
}
