package smtp

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Mail starts a mail transaction with MAIL FROM (RFC 5321 §4.1.1.2). from
// is the reverse-path without angle brackets; "" sends the null path "<>"
// (bounces). opts may be nil. The parameters are sent only when the server
// advertised the matching extension:
//
//   - SIZE=opts.Size (RFC 1870) when Size > 0; a Size above the server's
//     advertised limit fails locally with ErrServerSizeLimit.
//   - BODY=opts.Body (RFC 6152); 8BITMIME to a server that does not
//     advertise it fails with ErrNotAdvertised, since RFC 6152 §3 forbids
//     sending it 8-bit data.
//   - SMTPUTF8 (RFC 6531 §3.4) when opts.UTF8 is set (the message needs
//     it) or from is not ASCII and the server advertises SMTPUTF8;
//     BODY=8BITMIME goes with it when advertised and Body is empty.
//   - AUTH=opts.Auth (RFC 4954 §5), xtext-encoded.
//
// An address whose local part is ASCII but whose domain is not is sent to
// a server without SMTPUTF8 with the domain in A-labels (IDNA, RFC 5891),
// as RFC 6531 §3.2 allows. Any other address or message that needs
// SMTPUTF8 fails locally with an error wrapping ErrNotAdvertised that
// names it: it is never sent to a server that cannot take it.
//
// Mail sends Hello with "" first when Hello has not been called.
func (c *Client) Mail(ctx context.Context, from string, opts *MailOptions) error {
	if err := c.ensureHello(ctx); err != nil {
		return err
	}
	line, utf8Mail, err := c.mailLine(from, opts, nil)
	if err != nil {
		return err
	}
	if _, err := c.cmd(ctx, ClientCommandTimeout, 2, line); err != nil {
		return err
	}
	c.mailUTF8 = utf8Mail
	return nil
}

// Rcpt adds a recipient with RCPT TO (RFC 5321 §4.1.1.3). to is the
// forward-path without angle brackets. An address that is not ASCII needs
// a transaction started with SMTPUTF8 (see Mail), unless only its domain
// is not ASCII: that is then sent in A-labels. Otherwise Rcpt fails
// locally with ErrClientArgument or ErrNotAdvertised. opts may be nil.
func (c *Client) Rcpt(ctx context.Context, to string, opts *RcptOptions) error {
	if err := c.greet(ctx); err != nil {
		return err
	}
	if err := checkAddress(to, false); err != nil {
		return err
	}
	addr, err := c.wireAddress(to)
	if err != nil {
		return err
	}
	_, err = c.cmd(ctx, ClientCommandTimeout, 2, "RCPT TO:<"+addr+">")
	return err
}

// mailLine builds the MAIL command for from and, in Send, the
// recipients to come (rcpts), which may need SMTPUTF8 too. It returns
// whether SMTPUTF8 was declared.
func (c *Client) mailLine(from string, opts *MailOptions, rcpts []string) (string, bool, error) {
	if err := checkAddress(from, true); err != nil {
		return "", false, err
	}
	var o MailOptions
	if opts != nil {
		o = *opts
	}
	needUTF8 := o.UTF8
	if needUTF8 && !c.ext.has("SMTPUTF8") {
		return "", false, errorf("%w: SMTPUTF8, which the message needs (MailOptions.UTF8 is set)", ErrNotAdvertised)
	}
	if !needUTF8 && c.ext.has("SMTPUTF8") {
		needUTF8 = !isASCII(from) || slices.ContainsFunc(rcpts, func(r string) bool { return !isASCII(r) })
	}
	if !needUTF8 {
		// Every address must go in ASCII: check them all before sending
		// anything.
		for _, a := range append([]string{from}, rcpts...) {
			if _, err := c.asciiAddress(a); err != nil {
				return "", false, err
			}
		}
		from, _ = c.asciiAddress(from)
	}
	var b strings.Builder
	b.WriteString("MAIL FROM:<")
	b.WriteString(from)
	b.WriteByte('>')
	if o.Size < 0 {
		return "", false, errorf("%w: negative message size %d", ErrClientArgument, o.Size)
	}
	if o.Size > 0 && c.ext.has("SIZE") {
		if limit, _ := c.MaxMessageSize(); limit > 0 && o.Size > limit {
			return "", false, errorf("%w: %d octets, limit %d", ErrServerSizeLimit, o.Size, limit)
		}
		b.WriteString(" SIZE=")
		b.WriteString(strconv.FormatInt(o.Size, 10))
	}
	body := o.Body
	switch body {
	case "":
		if needUTF8 && c.ext.has("8BITMIME") {
			body = Body8BitMIME
		}
	case Body7Bit:
		if !c.ext.has("8BITMIME") {
			body = "" // 7BIT is the default; only 8BITMIME servers know BODY=
		}
	case Body8BitMIME:
		if !c.ext.has("8BITMIME") {
			return "", false, errorf("%w: 8BITMIME (message declared BODY=8BITMIME)", ErrNotAdvertised)
		}
	default:
		return "", false, errorf("%w: unsupported BODY=%s", ErrClientArgument, body)
	}
	if body != "" {
		b.WriteString(" BODY=")
		b.WriteString(string(body))
	}
	if needUTF8 {
		b.WriteString(" SMTPUTF8")
	}
	if o.Auth != "" && c.ext.has("AUTH") {
		b.WriteString(" AUTH=")
		if o.Auth == "<>" {
			b.WriteString("<>")
		} else {
			writeXtext(&b, o.Auth)
		}
	}
	return b.String(), needUTF8, nil
}

