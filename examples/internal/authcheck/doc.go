// Package authcheck runs the four checks a receiving MX makes on a message
// (iprev, SPF, DKIM, DMARC) with the suite's packages, decides what to do
// with the message, and writes the Authentication-Results (RFC 8601) and
// Received-SPF (RFC 7208 §9.1) header fields that record the outcome.
package authcheck
