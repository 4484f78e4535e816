package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults used when the matching Server field is zero.
const (
	// ServerCommandTimeout is how long the server waits for the next
	// command (RFC 5321 §4.5.3.2.7: at least 5 minutes).
	ServerCommandTimeout = 5 * time.Minute
	// ServerDataBlockTimeout is how long the server waits for each read
	// of message data (RFC 5321 §4.5.3.2.5: 3 minutes per data block).
	ServerDataBlockTimeout = 3 * time.Minute
	// ServerWriteTimeout bounds each write of replies.
	ServerWriteTimeout = 5 * time.Minute
	// ServerTLSHandshakeTimeout bounds a TLS handshake (or
	// Server.ReadTimeout, when that is shorter).
	ServerTLSHandshakeTimeout = 1 * time.Minute
	// DefaultMaxMessageBytes is the default message size limit,
	// advertised with SIZE (RFC 1870).
	DefaultMaxMessageBytes = 32 << 20
	// DefaultMaxRecipients is the default number of recipients per
	// message: the minimum RFC 5321 §4.5.3.1.8 requires a server to take.
	DefaultMaxRecipients = 100
	// DefaultMaxErrors is the default number of erroneous commands after
	// which the server says 421 and hangs up.
	DefaultMaxErrors = 10
	// DefaultMaxRefusedRecipients is the default number of refused RCPT
	// commands per connection after which the server says 421 and hangs
	// up: a bound on recipient guessing (dictionary attacks).
	DefaultMaxRefusedRecipients = 50
	// DefaultMaxLineLength is the command line limit with the CRLF
	// (RFC 5321 §4.5.3.1.4). MAIL lines may be longer by what the
	// advertised extensions add (SIZE 26, SMTPUTF8 10, AUTH= 500).
	DefaultMaxLineLength = 512
	// DefaultMaxTextLineLength is the message text line limit with the
	// CRLF (RFC 5321 §4.5.3.1.6).
	DefaultMaxTextLineLength = 1000
	// ServerDataDeadlineFloor is the part of the default DataDeadline
	// that does not depend on the size limit.
	ServerDataDeadlineFloor = 5 * time.Minute
	// ServerDataMinRate, in octets per second, is the slowest average
	// rate at which a message of the largest allowed size still arrives
	// within the default DataDeadline (8 KiB/s, 64 kbit/s).
	ServerDataMinRate = 8 << 10
	// DefaultMaxConnections is the default limit on simultaneous
	// connections.
	DefaultMaxConnections = 1000
	// DefaultMaxConnectionsPerIP is the default limit on simultaneous
	// connections from one client address (Postfix's anvil allows 50
	// too).
	DefaultMaxConnectionsPerIP = 50
	// srvMaxDataDeadlineSecs caps the size-derived part of the default
	// DataDeadline (about 31 years), so that no size limit overflows it.
	srvMaxDataDeadlineSecs = 1e9
	// srvMaxAuthLine is the longest AUTH response line (RFC 4954 §4:
	// at least 12288 octets).
	srvMaxAuthLine = 12288 + 2
	// srvMailLineExtra is what SIZE, SMTPUTF8 and AUTH= add to the MAIL
	// command line limit (RFC 1870 §3, RFC 6531 §3.4, RFC 4954 §5).
	srvMailLineExtra = 26 + 10 + 500
)

