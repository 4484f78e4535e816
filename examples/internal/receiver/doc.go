// Package receiver is the receiving side of an MX built on smtp.Server: an
// smtp.Backend that takes a message, runs the authentication checks
// (authcheck), enforces DMARC (550 5.7.1 for p=reject, the Junk folder for
// p=quarantine), adds the trace fields (Authentication-Results,
// Received-SPF, Received) and hands the message to a Handler that stores or
// relays it. The inbound, forwarder and demo examples share it.
package receiver
