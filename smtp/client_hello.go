package smtp

import (
	"context"
	"strconv"
	"strings"
)

// clientDefaultLocalName is the name Hello sends when given none.
const clientDefaultLocalName = "localhost"

// clientExtensions holds the service extensions of an EHLO reply
// (RFC 5321 §4.1.1.1): keyword (upper case) to its parameters.
type clientExtensions map[string]string

func (e clientExtensions) has(keyword string) bool {
	_, ok := e[keyword]
	return ok
}

// parseExtensions reads the EHLO reply lines after the first. Empty
// lines (Postfix's smtp-sink ends its reply with "250 ") are skipped. The
// pre-standard form "AUTH=LOGIN PLAIN" is read as AUTH.
func parseExtensions(lines []string) clientExtensions {
	ext := clientExtensions{}
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		kw, params, _ := strings.Cut(l, " ")
		kw = strings.ToUpper(kw)
		params = strings.TrimSpace(params)
		if rest, ok := strings.CutPrefix(kw, "AUTH="); ok {
			kw = "AUTH"
			params = strings.TrimSpace(rest + " " + params)
		}
		if old, ok := ext[kw]; ok && kw == "AUTH" && params != "" {
			params = strings.TrimSpace(old + " " + params)
		}
		ext[kw] = params
	}
	return ext
}

// Hello sends EHLO with the client's name (RFC 5321 §4.1.1.1) and records
// the extensions the server advertises. When the server answers EHLO with
// 500–504 (it does not know EHLO), Hello falls back to HELO, and no
// extension is available. name should be the client's fully qualified
// domain name or an address literal such as "[192.0.2.1]"; "" sends
// "localhost".
//
// Hello reads the server's greeting first when that has not happened. Mail,
// StartTLS, Auth and Send call Hello with "" themselves when it has not
// been called. Calling it again starts a new session on the same connection.
func (c *Client) Hello(ctx context.Context, name string) error {
	if name == "" {
		name = clientDefaultLocalName
	}
	if strings.ContainsAny(name, " \t\r\n\x00") || len(name) > 255 {
		return errorf("%w: hello name %q", ErrClientArgument, name)
	}
	if err := c.greet(ctx); err != nil {
		return err
	}
	op, err := c.begin(ctx, ClientCommandTimeout)
	if err != nil {
		return err
	}
	return op.end(c.hello(name))
}

// hello runs EHLO, or HELO after 500–504, inside an exchange.
func (c *Client) hello(name string) error {
	c.ext = nil
	c.helloDone = false
	c.mailUTF8 = false
	r, err := c.roundTrip("EHLO " + name)
	if err != nil {
		return err
	}
	switch {
	case r.code/100 == 2:
		c.ext = parseExtensions(r.lines[1:])
	case r.code >= 500 && r.code <= 504:
		if r, err = c.roundTrip("HELO " + name); err != nil {
			return err
		}
		if r.code/100 != 2 {
			return r.err(false)
		}
		c.ext = clientExtensions{}
	default:
		return r.err(false)
	}
	c.helloDone = true
	c.localName = name
	return nil
}

// Extension reports whether the server advertised the service extension
// keyword (case-insensitive) in its EHLO reply, and its parameters.
func (c *Client) Extension(keyword string) (bool, string) {
	params, ok := c.ext[strings.ToUpper(keyword)]
	return ok, params
}

// MaxMessageSize returns the message size limit the server advertised with
// SIZE (RFC 1870 §4). ok is false when it did not advertise SIZE; a limit
// of 0 means it advertised SIZE without a fixed limit.
func (c *Client) MaxMessageSize() (limit int64, ok bool) {
	params, ok := c.ext["SIZE"]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(params), 10, 64)
	if err != nil || n < 0 {
		return 0, true
	}
	return n, true
}

// AuthMechanisms returns the SASL mechanisms the server advertised with
// AUTH (RFC 4954 §3), upper case, in the server's order.
func (c *Client) AuthMechanisms() []string {
	params, ok := c.ext["AUTH"]
	if !ok {
		return nil
	}
	fields := strings.Fields(strings.ToUpper(params))
	seen := make(map[string]bool, len(fields))
	out := fields[:0]
	for _, f := range fields {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
