// Package authcheck runs the four checks a receiving MX makes on a message
// (iprev, SPF, DKIM, DMARC) with the suite's packages, decides what to do
// with the message, and gives the Authentication-Results field (RFC 8601,
// built with package authres) and the Received-SPF field (RFC 7208 §9.1)
// that record the outcome.
package authcheck
