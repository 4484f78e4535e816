package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/dkim/arc"

	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/examples/internal/forward"
	"github.com/mailsmith/mailsmith/examples/internal/keyfile"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
	"github.com/mailsmith/mailsmith/smtp"
	"github.com/mailsmith/mailsmith/srs"
)

type config struct {
	listen, domain string
	host           serve.Host // -hostname, -resolver
	aliases        forward.Aliases
	secrets        [][]byte
	out            queue.Settings
	// arcSeal, arcKey, arcSelector: ARC sealing (RFC 8617) with the key
	// in arcKey ("" means <queueDir>/arc/<domain>.pem), generated on
	// first start.
	arcSeal             bool
	arcKey, arcSelector string

	// ready is told the listening address (tests).
	ready func(addr net.Addr)
}

// arcSealer loads the ARC sealing key (RSA 2048, generated and saved on
// first start, as submission keeps its DKIM keys) and prints the TXT
// record to publish for it at <selector>._domainkey.<domain>.
func arcSealer(cfg config, res resolver.Resolver, w io.Writer) (*arc.Sealer, error) {
	file := cfg.arcKey
	if file == "" {
		file = filepath.Join(cfg.out.QueueDir, "arc", cfg.domain+".pem")
	}
	key, created, err := keyfile.LoadOrGenerate(file, dkim.KeyTypeRSA, 2048)
	if err != nil {
		return nil, fmt.Errorf("ARC %w", err)
	}
	rec, err := dkim.NewKeyRecord(key.Public())
	if err != nil {
		return nil, fmt.Errorf("ARC key %s: %w", file, err)
	}
	what := "using the ARC sealing key"
	if created {
		what = "generated an ARC sealing key"
	}
	fmt.Fprintf(w, "forwarder: %s for %s in %s; publish:\n  %s\n", what, cfg.domain, file, rec.ZoneText(cfg.arcSelector, cfg.domain))
	return &arc.Sealer{Domain: cfg.domain, Selector: cfg.arcSelector, Key: key, AuthServID: cfg.host.Name, Resolver: res}, nil
}

// run serves until ctx ends, then shuts down. Logs go to logw.
func run(ctx context.Context, cfg config, logw io.Writer) error {
	log := slog.New(slog.NewTextHandler(logw, nil))
	res, err := cfg.host.DNS()
	if err != nil {
		return err
	}
	d, err := cfg.out.Deliverer(res, cfg.host.Name, nil, nil, nil)
	if err != nil {
		return err
	}
	q, err := cfg.out.Open(d, cfg.host.Name, 0, log)
	if err != nil {
		return err
	}
	fwd := &forward.Forwarder{
		Domain:  cfg.domain,
		Aliases: cfg.aliases,
		SRS:     &srs.Rewriter{Domain: cfg.domain, Secrets: cfg.secrets},
		Queue:   q,
		Logger:  log,
	}
	if cfg.arcSeal {
		if fwd.Sealer, err = arcSealer(cfg, res, logw); err != nil {
			return err
		}
	}
	srv := &smtp.Server{
		Hostname: cfg.host.Name,
		Logger:   log,
		Backend: &receiver.Backend{
			Hostname: cfg.host.Name,
			Checker:  &authcheck.Checker{Resolver: res, Hostname: cfg.host.Name},
			Handler:  fwd,
			Logger:   log,
		},
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "domain", cfg.domain, "aliases", len(cfg.aliases))
	if cfg.ready != nil {
		cfg.ready(ln.Addr())
	}
	stopQueue := q.Background()
	defer stopQueue()
	return serve.Until(ctx, log, serve.Listener{Server: srv, Listener: ln})
}