// Server is an SMTP server (RFC 5321) for receiving mail: as an MX, as a
// submission server, or in front of a filter. Set the fields, then call
// ListenAndServe, Serve, ServeTLS or ListenAndServeTLS. A Server works at
// its zero value apart from Backend, and must not be changed once
// serving has started.
type Server struct {
	// Addr is the address ListenAndServe listens on; "" means ":25"
	// (":465" for ListenAndServeTLS).
	Addr string
	// Hostname is the server's own name, first in the 220 greeting and in
	// the EHLO reply. "" means the name of the machine.
	Hostname string
	// Backend makes a Session for each connection. Required.
	Backend Backend
	// TLSConfig enables STARTTLS (RFC 3207) and is needed for implicit
	// TLS (ServeTLS, RFC 8314).
	TLSConfig *tls.Config
	// MaxMessageBytes limits the message size (advertised with SIZE,
	// RFC 1870). 0 means DefaultMaxMessageBytes; negative means no limit.
	MaxMessageBytes int64
	// MaxRecipients limits the recipients of one message. 0 means
	// DefaultMaxRecipients.
	MaxRecipients int
	// ReadTimeout is how long to wait for a command. 0 means
	// ServerCommandTimeout. So that the deadline need not be reset on
	// every read, a wait may last up to a sixteenth longer, never
	// shorter; the same holds for DataTimeout.
	ReadTimeout time.Duration
	// DataTimeout is how long to wait for each read of message data. 0
	// means ServerDataBlockTimeout, or ReadTimeout when that is shorter.
	DataTimeout time.Duration
	// DataDeadline bounds the whole transfer of one message, however
	// steadily the client trickles it: from the 354 reply to the end of
	// the data for DATA, from the first chunk to the last for BDAT. A
	// client still sending when it passes gets 421 4.4.2 and is
	// disconnected; the Session's reader fails, so the partial message
	// is never taken. 0 means ServerDataDeadlineFloor plus the time to
	// receive MaxMessageBytes at ServerDataMinRate octets per second
	// (73 minutes for the default 32 MiB), or no deadline when there is
	// no size limit; negative means no deadline.
	DataDeadline time.Duration
	// WriteTimeout bounds each write. 0 means ServerWriteTimeout.
	WriteTimeout time.Duration
	// MaxLineLength is the command line limit with CRLF. 0 means
	// DefaultMaxLineLength.
	MaxLineLength int
	// MaxTextLineLength is the message line limit with CRLF. 0 means
	// DefaultMaxTextLineLength; negative means no limit.
	MaxTextLineLength int
	// MaxErrors is the number of erroneous commands after which the
	// server closes the connection with 421: commands it refuses itself
	// (unknown, out of sequence, bad syntax, over-long lines, refused
	// messages, failed AUTH). Refusals by the Session do not count;
	// refused recipients have their own limit, MaxRefusedRecipients.
	// 0 means DefaultMaxErrors.
	MaxErrors int
	// MaxRefusedRecipients is the number of RCPT commands refused by the
	// Session, or over MaxRecipients, after which the server closes the
	// connection with 421 (counted over the whole connection, across
	// transactions). 0 means DefaultMaxRefusedRecipients; negative means
	// no limit.
	MaxRefusedRecipients int
	// MaxConnections limits simultaneous connections; further ones get
	// 421 4.3.2 and are closed at once (counted in Stats). 0 means
	// DefaultMaxConnections; negative means no limit.
	MaxConnections int
	// MaxConnectionsPerIP limits simultaneous connections from one
	// client: one IPv4 address, or one IPv6 /64 network (what a single
	// subscriber is given). Further ones get 421 4.7.0 and are closed at
	// once (counted in Stats). Every address counts, loopback included:
	// behind a proxy or NAT that hides the clients' addresses, raise it
	// or switch it off. 0 means DefaultMaxConnectionsPerIP; negative
	// means no limit.
	MaxConnectionsPerIP int
	// AllowInsecureAuth offers AUTH without TLS.
	AllowInsecureAuth bool
	// AllowAuthzID lets an AUTH PLAIN client ask for an authorization
	// identity other than its username (RFC 4616 §2). The request then
	// reaches AuthSession.AuthPlain, which must check that the user may
	// act as that identity. When false (the safe default for sessions
	// that only check passwords) such an attempt is refused with
	// 535 5.7.8 before the session sees it; an identity equal to the
	// username is always accepted.
	AllowAuthzID bool
	// AllowBareLineEndings is the lenient mode: a bare LF ends a command
	// line, and a bare CR or LF in message data is passed on instead of
	// refusing the message. Only CRLF.CRLF ever ends the data.
	AllowBareLineEndings bool
	// DisableChunking stops advertising CHUNKING (RFC 3030).
	DisableChunking bool
	// Logger receives connection and error events. nil means no logging.
	// Credentials are never logged.
	Logger *slog.Logger

	hostOnce sync.Once
	host     string

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*Conn]struct{}
	active    int
	perIP     map[netip.Addr]int // connections per connLimitKey
	stats     serverCounters
	shutdown  atomic.Bool
	forced    atomic.Bool // Shutdown's context ended
	closed    atomic.Bool
	connsDone chan struct{} // closed when conns becomes empty during shutdown
}

func (s *Server) hostname() string {
	s.hostOnce.Do(func() {
		s.host = s.Hostname
		if s.host == "" {
			if h, err := os.Hostname(); err == nil && h != "" {
				s.host = h
			} else {
				s.host = "localhost"
			}
		}
	})
	return s.host
}

func (s *Server) maxMessageBytes() int64 { return limitOr(s.MaxMessageBytes, DefaultMaxMessageBytes) }

func (s *Server) maxRecipients() int {
	if s.MaxRecipients <= 0 {
		return DefaultMaxRecipients
	}
	return s.MaxRecipients
}

func (s *Server) maxErrors() int {
	if s.MaxErrors <= 0 {
		return DefaultMaxErrors
	}
	return s.MaxErrors
}

