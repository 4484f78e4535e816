package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is one client connection as the Backend and Session see it. Its
// methods may be called from the Session's methods (the connection's own
// goroutine); Context may be used from anywhere.
type Conn struct {
	srv    *Server
	raw    net.Conn // the accepted connection
	nc     net.Conn // raw, or the *tls.Conn over it
	sock   *rawSock // raw's system calls made directly (Linux, plain TCP); nil: use nc
	rd     wireReader
	out    []byte
	ctx    context.Context
	cancel context.CancelFunc
	lg     *slog.Logger

	remote, local netip.AddrPort
	implicitTLS   bool
	tlsState      *tls.ConnectionState
	helo          string
	esmtp         bool
	authID        string
	sess          Session

	// transaction state
	inTxn        bool // MAIL accepted
	rcpts        int  // recipients accepted
	rcptTried    bool // a RCPT command was given in this transaction
	txnUTF8      bool // SMTPUTF8 given on MAIL
	errCount     int
	refusedRcpts int  // RCPTs refused by the Session or over the limit
	refused      bool // NewSession refused with 5yz: only QUIT is accepted
	closing      bool // stop after the replies queued so far
	data         dataReader
	bdat         bdatReader
	fillDataFn   func() error // c.fillData, bound once
	watchStartFn func()       // c.dataEnded, bound once
	pending      []byte       // a command line read during a BDAT transfer, still to run
	pendBuf      []byte
	bdatAccepted bool      // Session accepted a BDAT message early; drop the rest
	dataUntil    time.Time // DataDeadline of the message being transferred; zero: none
	readDL       time.Time // the read deadline set on raw; zero: none or unknown

	limitKey   netip.Addr // what MaxConnectionsPerIP counts this client as
	limitKeyed bool       // limitKey is counted in Server.perIP

	watch connWatch

	mu      sync.Mutex
	idle    bool        // blocked waiting for a command (Shutdown may wake it)
	holding bool        // the Session has a whole message and its reply is not sent yet
	held    bool        // holding, as the connection's goroutine last set it (read without mu)
	gone    atomic.Bool // the connection failed while a Session call ran
}

func newServerConn(s *Server, nc net.Conn, implicitTLS bool) *Conn {
	c := &Conn{srv: s, raw: nc, nc: nc, implicitTLS: implicitTLS}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.remote = addrPortOf(nc.RemoteAddr())
	c.local = addrPortOf(nc.LocalAddr())
	if c.sock = newRawSock(nc); c.sock != nil {
		c.rd.src = c.sock
	} else {
		c.rd.src = nc
	}
	c.rd.beforeBlock = c.flush
	c.fillDataFn = c.fillData
	c.watchStartFn = c.dataEnded
	if lg := s.logger(); lg != nil {
		c.lg = lg.With("remote", c.remote.String())
	}
	return c
}

func addrPortOf(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	case nil:
		return netip.AddrPort{}
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}

// RemoteAddr returns the client's address and port.
func (c *Conn) RemoteAddr() netip.AddrPort { return c.remote }

// LocalAddr returns the server address and port the client connected to.
func (c *Conn) LocalAddr() netip.AddrPort { return c.local }

// Helo returns the name the client gave in its last EHLO or HELO; ""
// before that (and again after STARTTLS, RFC 3207 §4.2).
func (c *Conn) Helo() string { return c.helo }

// ESMTP reports whether the client greeted with EHLO rather than HELO.
func (c *Conn) ESMTP() bool { return c.esmtp }

// TLSConnectionState returns the TLS connection state and true when TLS
// is active (after STARTTLS or on an implicit-TLS listener).
func (c *Conn) TLSConnectionState() (tls.ConnectionState, bool) {
	if c.tlsState == nil {
		return tls.ConnectionState{}, false
	}
	return *c.tlsState, true
}

// TLS returns the same as TLSConnectionState.
//
// Deprecated: use TLSConnectionState, the name Client's method has too.
func (c *Conn) TLS() (tls.ConnectionState, bool) { return c.TLSConnectionState() }

// AuthIdentity returns the identity the client authenticated as (the
// authorization identity of AUTH PLAIN if one was given, else the
// username), or "" when it has not authenticated.
func (c *Conn) AuthIdentity() string { return c.authID }

