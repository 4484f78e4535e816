package main

import (
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/outbound"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
	"github.com/mailsmith/mailsmith/examples/internal/submit"
	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
	"github.com/mailsmith/mailsmith/smtp"
)

type config struct {
	listenSTARTTLS, listenTLS string     // "" disables that port
	host                      serve.Host // -hostname, -resolver
	users                     submit.Users
	keys                      []submit.Key
	hideClient                bool
	cert                      serve.Cert // -cert, -key
	out                       queue.Settings
	maxAge                    time.Duration
	dkimDir, tlsrptDir        string

	// daneOverride replaces -dane-resolver (tests).
	daneOverride dane.Resolver
	// roots replace the system's WebPKI roots for MTA-STS policy hosts
	// and MX certificates; httpsPorts replace port 443 per policy host
	// (tests).
	roots      *x509.CertPool
	httpsPorts map[string]int
	// ready is told each listening address, "submission" (STARTTLS) or
	// "submissions" (implicit TLS) (tests).
	ready func(name string, addr net.Addr)
}

// run serves until ctx ends, then shuts down. Logs go to logw.
func run(ctx context.Context, cfg config, logw io.Writer) error {
	log := slog.New(slog.NewTextHandler(logw, nil))
	res, err := cfg.host.DNS()
	if err != nil {
		return err
	}
	tlscfg, err := cfg.cert.Config(logw, "submission", "TLS certificate, if this host is also an MX", cfg.host.Name)
	if err != nil {
		return err
	}
	if err := addMissingKeys(&cfg, logw); err != nil {
		return err
	}
	d, report, err := deliverer(cfg, res)
	if err != nil {
		return err
	}
	q, err := cfg.out.Open(d, cfg.host.Name, cfg.maxAge, log)
	if err != nil {
		return err
	}
	srv := &smtp.Server{
		Hostname:  cfg.host.Name,
		TLSConfig: tlscfg,
		Logger:    log,
		Backend: &submit.Backend{Hostname: cfg.host.Name, Users: cfg.users, Keys: cfg.keys,
			HideClient: cfg.hideClient, Queue: q, Logger: log},
	}
	var listeners []serve.Listener
	defer func() {
		for _, l := range listeners {
			l.Listener.Close()
		}
	}()
	for _, p := range []struct {
		name, addr string
		implicit   bool
	}{{"submission", cfg.listenSTARTTLS, false}, {"submissions", cfg.listenTLS, true}} {
		if p.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return err
		}
		listeners = append(listeners, serve.Listener{Server: srv, Listener: ln, ImplicitTLS: p.implicit})
		log.Info("listening", "service", p.name, "addr", ln.Addr().String(), "implicit-tls", p.implicit)
		if cfg.ready != nil {
			cfg.ready(p.name, ln.Addr())
		}
	}
	stopQueue := q.Background()
	rctx, stopReports := context.WithCancel(context.Background())
	rdone := make(chan struct{})
	go func() { rotateDaily(rctx, report, cfg.tlsrptDir, res, log); close(rdone) }()
	err = serve.Until(ctx, log, listeners...)
	stopQueue()
	stopReports()
	<-rdone
	writeReports(report.Rotate(time.Now()), cfg.tlsrptDir, res, log)
	return err
}

// rotateDaily writes the TLS reports of each UTC day at its end (RFC 8460
// §4.1) until ctx ends.
func rotateDaily(ctx context.Context, r *outbound.DailyReports, dir string, res resolver.Resolver, log *slog.Logger) {
	for {
		now := time.Now().UTC()
		midnight := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
		select {
		case <-ctx.Done():
			return
		case <-time.After(midnight.Sub(now)):
			writeReports(r.Rotate(midnight.Add(-time.Second)), dir, res, log)
		}
	}
}

// writeReports writes one period's TLS reports and logs a failure.
func writeReports(b *tlsrpt.Builder, dir string, res resolver.Resolver, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := outbound.WriteTLSReports(ctx, b, dir, res, log); err != nil {
		log.Error("TLS reports", "err", err)
	}
}

// deliverer returns the queue's Deliverer with the TLS policies the flags
// ask for, and the daily TLS reports it counts sessions in.
func deliverer(cfg config, res resolver.Resolver) (*outbound.Deliverer, *outbound.DailyReports, error) {
	report := &outbound.DailyReports{OrganizationName: cfg.host.Name, ContactInfo: "mailto:postmaster@" + cfg.host.Name,
		Submitter: cfg.host.Name}
	d, err := cfg.out.Deliverer(res, cfg.host.Name, cfg.roots, cfg.httpsPorts, cfg.daneOverride)
	if err != nil {
		return nil, nil, err
	}
	d.TLSReport = report
	return d, report, nil
}
