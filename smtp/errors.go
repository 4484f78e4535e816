package smtp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file holds every error value of the package and the *Error type of
// server replies. Every message starts with "smtp: " once: errorf builds
// the messages that wrap other errors, and the wrapped errors of this
// package lose their own prefix inside them.

// Errors of the Client that are not server replies. They are wrapped with
// detail; test for them with errors.Is.
var (
	// ErrClientClosed is returned by every method of a Client after Close
	// or Quit.
	ErrClientClosed = errors.New("smtp: client is closed")
	// ErrClientArgument means an argument cannot be sent as given, for
	// example an address containing CR or LF.
	ErrClientArgument = errors.New("smtp: invalid argument")
	// ErrNotAdvertised means the operation needs an extension the server
	// did not advertise in its EHLO reply (STARTTLS, AUTH, SMTPUTF8,
	// 8BITMIME).
	ErrNotAdvertised = errors.New("smtp: extension not advertised by server")
	// ErrServerSizeLimit means the declared message size is larger than
	// the limit the server advertised with SIZE (RFC 1870).
	ErrServerSizeLimit = errors.New("smtp: message is larger than the server's SIZE limit")
	// ErrInsecureAuth means Auth would send a password in clear text over
	// an unencrypted connection to a host that is not the local machine.
	ErrInsecureAuth = errors.New("smtp: refusing to send credentials over an unencrypted connection")
)

// Errors the reply parser reports. They are wrapped with the detail of
// what was wrong; test for them with errors.Is.
var (
	// ErrReplyMalformed means the server sent something that is not an
	// RFC 5321 §4.2 reply: a bad reply code, a bad separator after it, or
	// continuation lines whose codes differ.
	ErrReplyMalformed = errors.New("smtp: malformed reply from server")
	// ErrReplyTooLong means a reply exceeded the Client's limits on line
	// length, number of lines or total size.
	ErrReplyTooLong = errors.New("smtp: reply from server exceeds limits")
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown
// or Close.
var ErrServerClosed = errors.New("smtp: server closed")

// ErrAuthFailed is returned by an AuthSession to say the credentials are
// wrong; the server answers 535 5.7.8 (RFC 4954 §6).
var ErrAuthFailed = errors.New("smtp: authentication credentials invalid")

// errAuthCancelled means the client answered a challenge with "*".
var errAuthCancelled = errors.New("smtp: authentication cancelled")

// errBDATAborted is what the BDAT reader gives the Session when the
// client ended the transfer with RSET, QUIT, EHLO or HELO.
var errBDATAborted = errors.New("smtp: BDAT transfer aborted by the client")

// errShutdown is what an idle read (readLineIdle) returns when the
// server is shutting down and no command is waiting.
var errShutdown = errors.New("smtp: server shutting down")

// Parse errors; the server maps them to replies.
var (
	errPathSyntax  = errors.New("smtp: syntax error in address")
	errPathTooLong = errors.New("smtp: address too long")
	errParamSyntax = errors.New("smtp: syntax error in parameters")
)

// errWireLineTooLong reports a line longer than the limit; the whole line has
// been consumed.
var errWireLineTooLong = errors.New("smtp: line too long")

// errWireBareLine reports a command line with a CR or LF that is not
// part of a CRLF pair; the whole line has been consumed.
var errWireBareLine = errors.New("smtp: bare CR or LF in command line")

// Errors of the TLS policy. Test for them with errors.Is.
var (
	// ErrTLSRequired means the TLS policy demanded TLS and the connection
	// could not have it: the server did not offer or refused STARTTLS,
	// or the handshake or the certificate check failed. The error is a
	// *TLSPolicyError, which names the policy.
	ErrTLSRequired = errors.New("smtp: TLS required")
	// ErrTLSHandshake means the TLS handshake failed, the certificate
	// check included. The connection is closed. Under TLSOpportunistic,
	// SendMail then retries once in plain text on a new connection; a
	// caller driving a Client may do the same.
	ErrTLSHandshake = errors.New("smtp: TLS handshake failed")
)

// Errors the DATA reader gives the Session when a message breaks a rule.
// The server then reads on to the end of the data and refuses the message.
var (
	// ErrBareLineEnding means the message held a CR or LF that was not
	// part of a CRLF pair (RFC 5321 §2.3.8), the raw material of SMTP
	// smuggling.
	ErrBareLineEnding = errors.New("smtp: bare CR or LF in message data")
	// ErrLineTooLong means a text line was longer than the limit
	// (RFC 5321 §4.5.3.1.6: 1000 octets with the CRLF).
	ErrLineTooLong = errors.New("smtp: message line too long")
	// ErrMessageTooLarge means the message exceeded the size limit
	// (RFC 1870).
	ErrMessageTooLarge = errors.New("smtp: message exceeds size limit")
)

// errSASLDecode means a SASL response was not valid base64.
var errSASLDecode = errors.New("smtp: cannot decode SASL response")

// Error is an SMTP reply that carries a failure: a basic reply code
// (RFC 5321 §4.2) with an optional enhanced status code (RFC 3463) and
// human-readable text.
//
// A Session returns an *Error to choose exactly what the server answers;
// the Client returns one whenever the server answers a command with a
// 4yz or 5yz reply.
type Error struct {
	Code         int    // basic reply code, e.g. 550
	EnhancedCode [3]int // RFC 3463 class.subject.detail; zero when absent
	Message      string // reply text; several lines are joined with "\n"
}

// Error returns the reply as one line, for example
// "smtp: 550 5.7.1 message refused".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("smtp: ")
	b.WriteString(strconv.Itoa(e.Code))
	if e.EnhancedCode != ([3]int{}) {
		fmt.Fprintf(&b, " %d.%d.%d", e.EnhancedCode[0], e.EnhancedCode[1], e.EnhancedCode[2])
	}
	if e.Message != "" {
		b.WriteByte(' ')
		b.WriteString(strings.ReplaceAll(e.Message, "\n", " / "))
	}
	return b.String()
}

// Temporary reports whether the reply is a transient failure (4yz): the
// same command may succeed later.
func (e *Error) Temporary() bool { return e.Code >= 400 && e.Code < 500 }

// Permanent reports whether the reply is a permanent failure (5yz).
func (e *Error) Permanent() bool { return e.Code >= 500 && e.Code < 600 }

// errPrefix starts every error message of the package.
const errPrefix = "smtp: "

// errorf formats an error of the package: errPrefix, then format with args
// as fmt.Errorf would. An error among args that already starts with
// errPrefix stands without it inside the message; errors.Is and errors.As
// still reach it through %w.
func errorf(format string, args ...any) error {
	for i, a := range args {
		if err, ok := a.(error); ok {
			args[i] = inner(err)
		}
	}
	return prefixed{fmt.Errorf(format, args...)}
}

// prefixed puts errPrefix before an error's text.
type prefixed struct{ err error }

func (e prefixed) Error() string { return errPrefix + e.err.Error() }

func (e prefixed) Unwrap() error { return e.err }

// inner returns err for use inside a message that already starts with
// errPrefix: the same error, with its own prefix left out of the text.
func inner(err error) error {
	if err == nil {
		return nil
	}
	return innerError{err}
}

// innerError shows an error without its leading errPrefix.
type innerError struct{ err error }

func (e innerError) Error() string { return strings.TrimPrefix(e.err.Error(), errPrefix) }

func (e innerError) Unwrap() error { return e.err }