// Context returns the session's context, cancelled when the connection
// ends, when it fails while a Session method is running (a reset), or
// when the server is closed. A client that only shuts down its sending
// side (end of input) does not cancel it: the server still answers the
// commands it read, and the context ends after the last reply.
func (c *Conn) Context() context.Context { return c.ctx }

// Server returns the server the connection belongs to.
func (c *Conn) Server() *Server { return c.srv }

// wakeIfIdle makes a connection blocked waiting for a command return at
// once, so it can answer 421 (called by Shutdown with s.mu held).
func (c *Conn) wakeIfIdle() {
	c.mu.Lock()
	if c.idle {
		c.setReadDeadline(time.Unix(1, 0))
	}
	c.mu.Unlock()
}

// reply queues a reply; it is sent when the client waits for it.
func (c *Conn) reply(code int, enh [3]int, text string) {
	c.out = appendReply(c.out, code, enh, text)
	c.queued()
}

// replyFixed queues one of the replies formatted in advance.
func (c *Conn) replyFixed(r []byte) {
	c.out = append(c.out, r...)
	c.queued()
}

// queued flushes when too many replies wait.
func (c *Conn) queued() {
	if len(c.out) > srvMaxQueuedReplies {
		// A long pipelined batch: send what is queued rather than let
		// the buffer grow (RFC 2920 §3.2 lets a full buffer be sent).
		if err := c.flush(); err != nil {
			c.closing = true
		}
	}
}

// srvMaxQueuedReplies bounds the replies held back while pipelined
// commands are still buffered.
const srvMaxQueuedReplies = 16 << 10

// fail queues an error reply caused by the client and counts it.
func (c *Conn) fail(code int, enh [3]int, text string) {
	c.reply(code, enh, text)
	c.errCount++
}

// refuseRcpt counts a refused recipient and, past
// Server.MaxRefusedRecipients, ends the connection with 421.
func (c *Conn) refuseRcpt() {
	c.refusedRcpts++
	if limit := c.srv.maxRefusedRecipients(); limit > 0 && c.refusedRcpts >= limit && !c.closing {
		c.reply(421, srvEnhPolicy, c.srv.hostname()+" Too many refused recipients, closing transmission channel")
		c.closing = true
	}
}

// replyErr sends a Session's error (see Session).
func (c *Conn) replyErr(err error, what string) {
	code, enh, text, ok := errorReply(err)
	if !ok && c.lg != nil {
		c.lg.Error("smtp: session error", "in", what, "err", err)
	}
	c.reply(code, enh, text)
}

// flush sends the queued replies.
func (c *Conn) flush() error {
	if len(c.out) == 0 {
		return nil
	}
	err := c.write(c.out)
	if cap(c.out) > 4096 {
		c.out = nil
	} else {
		c.out = c.out[:0]
	}
	if c.held {
		c.setHolding(false) // the reply to a held message is out
	}
	return err
}

// write sends p, bounded by the write timeout. Over plain TCP the
// socket nearly always takes a batch of replies at once: that first
// attempt needs no deadline, and the deadline (a timer update, and the
// clock read) is set only when the socket is full and the write has to
// wait. It is cleared again afterwards, so that it cannot fail a later
// write that does not wait. Once Shutdown's context has ended every
// write gets its (short) deadline first, since abandon may have set one
// on the socket.
func (c *Conn) write(p []byte) error {
	wt := durationOr(c.srv.WriteTimeout, ServerWriteTimeout)
	forced := c.srv.forced.Load()
	if forced && wt > srvForcedWriteTimeout {
		wt = srvForcedWriteTimeout
	}
	if c.sock == nil || c.nc != c.raw {
		c.nc.SetWriteDeadline(time.Now().Add(wt))
		_, err := c.nc.Write(p)
		return err
	}
	if !forced {
		n, err := c.sock.writeNow(p)
		if err != nil || n == len(p) {
			return err
		}
		p = p[n:]
	}
	c.raw.SetWriteDeadline(time.Now().Add(wt))
	_, err := c.sock.Write(p)
	if !c.srv.forced.Load() {
		c.raw.SetWriteDeadline(time.Time{})
	}
	return err
}

