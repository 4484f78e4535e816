// Package smtp is a small, strict and fast SMTP server and client
// (RFC 5321) with the common ESMTP extensions. Both halves live in this
// one package and share Error, MailOptions and RcptOptions.
//
// # What the server does
//
// A Server accepts connections and hands each one to a Backend, whose
// Session decides on senders, recipients and the message. It implements:
//
//   - The RFC 5321 state machine: 220 greeting, EHLO/HELO, MAIL, RCPT,
//     DATA, RSET, NOOP, QUIT, VRFY (always 252), HELP; EXPN is not
//     implemented (502). The server's own name comes first in the
//     greeting and in the EHLO reply (§4.1.1.1, §4.3.1).
//   - Enhanced status codes (RFC 2034, RFC 3463) on every line of every
//     reply except the greeting, the EHLO/HELO reply and the 3yz
//     intermediate replies, which RFC 2034 §3 and RFC 3463 leave without
//     one.
//   - PIPELINING (RFC 2920): a pipelined batch is answered in one write;
//     a line that breaks a limit is consumed to its end and gets exactly
//     one reply, so replies never fall out of step.
//   - SIZE (RFC 1870): refused at MAIL when the declared size is too big,
//     enforced while the message streams.
//   - 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531: non-ASCII addresses need
//     the MAIL parameter, else 553 5.6.7).
//   - STARTTLS (RFC 3207): plaintext pipelined after STARTTLS is thrown
//     away, and everything learnt before TLS (EHLO, AUTH) is forgotten.
//     Implicit TLS for port 465 (RFC 8314 §3) with ServeTLS and
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
// Session.Data gets an io.Reader that streams the message exactly as the
// client sent it, dot-unstuffed (RFC 5321 §4.5.2), with nothing added:
// trace fields such as Received or Authentication-Results are the
// backend's to add. Only CRLF.CRLF ends the data. A CR or LF outside a
// CRLF pair, the raw material of SMTP smuggling, gets the message
// refused with 554 5.6.0 unless Server.AllowBareLineEndings is set;
// lines longer than 1000 octets (§4.5.3.1.6) and messages over the size
// limit are refused too, always after the server has read to the real
// end of the data. Command lines are limited to 512 octets (§4.5.3.1.4,
// plus what SIZE, SMTPUTF8 and AUTH= add to MAIL) and must end in CRLF.
//
// A Session that returns an *Error has exactly that reply sent; any
// other error is logged (through Server.Logger, a log/slog logger) and
// answered with a generic 451 4.3.0 that does not reveal it.
//
// Every limit has a default and bounds work as well as bytes: the
// timeouts of RFC 5321 §4.5.3.2 (5 minutes per command, 3 per data
// block), 100 recipients per message (§4.5.3.1.8), erroneous commands
// and refused recipients per connection, the message size, a deadline
// for a whole message transfer (Server.DataDeadline), 1000 connections
// at once and 50 from one client address (an IPv6 /64); refused
// connections get 421 and are counted in Server.Stats. Shutdown stops
// accepting, answers 421 to sessions waiting for a command and lets
// message transfers finish; Close drops everything. Backend.NewSession
// runs before the greeting and can refuse a connection with its own
// reply; each Conn has a context cancelled when the connection fails.
//
// Where the RFCs leave room (a space after "MAIL FROM:", source routes,
// early talkers, input behind a refused DATA, half-closing clients), the
// choices made and what one message costs are written down in DESIGN.md
// beside this file.
//
// # What the client does
//
// Dial (or DialTLS for implicit TLS, or NewClient over a connection you
// made) gives a Client with Hello (EHLO, falling back to HELO), StartTLS,
// Auth (PLAIN, LOGIN or your own SASLClient), Mail, Rcpt, Data (an
// io.WriteCloser that dot-stuffs and normalises line endings), Reset,
// Noop and Quit. Envelope and data are pipelined when the server offers
// PIPELINING (RFC 2920). Non-ASCII addresses are sent with SMTPUTF8
// (RFC 6531) when the server offers it. Every failure reply comes back
// as an *Error; a recipient's, wrapped in a *RecipientError; deadlines
// come from the context. SendMail does a whole delivery in one call.
//
// How hard the client insists on TLS is one setting, TLSPolicy
// (SendMail's WithTLSPolicy, Client.ApplyTLSPolicy). Delivery between
// MTAs defaults to TLSOpportunistic (RFC 7435): STARTTLS when offered,
// the certificate not checked, and one plain-text retry on a new
// connection when the handshake fails. Submission (WithAuth, implicit
// TLS) defaults to TLSVerified (RFC 8314 §5.1): the certificate must be
// valid for the server's name. TLSRequired and TLSVerified never send
// without TLS; their error, a *TLSPolicyError, names the policy.
//
// # What it does not do
//
// Neither half queues, retries, relays or looks up MX records (see the
// mx package); the server does no DNS checks, no SPF/DKIM/DMARC and adds
// no headers: that is the backend's work. Not implemented: DSN
// (RFC 3461), BINARYMIME, ETRN, EXPN, VRFY lookups, SASL mechanisms
// other than PLAIN and LOGIN on the server, and LMTP.
//
// # Usage
//
// A server:
//
//	srv := &smtp.Server{
//		Hostname:  "mx.example.org",
//		Backend:   backend,   // NewSession(*smtp.Conn) (smtp.Session, error)
//		TLSConfig: tlsConfig, // enables STARTTLS
//	}
//	log.Fatal(srv.ListenAndServe())
//
// One delivery with the client:
//
//	err := smtp.SendMail(ctx, "mx.example.net:25", "alice@example.org",
//		[]string{"bob@example.net"}, strings.NewReader(msg),
//		smtp.WithLocalName("mail.example.org"))
package smtp
