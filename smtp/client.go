package smtp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"time"
)

// Default timeouts of the Client, used for a command when its context has
// no deadline. They are the minimum client timeouts of RFC 5321 §4.5.3.2.
const (
	ClientGreetingTimeout  = 5 * time.Minute  // §4.5.3.2.1, initial 220 message
	ClientCommandTimeout   = 5 * time.Minute  // §4.5.3.2.2/3, MAIL, RCPT and the rest
	ClientDataTimeout      = 2 * time.Minute  // §4.5.3.2.4, DATA initiation
	ClientDataBlockTimeout = 3 * time.Minute  // §4.5.3.2.5, each write of message data
	ClientDataEndTimeout   = 10 * time.Minute // §4.5.3.2.6, reply to the final "."
)

// Default ports used when an address given to Dial or DialTLS has none.
const (
	clientDefaultPort    = "25"  // RFC 5321 §4.5.4.2
	clientDefaultTLSPort = "465" // RFC 8314 §3.3, submissions
)

// Client is an SMTP client connection (RFC 5321 §3, §4) with the common
// ESMTP extensions: PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME
// (RFC 6152), SMTPUTF8 (RFC 6531), STARTTLS (RFC 3207), AUTH (RFC 4954)
// and ENHANCEDSTATUSCODES (RFC 2034).
//
// Every method that talks to the server takes a context: its deadline
// bounds the exchange and cancelling it aborts the exchange. Without a
// deadline, the timeouts of RFC 5321 §4.5.3.2 apply (ClientCommandTimeout
// and friends). A reply of class 4yz or 5yz, or any reply other than the one
// the command expects, is returned as an *Error. A network failure, a
// cancelled context, a malformed reply or a 421 reply (the server is
// closing the connection) makes the Client unusable: every later call
// returns that error again, and the caller should Close it.
//
// Replies are read with limits (4096 octets a line, 256 lines, 64 KiB of
// text), so a hostile server cannot make the Client use unbounded memory;
// a reply beyond them fails with ErrReplyTooLong.
//
// A Client is not safe for concurrent use.
type Client struct {
	// AllowInsecureAuth lets Auth send PLAIN or LOGIN credentials over an
	// unencrypted connection to a host other than the local machine.
	AllowInsecureAuth bool

	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	host string // server name used to verify its certificate

	greeted   bool
	greeting  string
	helloDone bool
	localName string
	ext       clientExtensions

	isTLS    bool
	mailUTF8 bool  // the open transaction declared SMTPUTF8
	inData   bool  // a Data writer is open
	err      error // sticky: the connection is unusable
}

// NewClient returns a Client speaking SMTP over an established connection
// conn. host is the server's name, used to verify its certificate in
// StartTLS; it may be empty when no TLS is used or the tls.Config given to
// StartTLS names the server. The server's 220 greeting is read by the first
// command (usually Hello), under that command's context.
func NewClient(conn net.Conn, host string) *Client {
	c := &Client{
		conn: conn,
		br:   bufio.NewReaderSize(conn, replyMaxLineLength),
		bw:   bufio.NewWriterSize(conn, 4096),
		host: host,
	}
	if _, ok := conn.(*tls.Conn); ok {
		c.isTLS = true
	}
	return c
}

// Dial connects to the SMTP server at addr ("host:port"; port 25 when
// absent) and reads its greeting. A greeting other than 220 is returned as
// an *Error after the connection is closed.
func Dial(ctx context.Context, addr string) (*Client, error) {
	addr, host := splitAddr(addr, clientDefaultPort)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, errorf("dial %s: %w", addr, err)
	}
	return startClient(ctx, conn, host)
}

// DialTLS connects to the SMTP server at addr ("host:port"; port 465 when
// absent) with implicit TLS (RFC 8314 §3.3) and reads its greeting. A nil
// config verifies the server's certificate against the host in addr; a
// config without ServerName gets that host too. A failed handshake (or
// certificate check) wraps ErrTLSHandshake.
func DialTLS(ctx context.Context, addr string, config *tls.Config) (*Client, error) {
	addr, host := splitAddr(addr, clientDefaultTLSPort)
	return dialTLS(ctx, addr, host, tlsConfigFor(config, host))
}

