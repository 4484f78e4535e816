package dnstest

import (
	"net"

	"github.com/miekg/dns"
)

// maxCNAMEHops bounds how far the server follows a CNAME chain in one answer.
const maxCNAMEHops = 8

func (s *Server) serveDNS(w dns.ResponseWriter, req *dns.Msg) {
	network := "udp"
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		network = "tcp"
	}
	resp := new(dns.Msg)
	if len(req.Question) != 1 || req.Opcode != dns.OpcodeQuery {
		resp.SetRcode(req, dns.RcodeFormatError)
		w.WriteMsg(resp) //nolint:errcheck // the client may be gone
		return
	}
	resp.SetReply(req)
	resp.Authoritative = true
	// Go's resolver treats a non-authoritative, non-recursive empty answer as
	// a lame referral; say both.
	resp.RecursionAvailable = true
	q := req.Question[0]
	name := canonical(q.Name)

	s.mu.Lock()
	s.logLocked(Query{Name: name, Type: q.Qtype, Net: network})
	fault := s.faultLocked(name, q.Qtype)
	switch fault {
	case Drop:
		s.mu.Unlock()
		return
	case ServFail:
		resp.Rcode = dns.RcodeServerFailure
	case Refused:
		resp.Rcode = dns.RcodeRefused
	case NXDomain:
		resp.Rcode = dns.RcodeNameError
		s.addSOALocked(resp, name)
	case Truncate:
		if network == "udp" {
			resp.Truncated = true
			break
		}
		s.answerLocked(resp, name, q.Qtype)
	default:
		s.answerLocked(resp, name, q.Qtype)
	}
	s.mu.Unlock()

	if opt := req.IsEdns0(); opt != nil {
		resp.SetEdns0(max(opt.UDPSize(), dns.MinMsgSize), false)
	}
	if network == "udp" {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil && int(opt.UDPSize()) > size {
			size = int(opt.UDPSize())
		}
		resp.Truncate(size)
	}
	w.WriteMsg(resp) //nolint:errcheck // the client may be gone
}

func (s *Server) faultLocked(name string, qtype uint16) Fault {
	if f, ok := s.faults[faultKey{name, qtype}]; ok {
		return f
	}
	return s.faults[faultKey{name, dns.TypeNone}]
}

// answerLocked fills the answer for name and qtype from the data, following
// CNAMEs, and sets NXDOMAIN or adds the SOA for negative answers.
func (s *Server) answerLocked(m *dns.Msg, name string, qtype uint16) {
	for hop := 0; hop <= maxCNAMEHops; hop++ {
		rrs, exists := s.lookupLocked(name)
		if !exists {
			m.Rcode = dns.RcodeNameError
			s.addSOALocked(m, name)
			return
		}
		var cname *dns.CNAME
		matched := false
		for _, rr := range rrs {
			t := rr.Header().Rrtype
			if t == qtype || qtype == dns.TypeANY {
				m.Answer = append(m.Answer, dns.Copy(rr))
				matched = true
			}
			if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		if matched || cname == nil || qtype == dns.TypeCNAME {
			if !matched {
				s.addSOALocked(m, name)
			}
			return
		}
		m.Answer = append(m.Answer, dns.Copy(cname))
		name = canonical(cname.Target)
	}
}

// lookupLocked returns the records owned by name and whether name exists,
// applying a wildcard at the closest encloser (RFC 4592) when it does not.
func (s *Server) lookupLocked(name string) ([]dns.RR, bool) {
	if s.names[name] {
		return s.records[name], true
	}
	encloser := parent(name)
	for !s.names[encloser] {
		encloser = parent(encloser)
	}
	wild := "*." + encloser
	if encloser == "." {
		wild = "*."
	}
	rrs, ok := s.records[wild]
	if !ok {
		return nil, false
	}
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
		out[i].Header().Name = name
	}
	return out, true
}

// addSOALocked puts the closest enclosing zone's SOA, if any, in the
// authority section of a negative answer (RFC 2308).
func (s *Server) addSOALocked(m *dns.Msg, name string) {
	for n := name; ; n = parent(n) {
		for _, rr := range s.records[n] {
			if rr.Header().Rrtype == dns.TypeSOA {
				m.Ns = append(m.Ns, dns.Copy(rr))
				return
			}
		}
		if n == "." {
			return
		}
	}
}