// maxRefusedRecipients returns the limit, or 0 for none.
func (s *Server) maxRefusedRecipients() int {
	return limitOr(s.MaxRefusedRecipients, DefaultMaxRefusedRecipients)
}

func (s *Server) maxLine() int {
	n := s.MaxLineLength
	if n <= 0 {
		n = DefaultMaxLineLength
	}
	if n > wireBufSize/2 {
		n = wireBufSize / 2
	}
	return n
}

func (s *Server) maxTextLine() int { return limitOr(s.MaxTextLineLength, DefaultMaxTextLineLength) }

// maxConnections returns the limit on simultaneous connections, or 0
// for none.
func (s *Server) maxConnections() int { return limitOr(s.MaxConnections, DefaultMaxConnections) }

// maxConnectionsPerIP returns the limit per client, or 0 for none.
func (s *Server) maxConnectionsPerIP() int {
	return limitOr(s.MaxConnectionsPerIP, DefaultMaxConnectionsPerIP)
}

// dataDeadline returns the overall limit on one message's transfer, or
// 0 for none.
func (s *Server) dataDeadline() time.Duration {
	switch {
	case s.DataDeadline > 0:
		return s.DataDeadline
	case s.DataDeadline < 0:
		return 0
	}
	max := s.maxMessageBytes()
	if max <= 0 {
		return 0
	}
	secs := max / ServerDataMinRate
	if secs > srvMaxDataDeadlineSecs {
		secs = srvMaxDataDeadlineSecs
	}
	return ServerDataDeadlineFloor + time.Duration(secs)*time.Second
}

// dataTimeout is the wait for each read of message data.
func (s *Server) dataTimeout() time.Duration {
	if s.DataTimeout > 0 {
		return s.DataTimeout
	}
	if s.ReadTimeout > 0 && s.ReadTimeout < ServerDataBlockTimeout {
		return s.ReadTimeout
	}
	return ServerDataBlockTimeout
}

// limitOr reads one of the Server's limit fields: zero means def, and
// a negative value means no limit, returned as 0.
func limitOr[T int | int64](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (s *Server) logger() *slog.Logger {
	return s.Logger
}

// ListenAndServe listens on s.Addr (":25" when empty) and serves.
func (s *Server) ListenAndServe() error {
	l, err := s.listen(":25")
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// ListenAndServeTLS listens on s.Addr (":465" when empty) and serves
// implicit TLS (RFC 8314 §3) with s.TLSConfig.
func (s *Server) ListenAndServeTLS() error {
	if s.TLSConfig == nil {
		return errors.New("smtp: ListenAndServeTLS needs Server.TLSConfig")
	}
	l, err := s.listen(":465")
	if err != nil {
		return err
	}
	return s.ServeTLS(l)
}

// listen listens on TCP at s.Addr, or at def when s.Addr is empty.
func (s *Server) listen(def string) (net.Listener, error) {
	if s.Addr == "" {
		return net.Listen("tcp", def)
	}
	return net.Listen("tcp", s.Addr)
}

// Serve accepts connections on l and serves each in its own goroutine.
// It returns ErrServerClosed after Shutdown or Close, or the error that
// stopped accepting. l is closed when Serve returns.
func (s *Server) Serve(l net.Listener) error { return s.serve(l, false) }

// ServeTLS is Serve with implicit TLS (RFC 8314 §3, port 465): every
// connection starts with a TLS handshake using s.TLSConfig.
func (s *Server) ServeTLS(l net.Listener) error {
	if s.TLSConfig == nil {
		return errors.New("smtp: ServeTLS needs Server.TLSConfig")
	}
	return s.serve(l, true)
}

func (s *Server) serve(l net.Listener, implicitTLS bool) error {
	if s.Backend == nil {
		l.Close()
		return errors.New("smtp: Server.Backend is nil")
	}
	if !s.trackListener(l, true) {
		l.Close()
		return ErrServerClosed
	}
	defer s.trackListener(l, false)
	defer l.Close()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.shutdown.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) || isTemporaryAccept(err) {
				if delay == 0 {
					delay = 5 * time.Millisecond
				} else if delay *= 2; delay > time.Second {
					delay = time.Second
				}
				if lg := s.logger(); lg != nil {
					lg.Warn("smtp: accept failed, retrying", "err", err, "delay", delay)
				}
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		c := s.newConn(nc, implicitTLS)
		if c == nil {
			continue
		}
		go c.serve()
	}
}

// isTemporaryAccept reports accept errors worth retrying (file
// descriptor exhaustion, aborted connections).
func isTemporaryAccept(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (s *Server) trackListener(l net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.shutdown.Load() {
			return false
		}
		if s.listeners == nil {
			s.listeners = make(map[net.Listener]struct{})
		}
		s.listeners[l] = struct{}{}
	} else {
		delete(s.listeners, l)
	}
	return true
}

// newConn registers a new connection; over MaxConnections or
// MaxConnectionsPerIP it answers 421 and returns nil.
func (s *Server) newConn(nc net.Conn, implicitTLS bool) *Conn {
	key, keyed := connLimitKey(nc.RemoteAddr())
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		nc.Close()
		return nil
	}
	if max := s.maxConnections(); max > 0 && s.active >= max {
		s.mu.Unlock()
		s.stats.refused.Add(1)
		go s.refuse(nc, srvEnhShutdown, "Too many connections, try again later")
		return nil
	}
	if max := s.maxConnectionsPerIP(); keyed && max > 0 && s.perIP[key] >= max {
		s.mu.Unlock()
		s.stats.refused.Add(1)
		s.stats.refusedPerIP.Add(1)
		go s.refuse(nc, srvEnhPolicy, "Too many connections from your address, try again later")
		return nil
	}
	c := newServerConn(s, nc, implicitTLS)
	if s.conns == nil {
		s.conns = make(map[*Conn]struct{})
	}
	s.conns[c] = struct{}{}
	s.active++
	if keyed {
		if s.perIP == nil {
			s.perIP = make(map[netip.Addr]int)
		}
		s.perIP[key]++
		c.limitKey, c.limitKeyed = key, true
	}
	s.mu.Unlock()
	s.stats.accepted.Add(1)
	return c
}

