// Package testmail builds the report emails the tests of dmarc/report and
// mx/tlsrpt parse: a report compressed as gzip (RFC 1952) or zip,
// encoded in base64 lines of 76 characters or quoted-printable
// (RFC 2045 §6.7, §6.8), and wrapped in multipart entities (RFC 2046
// §5.1).
//
//	gz := testmail.Gzip(t, report)
//	msg := "Subject: report\r\nMIME-Version: 1.0\r\n" + testmail.Multipart("multipart/mixed", "b1",
//		"Content-Type: text/plain\r\n\r\nA report.\r\n",
//		"Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n"+testmail.Base64Lines(gz))
//
// Each maker writes the standard shape; a test that wants an odd one
// (LF line ends, spaces in base64) edits the result. The package is
// imported by _test.go files only.
package testmail
