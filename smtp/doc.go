// Package smtp is a small, strict and fast SMTP server and client
// (RFC 5321) with the common ESMTP extensions. Both halves live in this
// one package and share Error, MailOptions and RcptOptions.
//
// # Server
//
// A Server accepts connections and hands each one to a Backend, which
// returns a Session; the Session decides on senders, recipients and the
// message:
//
//	srv := &smtp.Server{
//		Hostname:  "mx.example.org",
//		Backend:   backend,      // NewSession(*smtp.Conn) (smtp.Session, error)
//		TLSConfig: tlsConfig,    // enables STARTTLS
//	}
//	log.Fatal(srv.ListenAndServe())
//
// What the server implements:
//
//   - The RFC 5321 state machine: 220 greeting, EHLO/HELO, MAIL, RCPT,
//     DATA, RSET, NOOP, QUIT, VRFY (always 252), HELP; EXPN is not
//     implemented (502). The server's own name comes first in the
//     greeting and in the EHLO reply (§4.1.1.1, §4.3.1).
//   - Enhanced status codes (RFC 2034, RFC 3463) on every line of every
//     reply except the greeting, the EHLO/HELO reply and the 3yz
//     intermediate replies, which RFC 2034 §3 and RFC 3463 leave without
//     one.
//   - PIPELINING (RFC 2920): replies are queued and written only when no
//     further input is buffered, so a pipelined batch is answered in one
//     write. A line that breaks a limit is consumed to its end and gets
//     exactly one reply, so replies never fall out of step.
//   - SIZE (RFC 1870): refused at MAIL when the declared size is too big,
//     enforced while the message streams.
//   - 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531: non-ASCII addresses need
//     the MAIL parameter, else 553 5.6.7).
//   - STARTTLS (RFC 3207): plaintext pipelined after STARTTLS is thrown
//     away, and everything learnt before TLS (EHLO, AUTH) is forgotten.
//     Implicit TLS for port 465 (RFC 8314) with ServeTLS and
//     ListenAndServeTLS.
//   - AUTH PLAIN and LOGIN (RFC 4954, RFC 4616) when the Session
//     implements AuthSession, offered only over TLS unless
//     Server.AllowInsecureAuth is set. An AUTH PLAIN authorization
//     identity other than the username is refused (535 5.7.8) unless
//     Server.AllowAuthzID lets the Session judge it. Credentials are
//     never logged.
//   - CHUNKING/BDAT (RFC 3030): chunks stream into the same Session.Data
//     reader; chunks of a refused BDAT are still read, never run as
//     commands.
//
// The message path: Session.Data gets an io.Reader that streams the
// message exactly as the client sent it, dot-unstuffed (RFC 5321 §4.5.2)
// and with nothing added — trace fields such as Received or
// Authentication-Results are the backend's to add. Only CRLF.CRLF ends
// the data. A CR or LF outside a CRLF pair (the raw material of SMTP
// smuggling) makes the message refused with 554 5.6.0 unless
// Server.AllowBareLineEndings is set; lines longer than 1000 octets
// (§4.5.3.1.6) and messages over the size limit are refused too. On
// every such path the server first reads to the real end of the data,
// then replies. Command lines are limited to 512 octets (§4.5.3.1.4,
// plus what SIZE, SMTPUTF8 and AUTH= add to MAIL) and must end in CRLF.
//
// Choices where the RFCs leave room, made as Postfix makes them: a
// space after "MAIL FROM:" or "RCPT TO:" is tolerated; source routes
// (<@a,@b:user@c>) are accepted and dropped (RFC 5321 §4.1.1.3, C);
// <postmaster> needs no domain (§4.5.1); DATA or BDAT with no RCPT yet
// is 503 5.5.1, with every recipient refused 554 5.5.1 (§3.3); a
// command line over the limit is 500 5.5.2 "Line too long" (§4.5.3.1.10)
// even when it is also malformed. A client that talks before the
// greeting is not refused (that is a pre-greeting filter's job, like
// Postfix's postscreen): the greeting still comes first and every
// command is answered in order. Message data sent before the 354 is
// taken as the message; but input waiting behind a DATA that is
// refused is a message that must not run as commands, so the server
// answers 421 4.5.0 and hangs up. When it hangs up, the server stops
// writing and reads briefly until the client closes, so that a client
// that pipelined on does not lose the last reply to a TCP reset.
//
// Limits and lifecycle: the timeouts of RFC 5321 §4.5.3.2 are the
// defaults (5 minutes per command, 3 minutes per data block; a shorter
// Server.ReadTimeout also bounds data reads and TLS handshakes), as are 100
// recipients per message (§4.5.3.1.8); the number of erroneous commands
// before 421, the number of refused recipients per connection (recipient
// guessing), the number of connections and the message size are bounded
// too. Idle connections hand their read buffer back to a pool,
// so one costs a few KiB. Shutdown stops accepting, answers 421 to
// sessions waiting for a command and lets message transfers in progress
// finish, closing what is left when its context ends; Close drops
// everything. Backend.NewSession runs before the
// greeting and can refuse a connection with its own reply. Each Conn
// has a context cancelled when the connection ends. Logging goes
// through log/slog (Server.Logger).
//
// Hostile and unlucky clients: a whole message transfer (DATA, or every
// BDAT chunk of one message) must end within Server.DataDeadline, by
// default 5 minutes plus the size limit at 8 KiB/s, however steadily the
// client trickles it; a command line must be complete within
// ReadTimeout. By default at most 1000 connections are served at once,
// 50 from one client address (an IPv6 /64); the rest get 421 and are
// counted in Server.Stats. A client that shuts down its sending side
// after its commands (end of input) still gets every reply, and its
// Session's context stays alive until then; only a failed connection
// counts as gone. A command line that ends in a bare LF is refused at
// once with 500 5.5.2 when no more input follows.
//
// Errors: a Session that returns an *Error has exactly that reply sent;
// any other error is logged and answered with a generic 451 4.3.0 that
// does not reveal it.
//
// Cost per message: with small messages a server's CPU time goes mostly
// to system calls, so the server makes few and cheap ones. A
// transaction sent in lockstep (MAIL, RCPT, DATA, the message, each
// after the previous reply) costs four writes and four reads that
// return data (each followed by one that finds nothing yet); a
// pipelined one, two writes. On Linux, plain TCP connections are read
// and written with raw system calls through syscall.RawConn (the
// runtime's poller still does every wait and deadline); a write gets a
// deadline only when the socket is full, and a read deadline is reset
// only when it would otherwise end before ReadTimeout (or DataTimeout)
// from now or more than a sixteenth of it later, so a wait may be up to
// that much longer. smtp/bench/run.sh measures the server's CPU time per
// message under Postfix's smtp-source beside go-smtp's and smtp-sink's.
//
// # Client
//
// Dial (or DialTLS for implicit TLS, or NewClient over a connection you
// made) gives a Client with Hello (EHLO, falling back to HELO), StartTLS,
// Auth (PLAIN, LOGIN or your own SASLClient), Mail, Rcpt, Data (an
// io.WriteCloser that dot-stuffs and normalises line endings), Reset,
// Noop and Quit. Envelope and data are pipelined when the server offers
// PIPELINING. Every failure reply comes back as an *Error; deadlines
// come from the context. SendMail does a whole delivery in one call.
//
// How hard the client insists on TLS is one setting, TLSPolicy (SendMail's
// WithTLSPolicy, Client.ApplyTLSPolicy). Delivery between MTAs defaults
// to TLSOpportunistic (RFC 7435): STARTTLS when offered, the certificate
// not checked, and one plain-text retry on a new connection when the
// handshake fails. Submission (WithAuth, implicit TLS) defaults to
// TLSVerified (RFC 8314 §5.1): the certificate must be valid for the
// server's name. TLSRequired and TLSVerified never send without TLS; their
// error, a *TLSPolicyError, names the policy.
//
// # Not done here
//
// Neither half queues, retries, relays or looks up MX records (see the
// mx package); the server does no DNS checks, no SPF/DKIM/DMARC and adds
// no headers; that is the backend's work. Not implemented: DSN
// (RFC 3461), BINARYMIME, ETRN, EXPN, VRFY lookups, SASL mechanisms
// other than PLAIN and LOGIN on the server, and LMTP.
package smtp