// dialTLS connects to addr, runs the TLS handshake with config and
// reads the greeting. A failed handshake wraps ErrTLSHandshake.
func dialTLS(ctx context.Context, addr, host string, config *tls.Config) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, errorf("dial %s: %w", addr, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		// The handshake is bounded like the greeting that follows it.
		conn.SetDeadline(time.Now().Add(ClientGreetingTimeout))
	}
	tc := tls.Client(conn, config)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, errorf("dial %s with TLS: %w: %w", addr, ErrTLSHandshake, err)
	}
	conn.SetDeadline(time.Time{})
	return startClient(ctx, tc, host)
}

// startClient wraps a fresh connection and reads the greeting.
func startClient(ctx context.Context, conn net.Conn, host string) (*Client, error) {
	c := NewClient(conn, host)
	if err := c.greet(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// splitAddr adds the default port to addr when it has none and
// returns the address and its host part.
func splitAddr(addr, port string) (string, string) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
		return net.JoinHostPort(host, port), host
	}
	return addr, host
}

// tlsConfigFor returns config with ServerName set to host when it has
// none, or a fresh config for host when config is nil.
func tlsConfigFor(config *tls.Config, host string) *tls.Config {
	if config == nil {
		return &tls.Config{ServerName: host}
	}
	if config.ServerName == "" {
		config = config.Clone()
		config.ServerName = host
	}
	return config
}

// Greeting returns the text of the server's 220 greeting (the server's name
// comes first), or "" before it has been read.
func (c *Client) Greeting() string { return c.greeting }

// TLSConnectionState returns the state of the TLS connection, and false
// when the connection is not encrypted.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.conn.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// greet reads the 220 greeting once (RFC 5321 §3.1, §4.3.1).
func (c *Client) greet(ctx context.Context) error {
	if c.greeted {
		return nil
	}
	op, err := c.begin(ctx, ClientGreetingTimeout)
	if err != nil {
		return err
	}
	r, err := c.readReply()
	if err == nil {
		c.greeted = true
		c.greeting = strings.Join(r.lines, "\n")
		if r.code != 220 {
			err = r.err(false)
		}
	}
	return op.end(err)
}

// clientOp holds the deadline and cancellation of one exchange.
type clientOp struct {
	c    *Client
	ctx  context.Context
	stop func() bool
	done chan struct{}
}

// begin starts an exchange: it checks that the Client is usable, sets
// the connection deadline from ctx (or now+timeout when ctx has none) and
// arranges for cancellation of ctx to interrupt blocked I/O.
func (c *Client) begin(ctx context.Context, timeout time.Duration) (*clientOp, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.inData {
		return nil, errorf("%w: a Data writer is still open", ErrClientArgument)
	}
	if err := ctx.Err(); err != nil {
		return nil, errorf("%w", err)
	}
	op := &clientOp{c: c, ctx: ctx}
	op.extend(timeout)
	if ctx.Done() != nil {
		op.done = make(chan struct{})
		conn := c.conn
		op.stop = context.AfterFunc(ctx, func() {
			conn.SetDeadline(time.Unix(1, 0))
			close(op.done)
		})
	}
	return op, nil
}

// extend sets the connection deadline to the context's deadline or, when
// the context has none, to now+timeout.
func (op *clientOp) extend(timeout time.Duration) {
	dl, ok := op.ctx.Deadline()
	if !ok {
		dl = time.Now().Add(timeout)
	}
	op.c.conn.SetDeadline(dl)
}

// end finishes the exchange. A nil error or an *Error (a server reply)
// leaves the Client usable, except a 421 reply (the server is closing the
// connection); any other error makes it unusable, and is combined with the
// context's error when the context ended.
func (op *clientOp) end(err error) error {
	c := op.c
	if op.stop != nil && !op.stop() {
		<-op.done
	}
	if err == nil || isReply(err) {
		var se *Error
		if errors.As(err, &se) && se.Code == 421 {
			// RFC 5321 §3.8: the server is closing the connection.
			c.fail(err)
		}
		if c.err == nil {
			c.conn.SetDeadline(time.Time{})
		}
		return err
	}
	cerr := op.ctx.Err()
	if dl, ok := op.ctx.Deadline(); ok && cerr == nil && !time.Now().Before(dl) {
		// The connection's deadline (the context's) fired just before
		// the context's own timer.
		cerr = context.DeadlineExceeded
	}
	if cerr != nil && !errors.Is(err, cerr) {
		err = errorf("%w: %w", cerr, err)
	}
	c.fail(err)
	return err
}

