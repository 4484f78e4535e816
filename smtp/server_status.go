package smtp

import (
	"errors"
	"strconv"
)

// Enhanced status codes (RFC 3463) the server uses, by meaning.
var (
	srvEnhOK           = [3]int{2, 0, 0}
	srvEnhSenderOK     = [3]int{2, 1, 0}
	srvEnhRcptOK       = [3]int{2, 1, 5}
	srvEnhBye          = [3]int{2, 0, 0}
	srvEnhSyntax       = [3]int{5, 5, 2}
	srvEnhBadCommand   = [3]int{5, 5, 1}
	srvEnhBadArgs      = [3]int{5, 5, 4}
	srvEnhTooManyRcpt  = [3]int{4, 5, 3}
	srvEnhTooBig       = [3]int{5, 3, 4}
	srvEnhBadSender    = [3]int{5, 1, 7}
	srvEnhBadRcpt      = [3]int{5, 1, 3}
	srvEnhNonASCII     = [3]int{5, 6, 7}
	srvEnhMedia        = [3]int{5, 6, 0}
	srvEnhLocalError   = [3]int{4, 3, 0}
	srvEnhShutdown     = [3]int{4, 3, 2}
	srvEnhTimeout      = [3]int{4, 4, 2}
	srvEnhPolicy       = [3]int{4, 7, 0}
	srvEnhProtocolSync = [3]int{4, 5, 0}
	srvEnhAuthOK       = [3]int{2, 7, 0}
	srvEnhAuthBad      = [3]int{5, 7, 8}
	srvEnhAuthTemp     = [3]int{4, 7, 0}
	srvEnhAuthCancel   = [3]int{5, 7, 0}
	srvEnhNeedTLS      = [3]int{5, 7, 11}
	srvEnhAuthTooLong  = [3]int{5, 5, 6}
)

// srvMaxReplyLine bounds one reply line's text so replies stay below the
// 512-octet limit of RFC 5321 §4.5.3.1.5.
const srvMaxReplyLine = 480

// appendReply appends a reply of one or more lines (split on "\n") to
// dst. Every line carries the enhanced code when enh is non-zero
// (RFC 2034 §4). Control characters in text are replaced so a Session
// cannot inject reply lines.
func appendReply(dst []byte, code int, enh [3]int, text string) []byte {
	for {
		line := text
		rest := ""
		more := false
		for i := 0; i < len(text); i++ {
			if text[i] == '\n' {
				line, rest, more = text[:i], text[i+1:], true
				break
			}
		}
		// The code is three digits (2yz to 5yz; the server forms every
		// reply itself): written directly, it needs none of strconv's
		// stack, which is on the path of every EHLO (see Conn.commands).
		dst = append(dst, byte('0'+code/100%10), byte('0'+code/10%10), byte('0'+code%10))
		if more {
			dst = append(dst, '-')
		} else {
			dst = append(dst, ' ')
		}
		if enh != ([3]int{}) {
			dst = strconv.AppendInt(dst, int64(enh[0]), 10)
			dst = append(dst, '.')
			dst = strconv.AppendInt(dst, int64(enh[1]), 10)
			dst = append(dst, '.')
			dst = strconv.AppendInt(dst, int64(enh[2]), 10)
			if line != "" {
				dst = append(dst, ' ')
			}
		}
		if len(line) > srvMaxReplyLine {
			line = line[:srvMaxReplyLine]
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c < 0x20 || c == 0x7f {
				c = '?'
			}
			dst = append(dst, c)
		}
		dst = append(dst, '\r', '\n')
		if !more {
			return dst
		}
		text = rest
	}
}

// The replies of every transaction, formatted once.
var (
	srvReplySenderOK  = appendReply(nil, 250, srvEnhSenderOK, "Sender OK")
	srvReplyRcptOK    = appendReply(nil, 250, srvEnhRcptOK, "Recipient OK")
	srvReplyStartData = appendReply(nil, 354, [3]int{}, "End data with <CR><LF>.<CR><LF>")
	srvReplyAccepted  = appendReply(nil, 250, srvEnhOK, "Message accepted")
)

// validEnhanced reports whether enh is a plausible RFC 3463 code whose
// class matches the basic reply code.
func validEnhanced(code int, enh [3]int) bool {
	return enh[0] == code/100 && enh[1] >= 0 && enh[1] <= 999 && enh[2] >= 0 && enh[2] <= 999
}

// errorReply turns an error from a Session into the reply to send: an
// *Error (anywhere in the chain) as it is, anything else as a generic
// 451 4.3.0 that reveals nothing of the internal text. The boolean
// reports whether err was a usable *Error.
func errorReply(err error) (code int, enh [3]int, text string, ok bool) {
	var e *Error
	if errors.As(err, &e) && e != nil && e.Code >= 400 && e.Code <= 599 {
		enh = e.EnhancedCode
		if !validEnhanced(e.Code, enh) {
			enh = [3]int{e.Code / 100, 0, 0}
		}
		text = e.Message
		if text == "" {
			text = "Requested action not taken"
		}
		return e.Code, enh, text, true
	}
	return 451, srvEnhLocalError, "Requested action aborted: local error in processing", false
}
