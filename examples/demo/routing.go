package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/outbound"
	"github.com/mailsmith/mailsmith/examples/internal/securedns"
	"github.com/mailsmith/mailsmith/examples/internal/stshost"
	"github.com/mailsmith/mailsmith/examples/internal/tlscert"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// routing is what the demo's mail servers need to secure delivery between
// them: a CA standing in for the WebPKI, example.com's MTA-STS policy
// served over HTTPS, a stand-in validating resolver for DANE, and one TLS
// report per sending server.
type routing struct {
	ca      *tlscert.CA
	certs   map[string]tls.Certificate // STARTTLS certificate per host
	sts     *stshost.Server
	dane    *securedns.Resolver
	reports map[string]*tlsrpt.Builder // per sending host
}

// stsPolicy is example.com's MTA-STS policy (RFC 8461 §3.2).
var stsPolicy = &mtasts.Policy{Mode: mtasts.ModeEnforce, MX: []string{demozone.ReceiverMX}, MaxAge: 7 * 24 * time.Hour}

// startRouting makes the demo CA and the certificates, serves
// example.com's policy, and publishes the _mta-sts and _smtp._tls records.
func (w *world) startRouting(n *narrator) error {
	ca, err := tlscert.NewCA("mailsmith demo CA")
	if err != nil {
		return err
	}
	w.ca, w.certs, w.reports = ca, map[string]tls.Certificate{}, map[string]*tlsrpt.Builder{}
	for _, host := range []string{demozone.SenderMX, demozone.ReceiverMX} {
		c, err := ca.Issue(time.Time{}, host)
		if err != nil {
			return err
		}
		w.certs[host] = c
	}
	w.certs[demozone.ForwarderMX] = w.zone.DANECert
	if w.sts, err = stshost.Start(ca, map[string]*mtasts.Policy{demozone.ReceiverDomain: stsPolicy}); err != nil {
		return err
	}
	w.dane = w.zone.DANEResolver()
	err = w.zone.Server.Add(
		`_mta-sts.example.com. 300 IN TXT "v=STSv1; id=20261207T0759"`,
		`mta-sts.example.com. 300 IN A 127.0.0.1`,
		`_smtp._tls.example.com. 300 IN TXT "v=TLSRPTv1; rua=mailto:tls-reports@example.com"`,
		`_smtp._tls.example.net. 300 IN TXT "v=TLSRPTv1; rua=mailto:tls-reports@example.net"`)
	if err != nil {
		return err
	}
	n.expect(true, "certificates for mail.example.org and mx.example.com issued by the demo CA, which every server here trusts in place of the public CAs")
	n.expect(true, "example.com's MTA-STS policy (mode enforce, mx: mx.example.com) served at https://mta-sts.example.com/.well-known/mta-sts.txt on 127.0.0.1:%d", w.sts.Port)
	n.expect(true, "mx.example.net's key pinned by DANE: %s", tlsaOf(w.zone.DANECert))
	return nil
}

// serverTLS is the STARTTLS configuration of a demo MX.
func (w *world) serverTLS(host string) *tls.Config {
	c, ok := w.certs[host]
	if !ok {
		return nil
	}
	return &tls.Config{Certificates: []tls.Certificate{c}}
}

// deliverer is the outbound side of the server host: DANE through the
// stand-in resolver, MTA-STS with policies fetched over HTTPS on loopback,
// the demo CA as the WebPKI, and a TLS report of its own.
func (w *world) deliverer(host string) *outbound.Deliverer {
	day := time.Now().UTC().Truncate(24 * time.Hour)
	b := &tlsrpt.Builder{OrganizationName: host, ContactInfo: "mailto:postmaster@" + host, Submitter: host,
		Start: day, End: day.Add(24*time.Hour - time.Second)}
	w.reports[host] = b
	return &outbound.Deliverer{
		Resolver:  w.res,
		LocalName: host,
		Ports:     w.ports,
		MTASTS:    outbound.MTASTSClient(w.res, w.ca.Pool(), map[string]int{"mta-sts." + demozone.ReceiverDomain: w.sts.Port}),
		DANE:      w.dane,
		RootCAs:   w.ca.Pool(),
		TLSReport: b,
	}
}

// tlsaOf is the TLSA record of a certificate, as zone text.
func tlsaOf(c tls.Certificate) string {
	rec, err := tlscert.TLSARecord(&tls.Config{Certificates: []tls.Certificate{c}}, demozone.ForwarderMX)
	if err != nil {
		return err.Error()
	}
	return rec
}

// waitSessions waits until host's report counts at least want sessions
// for domain: the sender counts a session after its QUIT, a moment after
// the receiver has stored the message.
func (w *world) waitSessions(ctx context.Context, host, domain string, want int64) {
	ctx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	for {
		ok, failed, _, _ := sessions(w.reports[host], domain)
		if ok+failed >= want || ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// sessions sums a report's sessions for one policy domain: successes,
// failures, and the failures by "host result-type".
func sessions(b *tlsrpt.Builder, domain string) (ok, failed int64, why map[string]int64, typ tlsrpt.PolicyType) {
	why = map[string]int64{}
	r := b.Report(domain, "demo")
	if r == nil {
		return 0, 0, why, ""
	}
	for _, p := range r.Policies {
		typ = p.Policy.Type
		ok += p.Summary.TotalSuccessfulSessionCount
		failed += p.Summary.TotalFailureSessionCount
		for _, fd := range p.FailureDetails {
			why[fmt.Sprintf("%s %s", fd.ReceivingMXHostname, fd.ResultType)] += fd.FailedSessionCount
		}
	}
	return ok, failed, why, typ
}
