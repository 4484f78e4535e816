package dnstest

import "github.com/miekg/dns"

// Query types, for Fault, CountQueries and Query.Type, so that a test
// needs no import of miekg/dns just to name one.
const (
	TypeA     = dns.TypeA
	TypeAAAA  = dns.TypeAAAA
	TypeMX    = dns.TypeMX
	TypeTXT   = dns.TypeTXT
	TypePTR   = dns.TypePTR
	TypeCNAME = dns.TypeCNAME
	TypeTLSA  = dns.TypeTLSA
	TypeNSEC  = dns.TypeNSEC
	TypeNone  = dns.TypeNone // with Fault: every query type of the name
)
