package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/outbound"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
	"github.com/mailsmith/mailsmith/examples/internal/submit"
	"github.com/mailsmith/mailsmith/examples/internal/tlscert"
	"github.com/mailsmith/mailsmith/smtp"
)

type config struct {
	listenSTARTTLS, listenTLS string // "" disables that port
	hostname, resolver        string
	users                     submit.Users
	keys                      []submit.Key
	hideClient                bool
	certFile, keyFile         string
	mxPort                    int
	mxPorts                   map[string]int
	retry                     time.Duration
	maxAge                    time.Duration
	queueDir, dkimDir         string

	// resolverOverride replaces the -resolver flag (tests).
	resolverOverride resolver.Resolver
	// ready is told each listening address, "submission" (STARTTLS) or
	// "submissions" (implicit TLS) (tests).
	ready func(name string, addr net.Addr)
}

// run serves until ctx ends, then shuts down. Logs go to logw.
func run(ctx context.Context, cfg config, logw io.Writer) error {
	log := slog.New(slog.NewTextHandler(logw, nil))
	res, err := resolver.Choose(cfg.resolverOverride, cfg.resolver)
	if err != nil {
		return err
	}
	tlscfg, err := tlscert.Config(cfg.certFile, cfg.keyFile, cfg.hostname)
	if err != nil {
		return err
	}
	if err := addMissingKeys(&cfg, logw); err != nil {
		return err
	}
	q := &queue.Queue{
		Dir:       cfg.queueDir,
		Deliverer: &outbound.Deliverer{Resolver: res, LocalName: cfg.hostname, Port: cfg.mxPort, Ports: cfg.mxPorts},
		Hostname:  cfg.hostname,
		Backoff:   queue.Doubling(cfg.retry, 6),
		MaxAge:    cfg.maxAge,
		Logger:    log,
	}
	if err := q.Open(); err != nil {
		return err
	}
	srv := &smtp.Server{
		Hostname:  cfg.hostname,
		TLSConfig: tlscfg,
		Logger:    log,
		Backend: &submit.Backend{Hostname: cfg.hostname, Users: cfg.users, Keys: cfg.keys,
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
	qctx, stopQueue := context.WithCancel(context.Background())
	qdone := make(chan struct{})
	go func() { q.Run(qctx); close(qdone) }()
	err = serve.Until(ctx, log, listeners...)
	stopQueue()
	<-qdone
	if n := q.Len(); n > 0 {
		log.Info("messages stay queued for the next start", "count", n, "dir", cfg.queueDir)
	}
	return err
}
