package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Main is the main function of a server program called name: it parses
// the command line with parse (usage and errors go to stderr), then runs
// the server with run until SIGINT or SIGTERM ends its context. The exit
// status is 0 for -help and for a clean stop, 2 for a usage error, 1 when
// run fails (the error is printed after the program's name).
func Main[C any](name string, parse func(args []string, stderr io.Writer) (C, error),
	run func(ctx context.Context, cfg C, stderr io.Writer) error) {
	os.Exit(mainStatus(os.Args[1:], os.Stderr, name, parse, run))
}

// CLI is the main function of a command-line program (demo, mailcheck):
// it calls run with the arguments, standard output and standard error, and
// a context that SIGINT or SIGTERM ends, and exits with the status run
// returns.
func CLI(run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// mainStatus is Main without the signals' context and the exit.
func mainStatus[C any](args []string, stderr io.Writer, name string, parse func([]string, io.Writer) (C, error),
	run func(context.Context, C, io.Writer) error) int {
	cfg, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0 // -help: the usage was asked for
	}
	if err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, stderr); err != nil {
		fmt.Fprintln(stderr, name+":", err)
		return 1
	}
	return 0
}