// setHolding records whether the Session has a whole message whose
// reply has not been sent: Shutdown, when its context ends, closes such
// a connection only after that reply.
func (c *Conn) setHolding(h bool) {
	c.held = h
	c.mu.Lock()
	c.holding = h
	c.mu.Unlock()
}

// dataEnded is called once the client has sent the whole message: the
// Session works on it from now on.
func (c *Conn) dataEnded() {
	c.setHolding(true)
	c.watchStart()
}

// abandon is what Shutdown does to a connection still open when its
// context ends (with s.mu held): the session's context is cancelled and
// the connection closed at once, unless the Session has a whole message
// in hand. Then only reading stops, so that if the Session accepts the
// message after all its 250 still reaches the client (a lost 250 makes
// the client send the message again); the connection closes after it.
func (c *Conn) abandon() {
	c.cancel()
	c.mu.Lock()
	holding := c.holding
	c.mu.Unlock()
	if tc, ok := c.raw.(*net.TCPConn); ok && holding {
		tc.CloseRead()
		// A write already blocked on a client that does not read ends
		// soon; the reply still to come gets srvForcedWriteTimeout.
		tc.SetWriteDeadline(time.Now().Add(srvForcedWriteTimeout))
		return
	}
	c.raw.Close()
}

// srvForcedWriteTimeout bounds each write once Shutdown's context has
// ended.
const srvForcedWriteTimeout = 5 * time.Second

// readLineIdle reads a line from the client while the connection counts
// as idle: Shutdown may interrupt the wait (errShutdown). Once
// Shutdown has begun no new command runs, even one already buffered:
// only the rest of a BDAT message the Session accepted early is still
// read.
func (c *Conn) readLineIdle(max int) ([]byte, error) {
	if err := c.beginIdle(); err != nil {
		return nil, err
	}
	line, err := c.rd.readLine(max, c.srv.AllowBareLineEndings)
	return line, c.endIdle(err)
}

// beginIdle marks the connection idle before a command read and arms
// the read deadline when no complete line is buffered; errShutdown
// when Shutdown has begun.
func (c *Conn) beginIdle() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv.shutdown.Load() && (!c.bdatAccepted || c.srv.forced.Load()) {
		return errShutdown
	}
	c.idle = !c.bdatAccepted
	if !c.rd.hasLineEnd(c.srv.AllowBareLineEndings) {
		c.armRead(durationOr(c.srv.ReadTimeout, ServerCommandTimeout))
	}
	return nil
}

// endIdle ends what beginIdle began and returns the read's error, as
// errShutdown when Shutdown's wake-up ended the read.
func (c *Conn) endIdle(err error) error {
	c.mu.Lock()
	c.idle = false
	c.mu.Unlock()
	if err != nil && c.srv.shutdown.Load() && isTimeout(err) {
		return errShutdown
	}
	return err
}