// isReply reports whether err is a server reply rather than a failure
// of the connection.
func isReply(err error) bool {
	var se *Error
	return errors.As(err, &se)
}

// fail makes the Client unusable and closes the connection.
func (c *Client) fail(err error) {
	if c.err == nil {
		c.err = err
		c.conn.Close()
	}
}

// readReply reads one reply, wrapping network errors.
func (c *Client) readReply() (reply, error) {
	r, err := replyReadReply(c.br)
	if err != nil {
		if errors.Is(err, ErrReplyMalformed) || errors.Is(err, ErrReplyTooLong) {
			return r, err
		}
		return r, errorf("reading reply: %w", err)
	}
	return r, nil
}

// writeLine buffers one command line, CRLF added.
func (c *Client) writeLine(line string) {
	c.bw.WriteString(line)
	c.bw.WriteString("\r\n")
}

// flush sends buffered commands.
func (c *Client) flush() error {
	if err := c.bw.Flush(); err != nil {
		return errorf("sending command: %w", err)
	}
	return nil
}

// cmd sends one command and reads its reply. A reply of a class
// other than want (2 for 2yz, 3 for 3yz) is returned as an *Error.
func (c *Client) cmd(ctx context.Context, timeout time.Duration, want int, line string) (reply, error) {
	op, err := c.begin(ctx, timeout)
	if err != nil {
		return reply{}, err
	}
	r, err := c.roundTrip(line)
	if err == nil && r.code/100 != want {
		err = c.replyError(r)
	}
	return r, op.end(err)
}

// roundTrip writes a command line and reads its reply, without
// deadline handling.
func (c *Client) roundTrip(line string) (reply, error) {
	c.writeLine(line)
	if err := c.flush(); err != nil {
		return reply{}, err
	}
	return c.readReply()
}

// replyError converts a reply to an *Error, with enhanced status
// codes when the server advertised them.
func (c *Client) replyError(r reply) *Error {
	return r.err(c.ext.has("ENHANCEDSTATUSCODES"))
}

// ensureHello runs Hello with the default name when the caller has
// not run it yet (after the greeting).
func (c *Client) ensureHello(ctx context.Context) error {
	if c.helloDone {
		return c.err
	}
	return c.Hello(ctx, "")
}

// Noop sends NOOP (RFC 5321 §4.1.1.9), for example to keep a connection
// alive or check that it still is.
func (c *Client) Noop(ctx context.Context) error {
	if err := c.greet(ctx); err != nil {
		return err
	}
	_, err := c.cmd(ctx, ClientCommandTimeout, 2, "NOOP")
	return err
}

// Reset sends RSET (RFC 5321 §4.1.1.5), aborting the current mail
// transaction.
func (c *Client) Reset(ctx context.Context) error {
	if err := c.greet(ctx); err != nil {
		return err
	}
	_, err := c.cmd(ctx, ClientCommandTimeout, 2, "RSET")
	if err == nil {
		c.mailUTF8 = false
	}
	return err
}

// Quit sends QUIT (RFC 5321 §4.1.1.10), waits for the server's reply and
// closes the connection. The connection is closed even when an error is
// returned.
func (c *Client) Quit(ctx context.Context) error {
	if c.err != nil {
		return c.err
	}
	if c.inData {
		c.Close()
		return errorf("%w: Quit while a Data writer is open; connection closed without QUIT, message not sent", ErrClientArgument)
	}
	var err error
	if c.greeted {
		_, err = c.cmd(ctx, ClientCommandTimeout, 2, "QUIT")
	}
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close closes the connection without sending QUIT. Later calls on the
// Client return ErrClientClosed.
func (c *Client) Close() error {
	if errors.Is(c.err, ErrClientClosed) {
		return nil
	}
	err := c.conn.Close()
	c.err = ErrClientClosed
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return errorf("closing connection: %w", err)
	}
	return nil
}
