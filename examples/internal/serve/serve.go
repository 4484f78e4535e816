// Package serve runs the examples' SMTP servers until the program is asked
// to stop, then shuts them down gracefully.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/mailsmith/mailsmith/smtp"
)

// ShutdownGrace is how long messages in transfer may take to finish once
// the program is asked to stop.
const ShutdownGrace = 30 * time.Second

// Listener is one listening socket of a server.
type Listener struct {
	Server      *smtp.Server
	Listener    net.Listener
	ImplicitTLS bool // serve TLS from the first byte (RFC 8314, port 465)
}

// Until serves every listener until ctx ends or one of them fails, then
// shuts the servers down: sessions waiting for a command get 421, messages
// in transfer are finished.
func Until(ctx context.Context, log *slog.Logger, listeners ...Listener) error {
	errc := make(chan error, len(listeners))
	for _, l := range listeners {
		go func() {
			if l.ImplicitTLS {
				errc <- l.Server.ServeTLS(l.Listener)
			} else {
				errc <- l.Server.Serve(l.Listener)
			}
		}()
	}
	var failure error
	pending := len(listeners)
	select {
	case err := <-errc:
		pending--
		failure = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		log.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	seen := map[*smtp.Server]bool{}
	for _, l := range listeners {
		if seen[l.Server] {
			continue
		}
		seen[l.Server] = true
		if err := l.Server.Shutdown(sctx); err != nil {
			l.Server.Close()
			failure = errors.Join(failure, fmt.Errorf("shutdown: %w", err))
		}
	}
	for range pending {
		if err := <-errc; err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			failure = errors.Join(failure, err)
		}
	}
	return failure
}