// refuse answers a connection over a limit with 421 and closes it.
func (s *Server) refuse(nc net.Conn, enh [3]int, text string) {
	nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	msg := appendReply(nil, 421, enh, s.hostname()+" "+text)
	nc.Write(msg)
	nc.Close()
	if lg := s.logger(); lg != nil {
		lg.Warn("smtp: connection refused: "+text, "remote", nc.RemoteAddr().String())
	}
}

// connLimitKey returns what MaxConnectionsPerIP counts a client as: its
// IPv4 address, or its IPv6 /64 network. ok is false for an address
// that is not IP.
func connLimitKey(a net.Addr) (key netip.Addr, ok bool) {
	ta, isTCP := a.(*net.TCPAddr)
	if !isTCP || ta == nil {
		return netip.Addr{}, false
	}
	ip := ta.AddrPort().Addr().Unmap()
	if !ip.IsValid() {
		return netip.Addr{}, false
	}
	if ip.Is6() {
		p, err := ip.WithZone("").Prefix(64)
		if err != nil {
			return netip.Addr{}, false
		}
		ip = p.Addr()
	}
	return ip, true
}

func (s *Server) forgetConn(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.active--
	if c.limitKeyed {
		if n := s.perIP[c.limitKey] - 1; n > 0 {
			s.perIP[c.limitKey] = n
		} else {
			delete(s.perIP, c.limitKey)
		}
	}
	if len(s.conns) == 0 && s.connsDone != nil {
		close(s.connsDone)
		s.connsDone = nil
	}
	s.mu.Unlock()
}

// Shutdown stops the server gracefully: it closes the listeners, sends
// 421 to every session waiting for a command (or with only new commands
// buffered) and closes it, lets every message transfer in progress (DATA
// or BDAT) finish and be answered, then closes those sessions too. It
// returns nil when all connections are gone. When ctx ends first,
// ctx's error is returned and every session's context is cancelled; the
// connections still open are closed at once, except those whose Session
// is working on a message it has received in full: they stop reading,
// and close once the Session has returned and its reply (the 250 of a
// message it accepted after all) has been sent.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown.Store(true)
	for l := range s.listeners {
		l.Close()
	}
	var done chan struct{}
	if len(s.conns) > 0 {
		if s.connsDone == nil {
			s.connsDone = make(chan struct{})
		}
		done = s.connsDone
	}
	for c := range s.conns {
		c.wakeIfIdle()
	}
	s.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	s.forced.Store(true)
	for c := range s.conns {
		c.abandon()
	}
	s.mu.Unlock()
	return ctx.Err()
}

// Close stops the server at once: listeners and every connection are
// closed without a reply, and every session's context is cancelled.
func (s *Server) Close() error {
	s.mu.Lock()
	s.shutdown.Store(true)
	s.closed.Store(true)
	var err error
	for l := range s.listeners {
		if e := l.Close(); e != nil && err == nil {
			err = e
		}
	}
	for c := range s.conns {
		c.cancel()
		c.raw.Close()
	}
	s.mu.Unlock()
	return err
}
