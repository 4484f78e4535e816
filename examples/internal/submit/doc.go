// Package submit is the core of a mail submission server (RFC 6409): an
// smtp.Backend that authenticates users, lets them send only as
// themselves, fixes what mail programs leave out (Date, Message-ID), can
// hide the client (its address in Received, User-Agent and the like), signs
// with DKIM and hands the message to an outgoing queue. The submission
// example and the demo use it.
package submit
