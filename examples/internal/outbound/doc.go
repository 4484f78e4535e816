// Package outbound delivers a message to its recipients' mail exchangers:
// it groups the recipients by domain, finds each domain's MX hosts with the
// mx package (RFC 5321 §5.1: preference order, implicit MX, null MX), and
// sends with the smtp client, trying the hosts in order until one answers.
// It reports, per recipient, whether the message was accepted, failed for
// good (5yz, null MX, no such domain) or should be retried (4yz, network
// and DNS trouble).
package outbound
