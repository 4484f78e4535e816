// Command demo plays one day of mail between three example domains in a
// few seconds, without touching the network, and explains each step for
// someone who has never heard of DKIM.
//
// It serves an embedded DNS zone on loopback (internal/dnstest), generates
// DKIM keys and publishes them, starts mail servers on 127.0.0.1 and then:
// Alice's mail program submits over STARTTLS with AUTH; her server adds the
// missing Date and Message-ID, signs with DKIM (RSA and Ed25519), finds Bob's
// MX through DNS and delivers over SMTP; Bob's MX checks iprev, SPF, DKIM
// and DMARC and records them in an Authentication-Results header (RFC
// 8601); Mallory's forgeries fail DMARC and are refused with 550 5.7.1
// (p=reject) or sent to Junk (p=quarantine); a forwarder rewrites the sender
// with SRS and a bounce finds its way back through it; a mailing list at the
// forwarder tags the subject and adds a footer, which breaks Alice's DKIM
// signature and so DMARC, and seals the message with ARC (RFC 8617): Bob's
// server, which trusts the list's seals, accepts it on the list's results
// (a local policy override), and refuses the same message without ARC
// (p=reject). Delivery between the
// servers is secured as on the Internet: example.com's MTA-STS policy,
// served over HTTPS on loopback with a certificate from a demo CA, makes
// Alice's server verify TLS and skip an MX record Mallory slipped into DNS
// (a TLS-RPT failure is counted); example.net pins its MX's key with a DANE
// TLSA record (the zone counts as DNSSEC-signed through a stand-in for a
// validating resolver). At the end of the day Bob's server writes a DMARC
// aggregate report and each sending server its TLS report. An appendix runs
// MX routing and reverse DNS corner cases on a second zone.
//
//	go run ./examples/demo
//
// The exit status is 1 if any step did not behave as expected.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/serve"
)

// deadline bounds the whole demo; it normally takes a second or two.
const deadline = 30 * time.Second

func main() { serve.CLI(cli) }

// usage is what -help prints.
const usage = `usage: demo

Plays one day of mail between example.org, example.com and example.net on
127.0.0.1, offline: submission with AUTH and DKIM signing, MX routing and
delivery, iprev, SPF, DKIM and DMARC checks, a p=reject refusal, a
quarantine, SRS forwarding and a bounce, a mailing list whose footer breaks
DKIM and whose ARC seal saves the message, delivery under MTA-STS and DANE,
a DMARC aggregate report and TLS reports, each step explained. It takes no arguments; the exit status is 1 if a step did
not behave as expected.`

// cli parses the arguments, runs the demo and returns the exit status: 0
// (also for -help), 1 when a step failed, 2 for bad usage.
func cli(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if err := run(ctx, stdout); err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return 1
	}
	return 0
}

// run plays the day and prints the report to out. It returns an error when
// the demo could not run or a step did not behave as expected.
func run(ctx context.Context, out io.Writer) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	n := &narrator{w: out}
	fmt.Fprintln(out, intro)

	n.scene("07:59", "Setting up")
	w, err := startWorld(n)
	if err != nil {
		return err
	}
	defer w.stop()

	for _, scene := range []func(context.Context, *narrator){w.morning, w.spoof, w.junk, w.forwarded, w.listed, w.bounced, w.poisoned} {
		if ctx.Err() != nil {
			break
		}
		scene(ctx, n)
	}
	w.evening(ctx, n, start)
	w.tlsReports(ctx, n)
	appendix(ctx, n)

	fmt.Fprintln(out)
	if ctx.Err() != nil {
		return fmt.Errorf("stopped: %w", ctx.Err())
	}
	if n.failed > 0 {
		fmt.Fprintf(out, "%d of %d steps did not behave as expected.\n", n.failed, n.checks)
		return fmt.Errorf("%d steps failed", n.failed)
	}
	fmt.Fprintf(out, "All %d steps behaved as expected (%.1fs).\n", n.checks, time.Since(start).Seconds())
	return nil
}
