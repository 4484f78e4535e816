package smtp

import (
	"fmt"
	"strconv"
	"strings"
)

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