// wireAddress returns a recipient address as it can be sent in the
// open transaction: as is when it is ASCII or the transaction declared
// SMTPUTF8, else with its domain in A-labels when only the domain is not
// ASCII.
func (c *Client) wireAddress(addr string) (string, error) {
	if c.mailUTF8 || isASCII(addr) {
		return addr, nil
	}
	a, err := c.asciiAddress(addr)
	if err != nil && c.ext.has("SMTPUTF8") {
		return "", errorf("%w: recipient %q needs SMTPUTF8, which MAIL did not declare (set MailOptions.UTF8 or use Send)", ErrClientArgument, addr)
	}
	return a, err
}

// asciiAddress returns addr in ASCII: unchanged when it is ASCII,
// with the domain converted to A-labels when only the domain is not ASCII.
// Otherwise it fails, naming the address: it needs SMTPUTF8.
func (c *Client) asciiAddress(addr string) (string, error) {
	if isASCII(addr) {
		return addr, nil
	}
	at := strings.LastIndexByte(addr, '@')
	if at > 0 && isASCII(addr[:at]) {
		if domain, err := idna.Lookup.ToASCII(addr[at+1:]); err == nil {
			return addr[:at+1] + domain, nil
		}
	}
	return "", errorf("%w: SMTPUTF8, needed for address %q", ErrNotAdvertised, addr)
}

// checkAddress refuses addresses that cannot be sent inside <...>:
// control characters (which would inject commands), angle brackets,
// unquoted spaces, invalid UTF-8 and over-long paths.
func checkAddress(addr string, allowEmpty bool) error {
	if addr == "" {
		if allowEmpty {
			return nil
		}
		return errorf("%w: empty recipient address", ErrClientArgument)
	}
	if len(addr) > 1000 {
		return errorf("%w: address of %d octets", ErrClientArgument, len(addr))
	}
	if !utf8.ValidString(addr) {
		return errorf("%w: address %q is not valid UTF-8", ErrClientArgument, addr)
	}
	for i := 0; i < len(addr); i++ {
		ch := addr[i]
		if ch < 0x20 || ch == 0x7f || ch == '<' || ch == '>' || (ch == ' ' && addr[0] != '"') {
			return errorf("%w: address %q contains %q", ErrClientArgument, addr, ch)
		}
	}
	return nil
}

// isASCII reports whether s has only ASCII characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// writeXtext writes s as xtext (RFC 3461 §4): "!" to "~" except "+" and
// "=" as themselves, every other octet as "+" and two upper-case hex
// digits.
func writeXtext(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= '!' && ch <= '~' && ch != '+' && ch != '=' {
			b.WriteByte(ch)
		} else {
			b.WriteByte('+')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&0xf])
		}
	}
}
