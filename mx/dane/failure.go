package dane

import "net"

// dnsFailure is a lookup error: one of the package's sentinels and the
// *net.DNSError that DESIGN's failure convention asks for.
type dnsFailure struct {
	kind error
	dns  *net.DNSError
}

// failure builds a lookup error of the given kind.
func failure(kind error, name, server, msg string, timeout bool) error {
	e := &net.DNSError{Err: msg, Name: name, Server: server, IsTimeout: timeout}
	switch kind {
	case ErrNXDomain, ErrNoData:
		e.IsNotFound = true
	default:
		e.IsTemporary = true
	}
	return &dnsFailure{kind: kind, dns: e}
}

func (e *dnsFailure) Error() string { return e.kind.Error() + ": " + e.dns.Error() }

// Unwrap returns the sentinel (for ErrBogus also ErrTemporary) and the
// *net.DNSError.
func (e *dnsFailure) Unwrap() []error {
	if e.kind == ErrBogus {
		return []error{ErrBogus, ErrTemporary, e.dns}
	}
	return []error{e.kind, e.dns}
}
