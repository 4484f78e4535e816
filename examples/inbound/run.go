package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"

	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/examples/internal/maildir"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
	"github.com/mailsmith/mailsmith/smtp"
)

type config struct {
	listen, maildir string
	host            serve.Host // -hostname, -resolver
	domains, users  []string
	trustARC        []string   // -trust-arc-sealer
	cert            serve.Cert // -cert, -key
	maxSize         int64

	// ready is told the listening address (tests).
	ready func(addr net.Addr)
	// sync replaces (*os.File).Sync in Maildir delivery (tests).
	sync func(f *os.File) error
}

// run serves until ctx ends, then shuts down gracefully. Logs go to logw.
func run(ctx context.Context, cfg config, logw io.Writer) error {
	log := slog.New(slog.NewTextHandler(logw, nil))
	res, err := cfg.host.DNS()
	if err != nil {
		return err
	}
	tlsConfig, err := cfg.cert.Config(logw, "inbound", "STARTTLS certificate for DANE", cfg.host.Name)
	if err != nil {
		return err
	}
	srv := &smtp.Server{
		Hostname:        cfg.host.Name,
		TLSConfig:       tlsConfig,
		MaxMessageBytes: cfg.maxSize,
		Logger:          log,
		Backend: &receiver.Backend{
			Hostname: cfg.host.Name,
			Checker:  &authcheck.Checker{Resolver: res, Hostname: cfg.host.Name, TrustARC: cfg.trustARC},
			Handler:  newMailboxes(cfg.maildir, cfg.domains, cfg.users, &maildir.Writer{Sync: cfg.sync}, log),
			Logger:   log,
		},
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "hostname", cfg.host.Name, "domains", cfg.domains, "maildir", cfg.maildir, "trust_arc_sealers", cfg.trustARC)
	if cfg.ready != nil {
		cfg.ready(ln.Addr())
	}
	return serve.Until(ctx, log, serve.Listener{Server: srv, Listener: ln})
}
