// Package mailmsg holds the small amount of RFC 5322 header handling the
// examples need: splitting a message into header and body, reading and
// removing header fields, prepending trace fields, and finding the author
// (From) domain that DMARC evaluates.
//
// It works on whole messages in memory, which suits the examples (their SMTP
// servers cap the message size); it is not a MIME parser.
package mailmsg
