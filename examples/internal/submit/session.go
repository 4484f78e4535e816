package submit

import (
	"io"
	"log/slog"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/smtp"
)

// Backend is the smtp.Backend of a submission server.
type Backend struct {
	Hostname   string       // this server's name (Received, Message-ID)
	Users      Users        // who may log in
	Keys       []Key        // DKIM keys; mail is signed with those of the author's domain
	HideClient bool         // leave the client out of Received, drop User-Agent and friends
	Queue      *queue.Queue // where accepted mail goes
	Logger     *slog.Logger // nil: no logging
}

var (
	errAuthRequired = &smtp.Error{Code: 530, EnhancedCode: [3]int{5, 7, 0}, Message: "authentication required"}
	errNotYours     = &smtp.Error{Code: 553, EnhancedCode: [3]int{5, 7, 1}, Message: "sender address is not yours"}
	errFromNotYours = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: "From header field must be your address"}
	errQueue        = &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 3, 0}, Message: "message not queued, try again later"}
)

// NewSession implements smtp.Backend.
func (s *Backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c}, nil
}

type session struct {
	s    *Backend
	conn *smtp.Conn
	from string
	to   []string
}

// AuthPlain implements smtp.AuthSession: PLAIN and LOGIN, offered only
// over TLS.
func (ss *session) AuthPlain(identity, username, password string) error {
	if identity != "" && !strings.EqualFold(identity, username) {
		return smtp.ErrAuthFailed // no acting on behalf of others
	}
	if !ss.s.Users.Check(username, password) {
		ss.s.log().Warn("authentication failed", "user", username, "ip", ss.conn.RemoteAddr().Addr())
		return smtp.ErrAuthFailed
	}
	return nil
}

// user is the authenticated login, lower case.
func (ss *session) user() string { return strings.ToLower(ss.conn.AuthIdentity()) }

// Mail requires authentication and lets users send only as themselves
// (RFC 6409 §4.1 leaves the policy to the server).
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.Reset()
	if ss.user() == "" {
		return errAuthRequired
	}
	if !strings.EqualFold(from, ss.user()) {
		return errNotYours
	}
	ss.from = from
	return nil
}

// Rcpt takes any recipient from an authenticated user (it is their
// server); the server limits how many.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.user() == "" {
		return errAuthRequired
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data checks the author, prepares and signs the message and queues it.
func (ss *session) Data(r io.Reader) error {
	msg, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	author, err := mailmsg.FromAddress(msg)
	if err != nil || !strings.EqualFold(author, ss.user()) {
		return errFromNotYours
	}
	_, tls := ss.conn.TLSConnectionState()
	msg, p, err := ss.s.prepare(msg, ss.user(), ss.conn.RemoteAddr().Addr().Unmap(), ss.conn.Helo(), tls)
	if err != nil {
		return err // logged by the server, answered 451
	}
	id, err := ss.s.Queue.Enqueue(ss.from, ss.to, msg)
	if err != nil {
		ss.s.log().Error("queueing failed", "user", ss.user(), "err", err)
		return errQueue
	}
	ss.s.log().Info("submitted", "id", id, "user", ss.user(), "to", ss.to, "added-date", p.addedDate,
		"added-message-id", p.addedID, "removed-fields", p.removed, "dkim-signatures", p.signatures)
	return nil
}

// Reset forgets the transaction.
func (ss *session) Reset() { ss.from, ss.to = "", nil }

// Logout has nothing to release.
func (ss *session) Logout() error { return nil }

func (s *Backend) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}
