package main

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/smtp"
)

// DANEReport is the DANE status of the domain's MX hosts (RFC 7672 §2.2).
type DANEReport struct {
	MXSecure bool       `json:"mx_secure"` // the MX RRset was DNSSEC-validated
	Hosts    []DANEHost `json:"hosts,omitempty"`
	Error    string     `json:"error,omitempty"`
}

// DANEHost is what DANE asks of one MX host, and what its server presents.
type DANEHost struct {
	Name       string      `json:"name"`
	Status     string      `json:"status"` // none, verify, encrypt, defer
	BaseDomain string      `json:"tlsa_base_domain,omitempty"`
	Records    []string    `json:"tlsa,omitempty"` // "3 1 1 <hex>", with "(unusable: why)" for the others
	Error      string      `json:"error,omitempty"`
	Probes     []DANEProbe `json:"probes,omitempty"`
}

// DANEProbe is one STARTTLS connection to an address of the host.
type DANEProbe struct {
	Addr     string `json:"addr"`
	STARTTLS bool   `json:"starttls"`
	Match    bool   `json:"match"`             // the certificate matches a usable TLSA record
	Record   string `json:"matched,omitempty"` // the record that matched
	Error    string `json:"error,omitempty"`
}

// prober connects to MX hosts to see their certificates; nil: no probe.
type prober struct {
	Port    int           // 0: 25
	Timeout time.Duration // per connection; 0: 10 s
	Name    string        // EHLO name; "": "localhost"
}

// checkDANE finds the DANE status of the domain's MX hosts with a
// DNSSEC-aware resolver and, when p is not nil, connects to each address of
// a host with TLSA records to check that its certificate matches them.
func checkDANE(ctx context.Context, res dane.Resolver, r *Report, p *prober) {
	if r.MX.NullMX {
		return
	}
	dest, err := dane.Lookup(ctx, res, r.Domain)
	if err != nil {
		if errors.Is(err, dane.ErrNXDomain) || errors.Is(err, dane.ErrNullMX) {
			return // the MX check says it
		}
		r.DANE.Error = errText(err)
		level := Warning
		if errors.Is(err, dane.ErrBogus) {
			level = Error
		}
		r.add(level, "dane", "DANE lookup failed: %v; senders using DANE defer mail to this domain", err)
		return
	}
	r.DANE.MXSecure = dest.MXSecure
	if !dest.MXSecure {
		r.add(Info, "dane", "the MX records are not DNSSEC-validated (unsigned zone, or the resolver does not validate): DANE does not apply")
	}
	for _, h := range dest.Hosts {
		dh := DANEHost{Name: trimDot(h.Name), Status: string(h.Status), BaseDomain: trimDot(h.BaseDomain)}
		for _, rec := range h.Records {
			s := rec.String()
			if err := rec.Usable(); err != nil {
				s += " (unusable: " + oneLine(err.Error()) + ")"
			}
			dh.Records = append(dh.Records, s)
		}
		if h.Err != nil {
			dh.Error = errText(h.Err)
		}
		switch h.Status {
		case dane.StatusVerify:
			r.add(Info, "dane", "%s: DANE applies (%d TLSA record(s)): senders require TLS with a matching certificate", dh.Name, len(h.Records))
		case dane.StatusEncrypt:
			r.add(Warning, "dane", "%s: every TLSA record is unusable for SMTP: senders use TLS without authentication and report tlsa-invalid", dh.Name)
		case dane.StatusDefer:
			r.add(Error, "dane", "%s: DANE lookup failed (%v): senders using DANE defer mail to this host", dh.Name, h.Err)
		case dane.StatusNone:
			if dest.MXSecure {
				r.add(Info, "dane", "%s: no DNSSEC-validated TLSA records at _25._tcp.%s: DANE does not apply", dh.Name, dh.Name)
			}
		}
		if p != nil && (h.Status == dane.StatusVerify || h.Status == dane.StatusEncrypt) {
			for _, ip := range h.Addrs {
				pr := p.probe(ctx, h, ip.String())
				dh.Probes = append(dh.Probes, pr)
				switch {
				case pr.Error != "" && !pr.STARTTLS:
					r.add(Error, "dane", "%s (%s): %s", dh.Name, pr.Addr, pr.Error)
				case h.Status == dane.StatusVerify && !pr.Match:
					r.add(Error, "dane", "%s (%s): the certificate matches no TLSA record (%s): senders using DANE will not deliver", dh.Name, pr.Addr, pr.Error)
				case pr.Match:
					r.add(Info, "dane", "%s (%s): the certificate matches %s", dh.Name, pr.Addr, pr.Record)
				}
			}
		}
		r.DANE.Hosts = append(r.DANE.Hosts, dh)
	}
}

// probe connects to addr, asks for STARTTLS with the TLSA base domain as
// Server Name Indication (RFC 7672 §8.1) and checks the certificate chain
// it presents against the host's TLSA records (dane.VerifyMatch).
func (p *prober) probe(ctx context.Context, h dane.Host, ip string) DANEProbe {
	port, timeout := p.Port, p.Timeout
	if port == 0 {
		port = 25
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	pr := DANEProbe{Addr: net.JoinHostPort(ip, strconv.Itoa(port))}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", pr.Addr)
	if err != nil {
		pr.Error = "no connection: " + errText(err)
		return pr
	}
	c := smtp.NewClient(conn, trimDot(h.BaseDomain))
	defer c.Close()
	if err := c.Hello(ctx, p.Name); err != nil {
		pr.Error = "EHLO: " + errText(err)
		return pr
	}
	// The check is made below, so that its result can be reported:
	// TLSRequired makes STARTTLS mandatory without a WebPKI check.
	policy := smtp.TLSPolicy{Mode: smtp.TLSRequired, Config: &tls.Config{ServerName: trimDot(h.BaseDomain)}}
	if err := c.ApplyTLSPolicy(ctx, policy); err != nil {
		pr.Error = "STARTTLS: " + errText(err)
		return pr
	}
	pr.STARTTLS = true
	st, _ := c.TLSConnectionState()
	m, err := dane.VerifyMatch(h.Records, st.PeerCertificates, h.VerifyOptions())
	if err != nil {
		pr.Error = errText(err)
	} else {
		pr.Match, pr.Record = true, m.Record.String()
	}
	_ = c.Quit(ctx)
	return pr
}

// trimDot removes the trailing dot of an absolute name.
func trimDot(name string) string {
	if n := len(name); n > 0 && name[n-1] == '.' {
		return name[:n-1]
	}
	return name
}