// isEndOfInput reports a read error that means the client will send
// nothing more, not that the connection failed: a FIN (io.EOF), or one
// that cut a TLS record short.
func isEndOfInput(err error) bool {
	return err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// armRead sets the read deadline for a read that may wait d, or until
// the end of the message transfer's DataDeadline when that is earlier.
//
// Setting a deadline updates a runtime timer, and a server reads a
// command line or a block of data several times per message; so a
// deadline already set is kept when it ends no earlier than d from now
// and at most d/16 later (the DataDeadline is never overrun). A wait may
// thus last up to a sixteenth longer than d, never shorter.
func (c *Conn) armRead(d time.Duration) {
	want := time.Now().Add(d)
	limit := want.Add(d / 16)
	if !c.dataUntil.IsZero() && c.dataUntil.Before(limit) {
		limit = c.dataUntil
		if limit.Before(want) {
			want = limit
		}
	}
	if !c.readDL.IsZero() && !c.readDL.Before(want) && !c.readDL.After(limit) {
		return
	}
	c.setReadDeadline(limit)
}

// setReadDeadline sets the read deadline on the connection and
// remembers it for armRead.
func (c *Conn) setReadDeadline(t time.Time) {
	c.readDL = t
	c.raw.SetReadDeadline(t)
}

// startDataDeadline starts the DataDeadline clock for a message, unless
// it is running already (later BDAT chunks of the same message).
func (c *Conn) startDataDeadline() {
	if d := c.srv.dataDeadline(); d > 0 && c.dataUntil.IsZero() {
		c.dataUntil = time.Now().Add(d)
	}
}

// replyTimeout answers a read that timed out in the middle of a message
// transfer: the per-read timeout, or the transfer's DataDeadline.
func (c *Conn) replyTimeout() {
	host := c.srv.hostname()
	if !c.dataUntil.IsZero() && !time.Now().Before(c.dataUntil) {
		c.srv.stats.dataDeadline.Add(1)
		if c.lg != nil {
			c.lg.Info("smtp: message transfer cut off by the data deadline")
		}
		c.reply(421, srvEnhTimeout, host+" Message transfer took too long, closing transmission channel")
		return
	}
	c.reply(421, srvEnhTimeout, host+" Timeout waiting for data, closing transmission channel")
}

// fillData arms the read deadline for message data.
func (c *Conn) fillData() error {
	c.armRead(c.srv.dataTimeout())
	return c.rd.fill(false)
}

func (c *Conn) serve() {
	defer c.finish()
	defer c.recoverPanic()
	if c.lg != nil {
		c.lg.Debug("smtp: connection opened")
	}
	if c.open() {
		// The first command's read deadline is set here, where the
		// stack is shallow (see commands): the runtime's timer code
		// behind SetReadDeadline is deep, and a read that finds the
		// deadline already in range does not set it again.
		c.armRead(durationOr(c.srv.ReadTimeout, ServerCommandTimeout))
		c.commands()
	}
	c.flush()
}

// recoverPanic logs a panic of the connection's goroutine (a Session's,
// most likely) instead of letting it end the process.
func (c *Conn) recoverPanic() {
	if p := recover(); p != nil {
		if c.lg != nil {
			c.lg.Error("smtp: panic serving connection", "panic", fmt.Sprint(p))
		} else {
			fmt.Fprintf(os.Stderr, "smtp: panic serving %v: %v\n", c.remote, p)
		}
	}
}

// open runs the TLS handshake of implicit TLS, asks the Backend for a
// Session and queues the greeting. It reports whether commands are to
// be read: a refusal with a 5xx code still reads them (to answer each
// with 503), a 4xx one does not.
func (c *Conn) open() bool {
	if c.implicitTLS && !c.handshake() {
		return false
	}
	host := c.srv.hostname()
	sess, err := c.srv.Backend.NewSession(c)
	if err == nil && sess == nil {
		err = errors.New("smtp: Backend.NewSession returned no Session")
	}
	if err == nil {
		c.sess = sess
		c.reply(220, [3]int{}, host+" ESMTP ready")
		return true
	}
	code, enh, text, ok := errorReply(err)
	if !ok {
		if c.lg != nil {
			c.lg.Error("smtp: NewSession failed", "err", err)
		}
		code, enh, text = 421, srvEnhLocalError, host+" Service not available, closing transmission channel"
	}
	c.reply(code, enh, text)
	if code < 500 {
		return false
	}
	c.refused = true
	return true
}

// commands reads and runs commands until the connection is to close.
//
// It is kept apart from serve, with the rare paths in functions of
// their own, so that the goroutine's frames down to a blocking command
// read fit the runtime's initial 2 KiB stack: a goroutine stack that
// once grows to 4 KiB never shrinks back (the runtime shrinks only a
// stack used less than a quarter, and its guard alone is more than
// that of 4 KiB), so an idle connection would cost 2 KiB more
// (.ci/compare BenchmarkSMTPIdleConn, TestIdleConnStack).
func (c *Conn) commands() {
	for !c.closing {
		// The command read is made from here, not through a function
		// of its own, to keep the stack of a waiting connection short.
		line, err := c.pending, error(nil)
		c.pending = nil
		if line == nil {
			if err = c.beginIdle(); err == nil {
				line, err = c.rd.readLine(c.srv.maxLine()+srvMailLineExtra, c.srv.AllowBareLineEndings)
				err = c.endIdle(err)
			}
		}
		if err != nil {
			if c.readFailed(err) {
				return
			}
		} else {
			c.dispatch(line)
		}
		if c.errCount >= c.srv.maxErrors() && !c.closing {
			c.reply(421, srvEnhPolicy, c.srv.hostname()+" Too many errors, closing transmission channel")
			c.closing = true
		}
	}
}

// readFailed answers a command read that failed. It reports whether the
// connection is to close: after an over-long line or a bare CR or LF the
// next command is read.
func (c *Conn) readFailed(err error) bool {
	host := c.srv.hostname()
	switch {
	case err == errShutdown:
		c.reply(421, srvEnhShutdown, host+" Service shutting down, closing transmission channel")
	case err == errWireLineTooLong:
		c.fail(500, srvEnhSyntax, "Line too long")
		return false
	case err == errWireBareLine:
		c.fail(500, srvEnhSyntax, "Bare CR or LF in command line; lines must end with CRLF")
		return false
	case isTimeout(err) && !c.dataUntil.IsZero():
		// Between the chunks of a BDAT message the Session accepted
		// early.
		c.replyTimeout()
	case isTimeout(err):
		c.reply(421, srvEnhTimeout, host+" Timeout waiting for command, closing transmission channel")
	default:
		// End of input (the client may have only shut down its sending
		// side and still be waiting for the replies to what it sent),
		// or a failed connection: either way, send what is due, then
		// close.
	}
	return true
}

// finish ends the connection: close, cancel, Logout, forget.
func (c *Conn) finish() {
	c.watch.mu.Lock()
	c.watch.armed = false
	if c.watch.timer != nil {
		c.watch.timer.Stop()
	}
	c.watch.mu.Unlock()
	c.closeConn()
	c.cancel()
	if c.sess != nil {
		if err := c.sess.Logout(); err != nil && c.lg != nil {
			c.lg.Warn("smtp: session logout failed", "err", err)
		}
	}
	c.rd.release()
	if c.sock != nil {
		r, w := c.sock.syscalls()
		c.srv.stats.sysReads.Add(uint64(r))
		c.srv.stats.sysWrites.Add(uint64(w))
	}
	c.srv.forgetConn(c)
	if c.lg != nil {
		c.lg.Debug("smtp: connection closed")
	}
}

// srvLingerTime and srvLingerBytes bound how long a closing connection waits for the client
// to stop sending, and how much it reads meanwhile.
const (
	srvLingerTime  = 500 * time.Millisecond
	srvLingerBytes = 256 << 10
)

// closeConn closes the connection without losing the last replies.
// Closing a TCP socket that still holds unread input makes the kernel
// send a reset, which can destroy the final 421 or 221 before the client
// reads it (a client that pipelined past QUIT or past the error limit).
// So the server first ends its own direction, then reads and discards
// briefly until the client closes too.
func (c *Conn) closeConn() {
	tc, ok := c.raw.(*net.TCPConn)
	if !ok || c.srv.closed.Load() || c.gone.Load() {
		c.nc.Close()
		return
	}
	if tlc, ok := c.nc.(*tls.Conn); ok && c.tlsState != nil {
		tlc.SetWriteDeadline(time.Now().Add(srvLingerTime))
		tlc.CloseWrite()
	}
	if tc.CloseWrite() == nil {
		tc.SetReadDeadline(time.Now().Add(srvLingerTime))
		io.Copy(io.Discard, io.LimitReader(tc, srvLingerBytes))
	}
	c.nc.Close()
}

// resetTxn ends the current transaction.
func (c *Conn) resetTxn() {
	if c.sess != nil {
		c.sess.Reset()
	}
	c.inTxn = false
	c.rcpts = 0
	c.rcptTried = false
	c.txnUTF8 = false
	c.bdatAccepted = false
	c.dataUntil = time.Time{}
}

// handshake runs the server side of a TLS handshake on c.raw.
func (c *Conn) handshake() bool {
	tc := tls.Server(c.raw, c.srv.TLSConfig)
	d := ServerTLSHandshakeTimeout
	if rt := c.srv.ReadTimeout; rt > 0 && rt < d {
		d = rt
	}
	c.raw.SetDeadline(time.Now().Add(d))
	ctx, cancel := context.WithTimeout(c.ctx, d)
	err := tc.HandshakeContext(ctx)
	cancel()
	c.raw.SetDeadline(time.Time{})
	c.readDL = time.Time{}
	if err != nil {
		if c.lg != nil {
			c.lg.Info("smtp: TLS handshake failed", "err", err)
		}
		return false
	}
	st := tc.ConnectionState()
	c.tlsState = &st
	c.nc = tc
	c.rd.src = tc
	return true
}
